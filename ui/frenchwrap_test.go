package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
)

// frenchMarks is a French sentence with each space French typography
// binds to its mark written "_": before : ; ! ? » and after «.
const frenchMarks = "Le dossier n’est plus là_: choisissez-en un autre_; ou bien cliquez sur «_Ajouter des fichiers_» puis attendez_! Voulez-vous continuer_?"

// wrappedLines lays text out in a word-wrapping label width wide and
// returns its lines as drawn.
func wrappedLines(w fyne.Window, text string, width float32) []string {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	w.SetContent(l)
	l.Resize(fyne.NewSize(width, l.MinSize().Height))
	l.Resize(fyne.NewSize(width, l.MinSize().Height))
	var lines []string
	walkObjects(l, func(o fyne.CanvasObject) {
		if t, ok := o.(*canvas.Text); ok && t.Text != "" {
			lines = append(lines, t.Text)
		}
	})
	return lines
}

// orphanedMark is the first line of lines that starts with : ; ! ? » or
// ends with «, the break French's no-break space is there to prevent.
func orphanedMark(lines []string) (string, bool) {
	for _, l := range lines {
		if strings.ContainsAny(l[:1], ":;!?") || strings.HasPrefix(l, "»") || strings.HasSuffix(l, "«") {
			return l, true
		}
	}
	return "", false
}

// TestFyneBreaksAtNoBreakSpaces records why fr.json writes a plain space
// before : ; ! ? » and after «: Fyne's word wrap (widget/richtext.go's
// findSpaceIndex) breaks at any rune unicode.IsSpace accepts, and that
// includes the no-break space U+00A0 and the narrow one U+202F, so
// either leaves a line starting with a lone mark just as a plain space
// does. When a Fyne release stops breaking there this fails, and fr.json
// can take them (and TestCatalogTypography require them).
func TestFyneBreaksAtNoBreakSpaces(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	for _, space := range []string{" ", "\u00a0", "\u202f"} {
		text := strings.ReplaceAll(frenchMarks, "_", space)
		var broken []float32
		for width := float32(160); width <= 600; width += 2 {
			lines := wrappedLines(w, text, width)
			if line, ok := orphanedMark(lines); ok {
				if len(broken) == 0 {
					t.Logf("%U at %v px: line %q of %q", []rune(space)[0], width, line, lines)
				}
				broken = append(broken, width)
			}
		}
		t.Logf("%U: a line starts or ends with a lone mark at %d of 221 widths from 160 to 600 px", []rune(space)[0], len(broken))
		assert.NotEmpty(t, broken, "Fyne no longer breaks at %U before : ; ! ? » or after «: fr.json can use it there", []rune(space)[0])
	}
}
