package ui

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/token"
	"strconv"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// windowText is a text the window may draw and where it comes from.
type windowText struct {
	where string
	text  string
}

// drawnStyles are the text styles the window draws sentences in: plain,
// and bold for titles and dialog buttons. (Monospace is only for hashes,
// which are ASCII.)
var drawnStyles = map[string]fyne.TextStyle{"regular": {}, "bold": {Bold: true}}

// bundledFaces are the fonts Fyne draws style with before it asks the
// system for one (internal/painter's CachedFontFace): the window theme's
// font for the style, then Fyne's emoji font, then its symbol font. A rune
// none of them has takes a system font, and Wine has none: a box there.
func bundledFaces(t *testing.T, style fyne.TextStyle) []*font.Face {
	t.Helper()
	resources := []fyne.Resource{(&variantTheme{}).Font(style)}
	if emoji := theme.DefaultEmojiFont(); emoji != nil {
		resources = append(resources, emoji)
	}
	resources = append(resources, theme.DefaultSymbolFont())
	var faces []*font.Face
	for _, r := range resources {
		face, err := font.ParseTTF(bytes.NewReader(r.Content()))
		require.NoError(t, err, r.Name())
		faces = append(faces, face)
	}
	return faces
}

// catalogTexts are every form of every key of every catalog.
func catalogTexts(t *testing.T) []windowText {
	var out []windowText
	for _, l := range languages {
		for k, forms := range readCatalog(t, l.File) {
			for f, s := range forms {
				out = append(out, windowText{fmt.Sprintf("%s %q (%s)", l.File, k, f), s})
			}
		}
	}
	return out
}

// windowLiterals are the string and rune literals of the window's code
// (checkMark, the language names, "…", "•"), which it may draw as they
// are.
func windowLiterals(t *testing.T) []windowText {
	fset, files := uiSources(t)
	var out []windowText
	for _, file := range files {
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || (lit.Kind != token.STRING && lit.Kind != token.CHAR) {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if lit.Kind == token.CHAR {
				var r rune
				r, _, _, err = strconv.UnquoteChar(lit.Value[1:len(lit.Value)-1], '\'')
				s = string(r)
			}
			require.NoError(t, err, fset.Position(lit.Pos()))
			out = append(out, windowText{fset.Position(lit.Pos()).String(), s})
			return true
		})
	}
	return out
}

// hasGlyph reports whether one of faces draws r.
func hasGlyph(faces []*font.Face, r rune) bool {
	for _, f := range faces {
		if _, ok := f.NominalGlyph(r); ok {
			return true
		}
	}
	return false
}

// TestEveryShownCharacterHasABundledGlyph fails naming the language, key
// (or the code's line) and rune when a character the window may draw is
// in none of the fonts Fyne ships, so it would be a box where the system
// has no font with it (Wine). Controls and format characters (the
// joiners, "\x00") are not drawn and not looked at.
func TestEveryShownCharacterHasABundledGlyph(t *testing.T) {
	texts := append(catalogTexts(t), windowLiterals(t)...)
	checked := map[rune]bool{}
	for name, style := range drawnStyles {
		faces := bundledFaces(t, style)
		for _, s := range texts {
			for _, r := range s.text {
				if !unicode.IsGraphic(r) {
					continue
				}
				checked[r] = true
				assert.True(t, hasGlyph(faces, r), "%s: %U %q is in none of Fyne's fonts for %s text: %s", s.where, r, r, name, s.text)
			}
		}
	}
	t.Logf("%d texts, %d distinct characters, each in a bundled font for %d styles", len(texts), len(checked), len(drawnStyles))
}
