package ui

import (
	"encoding/json"
	"go/ast"
	"go/token"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// catalog is one translation file: each key's single form or plural forms.
type catalog map[string]map[string]string

// readCatalog parses translations/<file> into its forms; a plain string is
// the form "other".
func readCatalog(t *testing.T, file string) catalog {
	t.Helper()
	data, err := catalogs.ReadFile(catalogDir + "/" + file)
	require.NoError(t, err)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(data, &raw), file)
	c := catalog{}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			c[k] = map[string]string{"other": s}
			continue
		}
		var forms map[string]string
		require.NoError(t, json.Unmarshal(v, &forms), "%s: %q is neither a string nor plural forms", file, k)
		c[k] = forms
	}
	return c
}

// pluralForms are the CLDR plural forms each language's counts fall into.
var pluralForms = map[string][]string{
	"en": {"one", "other"}, "de": {"one", "other"},
	"fr": {"many", "one", "other"}, "es": {"many", "one", "other"}, "pt-BR": {"many", "one", "other"},
	"ru": {"few", "many", "one", "other"},
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// placeholders lists the distinct {{.Name}}s of s, sorted.
func placeholders(s string) []string {
	seen := map[string]bool{}
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		seen[m[1]] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCatalogsComplete fails when a catalog lacks a key of English's, has a
// key English lacks, misses a plural form its language needs, or a
// translation's placeholders differ from English's.
func TestCatalogsComplete(t *testing.T) {
	en := readCatalog(t, "en.json")
	require.NotEmpty(t, en)
	for _, l := range languages {
		c := readCatalog(t, l.File)
		for k, enForms := range en {
			forms, ok := c[k]
			if !assert.True(t, ok, "%s lacks %q", l.File, k) {
				continue
			}
			want := placeholders(enForms["other"])
			if len(enForms) == 1 {
				assert.Len(t, forms, 1, "%s: %q is not a plural in English", l.File, k)
			} else {
				for _, f := range pluralForms[l.Tag] {
					assert.Contains(t, forms, f, "%s: %q needs the plural form %q", l.File, k, f)
				}
			}
			for f, s := range forms {
				assert.Equal(t, want, placeholders(s), "%s: %q (%s) has other placeholders than English", l.File, k, f)
				assert.NotEmpty(t, s, "%s: %q (%s) is empty", l.File, k, f)
			}
		}
		for k := range c {
			_, ok := en[k]
			assert.True(t, ok, "%s has %q, which English lacks", l.File, k)
		}
	}
}

// computedKeys are the keys the code builds at run time rather than
// writing them out (month names, size units, locale marks).
func computedKeys() []string {
	keys := []string{"locale.decimal", "locale.group"}
	for m := 1; m <= 12; m++ {
		keys = append(keys, "month.short."+strconv.Itoa(m))
	}
	for _, u := range []string{"kB", "MB", "GB", "TB", "PB", "EB"} {
		keys = append(keys, "unit."+u)
	}
	return keys
}

// stringConstant is the value of a string literal or of literals joined
// with +.
func stringConstant(t *testing.T, e ast.Expr) (string, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		s, err := strconv.Unquote(x.Value)
		require.NoError(t, err)
		return s, x.Kind == token.STRING
	case *ast.BinaryExpr:
		l, lok := stringConstant(t, x.X)
		r, rok := stringConstant(t, x.Y)
		return l + r, lok && rok && x.Op == token.ADD
	}
	return "", false
}

// TestCatalogKeysUsed fails when the code asks for a key English's catalog
// does not have (it would show untranslated in every language), asks with
// trn for a key that has no plural forms or with tr for one that has, or
// when English has a key no code asks for.
func TestCatalogKeysUsed(t *testing.T) {
	en := readCatalog(t, "en.json")
	used := map[string]string{}
	for _, k := range computedKeys() {
		used[k] = "tr"
	}
	fset, files := uiSources(t)
	for _, file := range files {
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			kind := ""
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				kind = fn.Name
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "lang" {
					kind = "lang." + fn.Sel.Name
				}
			}
			switch kind {
			case "tr", "trn", "trKey", "lang.X", "lang.L", "lang.N", "lang.XN":
			default:
				return true
			}
			key, ok := stringConstant(t, call.Args[0])
			if !ok {
				// Only trKey and lang.X build keys (listed in
				// computedKeys); tr and trn take the English sentence
				// itself.
				assert.True(t, kind == "trKey" || strings.HasPrefix(kind, "lang."), "%s: %s needs a literal sentence", fset.Position(call.Pos()), kind)
				return true
			}
			if kind == "trn" || kind == "lang.N" || kind == "lang.XN" {
				used[key] = "trn"
			} else {
				used[key] = "tr"
			}
			return true
		})
	}
	var missing []string
	for k, kind := range used {
		forms, ok := en[k]
		if !ok {
			missing = append(missing, k)
			continue
		}
		assert.Equal(t, kind == "trn", len(forms) > 1, "%q is asked for with %s", k, kind)
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "keys the code uses that en.json lacks")
	for k := range en {
		_, ok := used[k]
		assert.True(t, ok, "en.json has %q, which no code asks for", k)
	}
}

// TestLanguageFromLocaleAndChoice: LANG=de_DE.UTF-8 opens in German with
// German numbers and dates; a choice in Settings wins over the locale and
// gives each language its own plural forms; "" goes back to the locale.
func TestLanguageFromLocaleAndChoice(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) }) // after the variables are back
	t.Setenv("LANGUAGE", "")
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "de_DE.UTF-8")

	require.NoError(t, useLanguage(""))
	assert.Equal(t, "Sprache", tr("Language"))
	assert.Equal(t, "1,5 MB", formatSize(1_500_000))
	assert.Equal(t, "100.000 Uploads", trn("{{.Count}} uploads", 100_000))
	assert.Equal(t, "1 Upload", trn("{{.Count}} uploads", 1))
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.Local)
	assert.Equal(t, "2. März 2025", formatDate(time.Date(2025, 3, 2, 9, 5, 0, 0, time.Local), now))
	assert.Equal(t, "Heute 09:05", formatDate(time.Date(2026, 3, 10, 9, 5, 0, 0, time.Local), now))

	require.NoError(t, useLanguage("ru"))
	assert.Equal(t, "Язык", tr("Language"))
	for n, want := range map[int]string{1: "1 загрузка", 3: "3 загрузки", 5: "5 загрузок", 11: "11 загрузок", 21: "21 загрузка", 22: "22 загрузки", 1000: "1\u00a0000 загрузок"} {
		assert.Equal(t, want, trn("{{.Count}} uploads", n))
	}
	assert.Equal(t, "2,1 ГБ/с", formatSpeed(2_150_000_000))

	require.NoError(t, useLanguage("fr"))
	assert.Equal(t, "1,5 Mo", formatSize(1_500_000))
	assert.Equal(t, "encore 3 min 20 s", formatETA(200*time.Second))

	require.NoError(t, useLanguage("pt-BR"))
	assert.Equal(t, "Idioma", tr("Language"))
	assert.Equal(t, "2 envios", trn("{{.Count}} uploads", 2))

	require.NoError(t, useLanguage(""))
	assert.Equal(t, "Sprache", tr("Language"), "back to the locale's language")
	assert.Empty(t, os.Getenv("LANGUAGE"))
}

// TestEveryTranslationRenders renders every key in every language with
// sample data for counts that pick each plural form, and fails on a
// template that does not execute or leaves a placeholder unfilled.
func TestEveryTranslationRenders(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	en := readCatalog(t, "en.json")
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		for k, forms := range en {
			data := map[string]any{}
			for _, p := range placeholders(forms["other"]) {
				data[p] = "x"
			}
			var outs []string
			if len(forms) > 1 {
				for _, n := range []int{0, 1, 2, 5, 21, 1_000_000} {
					outs = append(outs, trn(k, n, data))
				}
			} else {
				outs = append(outs, tr(k, data))
			}
			for _, out := range outs {
				assert.NotContains(t, out, "{{", "%s: %q", l.Tag, k)
				assert.NotContains(t, out, "<no value>", "%s: %q", l.Tag, k)
			}
		}
	}
}

// foreignMarks are, for each catalog, the quotation marks of the other
// catalogs: German quotes „so“, French « ainsi », Spanish and Russian
// «así», Brazilian Portuguese “assim”, and a sentence quoted another way
// stands out among the others.
var foreignMarks = map[string]string{
	"de": "”«»", "fr": "“”„", "es": "“”„", "pt-BR": "„«»", "ru": "“”„",
}

// straightApostrophe is a ' between two letters: English's own, which a
// translation left behind or typed where its catalog writes ’ (French's
// l’historique) or none.
var straightApostrophe = regexp.MustCompile(`\pL'\pL`)

// TestCatalogTypography fails when a translation quotes with another
// language's marks or writes an apostrophe as English's '.
func TestCatalogTypography(t *testing.T) {
	for _, l := range languages {
		if l.Tag == "en" {
			continue
		}
		for k, forms := range readCatalog(t, l.File) {
			for f, s := range forms {
				assert.False(t, strings.ContainsAny(s, foreignMarks[l.Tag]), "%s: %q (%s) quotes with another language's marks: %s", l.File, k, f, s)
				assert.Empty(t, straightApostrophe.FindAllString(s, -1), "%s: %q (%s) has a straight apostrophe: %s", l.File, k, f, s)
			}
		}
	}
}

// otherAddress are, for each catalog, the words of the address it does
// not use: the window speaks to the person as Sie, vous, tú, você and вы
// throughout, and a sentence that switches reads as if someone else wrote
// it. Spanish's usted shows less in its pronouns than in its imperatives,
// listed apart.
var otherAddress = map[string][]string{
	"de":    {"du", "dich", "dir", "dein", "deine", "deinem", "deinen", "deiner", "deines"},
	"fr":    {"tu", "toi", "ton", "ta", "tes", "te"},
	"es":    {"usted", "ustedes"},
	"pt-BR": {"tu", "teu", "tua", "teus", "tuas", "contigo"},
	"ru":    {"ты", "тебя", "тебе", "тобой", "твой", "твоя", "твоё", "твои", "твоего", "твоей", "твоих"},
}

// ustedImperatives are the usted forms of the requests the Spanish
// catalog makes (tú: añade, comprueba, inténtalo, …). They are also the
// third person's subjunctive ("cuando vuelva a estar"), so only a clause's
// first word is taken for a request (clauseStart).
var ustedImperatives = []string{
	"abra", "añada", "cierre", "compruebe", "cree", "desbloquee", "elija", "elimine", "escriba", "espere",
	"guarde", "haga", "inserte", "instale", "inténtelo", "libere", "mueva", "pegue", "quite", "reinicie",
	"reinténtelo", "revise", "suba", "vuelva",
}

// clauseStart finds the first word of a sentence or clause: at the start,
// after . : ; , ¿ ¡, or after y / o joining two requests.
var clauseStart = regexp.MustCompile(`(?:^|[.:;,¿¡]\s+|\s[yo]\s+)(\pL+)`)

// TestCatalogAddressIsConsistent fails when a translation addresses the
// person other than its catalog does.
func TestCatalogAddressIsConsistent(t *testing.T) {
	notLetter := func(r rune) bool { return !unicode.IsLetter(r) }
	for _, l := range languages {
		other, ok := otherAddress[l.Tag]
		if !ok {
			continue
		}
		for k, forms := range readCatalog(t, l.File) {
			for f, s := range forms {
				words := placeholder.ReplaceAllString(s, " ")
				var found []string
				for _, w := range strings.FieldsFunc(words, notLetter) {
					if slices.Contains(other, strings.ToLower(w)) {
						found = append(found, w)
					}
				}
				if l.Tag == "es" {
					for _, m := range clauseStart.FindAllStringSubmatch(words, -1) {
						if slices.Contains(ustedImperatives, strings.ToLower(m[1])) {
							found = append(found, m[1])
						}
					}
				}
				assert.Empty(t, found, "%s: %q (%s) addresses the person otherwise: %s", l.File, k, f, s)
			}
		}
	}
}
