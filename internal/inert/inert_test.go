package inert

import (
	"encoding/json"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTextIsInert(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":           "report.pdf",
		"été 🎉.txt":            "été 🎉.txt",
		"two\nlines":           `"two\nlines"`,
		"x\x1b]0;title\a":      `"x\x1b]0;title\a"`,
		"invoice\u202efdp.exe": `"invoice\u202efdp.exe"`,
		"c1\u009b2J":           `"c1\u009b2J"`,
		"bad\xff":              `"bad\xff"`,
		// The joiners of emoji and Persian are as they are, in a
		// terminal as in a label; any other formatting character is not.
		"👩\u200d💻 notes.md":     "👩\u200d💻 notes.md",
		"می\u200cخواهم.txt":     "می\u200cخواهم.txt",
		"zw\u200bspace":         `"zw\u200bspace"`,
		"👩\u200d💻\u202etxt.exe": `"👩\u200d💻\u202etxt.exe"`,
	} {
		assert.Equal(t, want, Text(in), "%q", in)
	}
}

func TestLineIsInert(t *testing.T) {
	for in, want := range map[string]string{
		"Link to report.pdf copied":          "Link to report.pdf copied",
		"“été 🎉.txt” is live":                "“été 🎉.txt” is live",
		"open two\nlines: permission denied": `open two\nlines: permission denied`,
		"x\x1b]0;title\a is live":            `x\x1b]0;title\a is live`,
		"invoice\u202efdp.exe failed":        `invoice\u202efdp.exe failed`,
		"c1\u009b2J":                         `c1\u009b2J`,
		"bad\xff.txt and \ttab":              `bad\xff.txt and \ttab`,
		"tag\U000E0001 and zero\u200bwidth":  `tag\U000e0001 and zero\u200bwidth`,
	} {
		out := Line(in)
		assert.Equal(t, want, out, "%q", in)
		assert.Equal(t, out, Line(out), "a line made inert stays as it is")
	}
}

// TestLineEscapesEveryBidiControl: a line (also a name as the text of a
// link others read) shows every bidirectional control escaped where it
// stands (no "invoice\u202efdp.exe" drawn as "invoiceexe.pdf"), as every
// control, formatting or invalid byte, but keeps the zero-width joiner and
// non-joiner that emoji and scripts such as Persian are written with.
func TestLineEscapesEveryBidiControl(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "report.pdf", "report.pdf"},
		{"accents and emoji", "été 🎉.txt", "été 🎉.txt"},
		{"emoji joined by ZWJ", "👩\u200d💻 notes.md", "👩\u200d💻 notes.md"},
		{"Persian with ZWNJ", "می\u200cخواهم.txt", "می\u200cخواهم.txt"},
		{"LRE", "a\u202ab", `a\u202ab`},
		{"RLE", "a\u202bb", `a\u202bb`},
		{"PDF", "a\u202cb", `a\u202cb`},
		{"LRO", "a\u202db", `a\u202db`},
		{"RLO", "invoice\u202efdp.exe", `invoice\u202efdp.exe`},
		{"LRI", "a\u2066b", `a\u2066b`},
		{"RLI", "a\u2067b", `a\u2067b`},
		{"FSI", "a\u2068b", `a\u2068b`},
		{"PDI", "a\u2069b", `a\u2069b`},
		{"LRM", "a\u200eb", `a\u200eb`},
		{"RLM", "a\u200fb", `a\u200fb`},
		{"ALM", "a\u061cb", `a\u061cb`},
		{"controls", "two\nlines\x1b[2J\t", `two\nlines\x1b[2J\t`},
		{"invalid byte", "bad\xff", `bad\xff`},
		{"tag character", "tag\U000E0001", `tag\U000e0001`},
	}
	for _, tt := range tests {
		out := Line(tt.in)
		assert.Equal(t, tt.want, out, tt.name)
		assert.Equal(t, out, Line(out), "%s: a line made inert stays as it is", tt.name)
	}
}

func TestJSONKeepsMeaning(t *testing.T) {
	in := map[string]string{"name": "a\u009b2J\u202e\x7f\U000E0001b <&>"}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	out := JSON(b)
	assert.NotContains(t, string(out), "\u009b")
	assert.NotContains(t, string(out), "\u202e")
	assert.NotContains(t, string(out), "\x7f")
	assert.Contains(t, string(out), `\u009b`)
	assert.Contains(t, string(out), `\udb40\udc01`)
	var back map[string]string
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, in, back)
}

// TestQuotedIfBlank: a name made only of spaces is quoted, as many spaces
// as it has; any other text, spaces around it too, is as it is.
func TestQuotedIfBlank(t *testing.T) {
	for in, want := range map[string]string{
		" ":      `" "`,
		"   ":    `"   "`,
		"":       "",
		"  a  ":  "  a  ",
		"\u00a0": "\u00a0", // not a space of its own: Text and Line escape it
		" \t ":   " \t ",   // likewise
	} {
		assert.Equal(t, want, QuotedIfBlank(in), "%q", in)
	}
}

// TestName: a name is Text, and quoted when only spaces, never quoted
// twice.
func TestName(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":        "report.pdf",
		"   ":               `"   "`,
		" lead.txt":         " lead.txt",
		"":                  "",
		"a\x1bb":            `"a\x1bb"`,
		"\u00a0":            `"\u00a0"`,
		"👩\u200d💻 notes.md": "👩\u200d💻 notes.md",
	} {
		assert.Equal(t, want, Name(in), "%q", in)
	}
}

func TestPosixWord(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":        "report.pdf",
		"/data/uploads.db":  "/data/uploads.db",
		"a b.txt":           "'a b.txt'",
		"it's":              `'it'\''s'`,
		"$HOME":             "'$HOME'",
		"":                  "''",
		"été.txt":           "'été.txt'",
		"x\x1b]0;title\a":   `x\x1b]0;title\a`,
		"two\nlines":        `two\nlines`,
		"invoice\u202e.exe": `invoice\u202e.exe`,
	} {
		assert.Equal(t, want, POSIXWord(in), "%q", in)
	}
}

// TestWindowsWord: a word cmd and PowerShell both take as the path; one
// only PowerShell can take (a $ or a ` in it, or a quote of its own) in
// PowerShell's single quotes.
func TestWindowsWord(t *testing.T) {
	for in, want := range map[string]string{
		`C:\Users\ann\Docs`:               `C:\Users\ann\Docs`,
		`\\?\C:\t\dot.`:                   `"\\?\C:\t\dot."`,
		`C:\My Docs\a&b (1).txt`:          `"C:\My Docs\a&b (1).txt"`,
		`C:\it's 100%`:                    `"C:\it's 100%"`,
		`C:\été`:                          `"C:\été"`,
		"":                                `""`,
		`C:\$Recycle.Bin`:                 `'C:\$Recycle.Bin'`,
		"C:\\a`b":                         "'C:\\a`b'",
		"C:\\Bob’s \u201cbest\u201d it's": "'C:\\Bob’’s \u201cbest\u201d it''s'",
		"x\x1b]0;title\a":                 `x\x1b]0;title\a`,
	} {
		assert.Equal(t, want, windowsWord(in), "%q", in)
	}
}

// TestShellWordIsTheSystemsShells: ShellWord quotes as the shell of the
// system it runs on takes it.
func TestShellWordIsTheSystemsShells(t *testing.T) {
	want := POSIXWord
	if runtime.GOOS == "windows" {
		want = windowsWord
	}
	for _, in := range []string{"a b.txt", "it's", "$HOME"} {
		assert.Equal(t, want(in), ShellWord(in), "%q", in)
	}
}

// TestAJoinerThatJoinsNothingShownIsEscaped: since a3883b8 the zero-width
// joiner and non-joiner were kept everywhere, for 👩‍💻 and Persian; but a
// name of joiners only ("\u200d") then showed blank, " \u200d " as two
// spaces, and "report\u200d.pdf" exactly as "report.pdf", another file's
// name: text that draws what it does not say. A joiner is now kept only
// between two characters it can join (printable, not a space, a joiner or
// ASCII: emoji, the letters of Persian or of Indic scripts), else escaped.
func TestAJoinerThatJoinsNothingShownIsEscaped(t *testing.T) {
	tests := []struct{ name, in, text, line string }{
		{"a joiner alone", "\u200d", `"\u200d"`, `\u200d`},
		{"joiners only", "\u200c\u200d", `"\u200c\u200d"`, `\u200c\u200d`},
		{"a joiner between spaces", " \u200d ", `" \u200d "`, ` \u200d `},
		{"between ASCII, as another name", "report\u200d.pdf", `"report\u200d.pdf"`, `report\u200d.pdf`},
		{"at the start", "\u200d👩.md", `"\u200d👩.md"`, `\u200d👩.md`},
		{"at the end", "👩\u200d", `"👩\u200d"`, `👩\u200d`},
		{"two in a row", "👩\u200d\u200d💻", `"👩\u200d\u200d💻"`, `👩\u200d\u200d💻`},
		{"emoji kept", "👩\u200d💻 notes.md", "👩\u200d💻 notes.md", "👩\u200d💻 notes.md"},
		{"after a variation selector, kept", "🏳\ufe0f\u200d🌈.png", "🏳\ufe0f\u200d🌈.png", "🏳\ufe0f\u200d🌈.png"},
		{"Persian kept", "می\u200cخواهم.txt", "می\u200cخواهم.txt", "می\u200cخواهم.txt"},
		{"Devanagari kept", "क्\u200dष.txt", "क्\u200dष.txt", "क्\u200dष.txt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.text, Text(tt.in), "Text")
			assert.Equal(t, tt.line, Line(tt.in), "Line")
		})
	}
}

// TestBare: Bare is what a reader of Line reads past its escapes; a
// joiner that joins something shown is kept, as Line keeps it.
func TestBare(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":                "report.pdf",
		"t\u200bo\x01k\u00ade\xffn": "token",
		"a\u200db":                  "ab",
		"می\u200cخواهم":             "می\u200cخواهم",
		"\u202etxt.exe":             "txt.exe",
		"":                          "",
	} {
		assert.Equal(t, want, Bare(in), "%q", in)
	}
}

// TestInvisibleLettersAreEscaped: U+3164, U+FFA0, U+115F, U+1160 (Hangul
// fillers), U+17B4, U+17B5 (Khmer inherent vowels) and U+034F (combining
// grapheme joiner) are default-ignorable: a font draws nothing for them,
// yet unicode.IsPrint takes them, so a name of them printed blank and
// "a\u3164b.txt" drew as "a b.txt", another file's name. They are escaped
// where they stand, as formatting characters are; Korean written as
// syllables or as the jamo NFD gives (U+1100–U+11FF, never a filler)
// stays as it is.
func TestInvisibleLettersAreEscaped(t *testing.T) {
	checkTextLine(t, []textLineCase{
		{"Hangul filler alone", "\u3164", `"\u3164"`, `\u3164`},
		{"Hangul filler as a space", "a\u3164b.txt", `"a\u3164b.txt"`, `a\u3164b.txt`},
		{"halfwidth Hangul filler", "\uffa0", `"\uffa0"`, `\uffa0`},
		{"choseong and jungseong fillers", "\u115f\u1160", `"\u115f\u1160"`, `\u115f\u1160`},
		{"Khmer inherent vowels", "x\u17b4\u17b5", `"x\u17b4\u17b5"`, `x\u17b4\u17b5`},
		{"grapheme joiner between letters", "report\u034f.pdf", `"report\u034f.pdf"`, `report\u034f.pdf`},
		{"Korean syllables kept", "한글 문서.txt", "한글 문서.txt", "한글 문서.txt"},
		{"Korean in NFD jamo kept", "\u1112\u1161\u11ab\u1100\u1173\u11af.txt", "\u1112\u1161\u11ab\u1100\u1173\u11af.txt", "\u1112\u1161\u11ab\u1100\u1173\u11af.txt"},
		{"Hangul compatibility jamo kept", "ㅎㅏㄴ.txt", "ㅎㅏㄴ.txt", "ㅎㅏㄴ.txt"},
	})
}

// TestACombiningMarkWithNothingToDrawOnIsEscaped: a combining mark at the
// start of a name, after a space, a control or another escaped character
// has no letter to draw on (U+0301 alone draws on the separator before
// the name, or on nothing); it is escaped where it stands, as a joiner
// that joins nothing shown is. A mark after a letter, a digit or an emoji
// is how many real names are written, and stays.
func TestACombiningMarkWithNothingToDrawOnIsEscaped(t *testing.T) {
	checkTextLine(t, []textLineCase{
		{"a mark alone", "\u0301", `"\u0301"`, `\u0301`},
		{"marks alone", "\u0301\u0308", `"\u0301\u0308"`, `\u0301\u0308`},
		{"at the start", "\u0301report.pdf", `"\u0301report.pdf"`, `\u0301report.pdf`},
		{"after a space", "a \u0301b", `"a \u0301b"`, `a \u0301b`},
		{"after a control", "a\x01\u0301", `"a\x01\u0301"`, `a\x01\u0301`},
		{"after an invalid byte", "a\xff\u0301", `"a\xff\u0301"`, `a\xff\u0301`},
		{"after an escaped filler", "\u3164\u0301", `"\u3164\u0301"`, `\u3164\u0301`},
		{"after a grapheme joiner", "e\u034f\u0301", `"e\u034f\u0301"`, `e\u034f\u0301`},
		{"an enclosing mark alone", "\u20dd", `"\u20dd"`, `\u20dd`},
		{"a variation selector alone", " \ufe0f", `" \ufe0f"`, ` \ufe0f`},
		{"é as e and U+0301 kept", "e\u0301te\u0301.txt", "e\u0301te\u0301.txt", "e\u0301te\u0301.txt"},
		{"two marks on a letter kept", "e\u0301\u0323.txt", "e\u0301\u0323.txt", "e\u0301\u0323.txt"},
		{"Devanagari kept", "हिन्दी.txt", "हिन्दी.txt", "हिन्दी.txt"},
		{"Hebrew points kept", "שָׁלוֹם.txt", "שָׁלוֹם.txt", "שָׁלוֹם.txt"},
		{"Arabic harakat kept", "كِتَاب.txt", "كِتَاب.txt", "كِتَاب.txt"},
		{"Thai kept", "ที่นี่.txt", "ที่นี่.txt", "ที่นี่.txt"},
		{"emoji variation selector kept", "\u2764\ufe0f notes.md", "\u2764\ufe0f notes.md", "\u2764\ufe0f notes.md"},
		{"keycap kept", "1\ufe0f\u20e3.png", "1\ufe0f\u20e3.png", "1\ufe0f\u20e3.png"},
		{"after a joiner it joins kept", "क्\u200dष\u093f.txt", "क्\u200dष\u093f.txt", "क्\u200dष\u093f.txt"},
	})
}

// TestANameThatDrawsNothingShowsAsSomething: a name of only characters
// that draw nothing (spaces, U+2800 BRAILLE PATTERN BLANK) showed as
// nothing at the end of a command's line and in a window's row; it is
// quoted as a name of spaces is, each such character but the space
// escaped, so "\u2800" is not taken for " ". U+2800 among other
// characters is braille text, and stays.
func TestANameThatDrawsNothingShowsAsSomething(t *testing.T) {
	for in, want := range map[string]string{
		"\u2800":           `"\u2800"`,
		"\u2800\u2800":     `"\u2800\u2800"`,
		" \u2800 ":         `" \u2800 "`,
		"   ":              `"   "`,
		"⠓⠑⠇⠇⠕\u2800⠺.brf": "⠓⠑⠇⠇⠕\u2800⠺.brf",
		"\u2800a":          "\u2800a",
	} {
		assert.Equal(t, want, Name(in), "Name %q", in)
		assert.Equal(t, want, QuotedIfBlank(in), "QuotedIfBlank %q", in)
	}
}

// TestBareIsWhatLineShows: Bare drops exactly what Line escapes, the new
// cases too, so api's redaction reads a token split by them whole.
func TestBareIsWhatLineShows(t *testing.T) {
	for in, want := range map[string]string{
		"t\u3164o\uffa0k\u034fe\u115fn": "token",
		"\u0301tok\u1160en":             "token",
		"e\u0301":                       "e\u0301",
		" \u0301x":                      " x",
	} {
		assert.Equal(t, want, Bare(in), "%q", in)
	}
}

// textLineCase is a name, and how Text and Line show it.
type textLineCase struct{ name, in, text, line string }

// checkTextLine checks each case's Text and Line, and that Line leaves
// its own output as it is.
func checkTextLine(t *testing.T, tests []textLineCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.text, Text(tt.in), "Text")
			assert.Equal(t, tt.line, Line(tt.in), "Line")
			assert.Equal(t, tt.line, Line(Line(tt.in)), "Line twice")
		})
	}
}

// TestABackslashThatReadsAsAnEscapeIsTold: a name holding the six
// characters \u202e (a backslash, u, 2, 0, 2, e) was shown as it is by
// Line, just as a name holding U+202E is shown escaped: the two read
// alike, one as the other. Literal escapes a backslash that starts what
// reads as an escape (\x5c), so its text says which it was; a backslash
// that starts nothing an escape looks like stays as it is. Text shows the
// six characters as they are, and U+202E quoted ("\u202e"): text that is
// itself between double quotes is quoted too, so it is never taken for
// that. Text and Line, which show paths, keep a Windows path's
// backslashes as they are (C:\temp\new.txt).
func TestABackslashThatReadsAsAnEscapeIsTold(t *testing.T) {
	tests := []struct{ name, in, text, literal string }{
		{"the text of an override's escape", `\u202etxt.exe`, `\u202etxt.exe`, `\x5cu202etxt.exe`},
		{"the text of a control's escape", `a\x1bb`, `a\x1bb`, `a\x5cx1bb`},
		{"the text of a long escape", `a\U000e0001`, `a\U000e0001`, `a\x5cU000e0001`},
		{"upper-case hex digits", `a\u202Eb`, `a\u202Eb`, `a\x5cu202Eb`},
		{"the text of a line break's escape", `two\nlines`, `two\nlines`, `two\x5cnlines`},
		{"a real override", "\u202etxt.exe", `"\u202etxt.exe"`, `\u202etxt.exe`},
		{"a quoted override's escape", `"\u202e"`, `"\"\\u202e\""`, `"\x5cu202e"`},
		{"between quotes", `"a"`, `"\"a\""`, `"a"`},
		{"a quote alone", `"`, `"`, `"`},
		{"a backslash before a real override", "a\\\u202e", `"a\\\u202e"`, `a\\u202e`},
		{"a backslash that starts nothing", `a\zb.txt`, `a\zb.txt`, `a\zb.txt`},
		{"two that start nothing", `\\server\share`, `\\server\share`, `\\server\share`},
		{"too few hex digits", `a\u20b`, `a\u20b`, `a\u20b`},
		{"at the end", `name\`, `name\`, `name\`},
		{"a Windows path", `C:\Users\Docs`, `C:\Users\Docs`, `C:\Users\Docs`},
		{"a Windows path of escapes' letters", `C:\temp\new.txt`, `C:\temp\new.txt`, `C:\x5ctemp\x5cnew.txt`},
		{"a Windows folder named as a hex escape", `C:\uface\docs`, `C:\uface\docs`, `C:\x5cuface\docs`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.text, Text(tt.in), "Text")
			assert.Equal(t, tt.text, Name(tt.in), "Name")
			assert.Equal(t, tt.literal, Literal(tt.in), "Literal")
			assert.Equal(t, tt.literal, LiteralName(tt.in), "LiteralName")
		})
	}
	assert.NotEqual(t, Text("\u202e"), Text(`\u202e`))
	assert.NotEqual(t, Text("\"\u202e\""), Text(`"\u202e"`))
	assert.NotEqual(t, Literal("\u202e"), Literal(`\u202e`))
	assert.Equal(t, `"\u2800"`, LiteralName("\u2800"), "a name that draws nothing is quoted")
	for _, path := range []string{`C:\temp\new.txt`, `C:\uface\docs`, `\\server\share\x1b`} {
		assert.Equal(t, path, Text(path), "Text keeps a path's backslashes")
		assert.Equal(t, path, Line(path), "Line keeps a path's backslashes")
	}
}

// TestLiteralReadsBackAsWhatItEscaped: Literal is unambiguous: read
// back (readLiteral: \x5c a backslash, each other escape its character or
// byte, a backslash that starts none as it is), it is the text escaped,
// for random text of backslashes, escapes' letters and digits and
// characters Literal escapes.
func TestLiteralReadsBackAsWhatItEscaped(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	alphabet := []string{`\`, `\`, "x", "u", "U", "0", "2", "e", "1", "b", "ff", "n", "t", "a",
		"\u202e", "\x1b", "\xff", "\u3164", "é", " ", "\u200d", "\x00", "\n", "\t", "\a"}
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		in := b.String()
		out := Literal(in)
		require.Equal(t, in, readLiteral(t, out), "Literal(%q) = %q", in, out)
		require.Equal(t, in, readLiteral(t, Literal(in)), "%q", in)
	}
}

// readLiteral reads back what Literal escaped in s.
func readLiteral(t *testing.T, s string) string {
	t.Helper()
	var b []byte
	for i := 0; i < len(s); {
		if s[i] != '\\' || !escapeShaped(s[i+1:]) {
			b = append(b, s[i])
			i++
			continue
		}
		n := escapeDigits[s[i+1]]
		if n == 0 {
			b = append(b, map[byte]byte{'a': '\a', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'v': '\v'}[s[i+1]])
			i += 2
			continue
		}
		v, err := strconv.ParseUint(s[i+2:i+2+n], 16, 32)
		require.NoError(t, err)
		if n == 2 {
			b = append(b, byte(v)) // a byte: an ASCII control, a backslash or an invalid byte
		} else {
			b = utf8.AppendRune(b, rune(v))
		}
		i += 2 + n
	}
	return string(b)
}

// TestLiteralCutKeepsWholeEscapes: at every bound, LiteralCut keeps whole
// escapes and characters of Literal's text, as many as fit, and says
// whether all did; a joiner left last by the cut is left out.
func TestLiteralCutKeepsWholeEscapes(t *testing.T) {
	in := "a\u202e\\u0041é\U000e0001\xff"
	units := []string{"a", `\u202e`, `\x5c`, "u", "0", "0", "4", "1", "é", `\U000e0001`, `\xff`}
	full := strings.Join(units, "")
	require.Equal(t, full, Literal(in))
	for n := 0; n <= len(full)+1; n++ {
		got, whole := LiteralCut(in, n)
		want := ""
		for _, u := range units {
			if len(want)+len(u) > n {
				break
			}
			want += u
		}
		assert.Equal(t, want, got, "n %d", n)
		assert.Equal(t, n >= len(full), whole, "n %d", n)
	}
	got, whole := LiteralCut("👩\u200d💻", len("👩\u200d")+1)
	assert.Equal(t, "👩", got, "the joiner of what is cut off is left out")
	assert.False(t, whole)
}

// TestHides: Hides is true for what Line escapes where it stands, and for
// U+2800, which draws as nothing; the characters of real names are not.
func TestHides(t *testing.T) {
	for in, want := range map[string]bool{
		"https://ipfs.io":              false,
		"https://bücher.example":       false,
		"https://bu\u0308cher.example": false,
		"می\u200cخواهم":                false,
		"👩\u200d💻":                     false,
		"a b":                          false,
		`a\u202eb`:                     false,
		"a\u3164b":                     true,
		"a\u2800b":                     true,
		"a\u200bb":                     true,
		"a\u200db":                     true,
		"\u0301a":                      true,
		"a\xffb":                       true,
		"a\tb":                         true,
	} {
		assert.Equal(t, want, Hides(in), "%q", in)
	}
}

// TestCutsEscape: a cut of escaped text falls inside an escape exactly
// between its backslash and its last character, for each escape kind.
func TestCutsEscape(t *testing.T) {
	for _, esc := range []string{`\u202e`, `\x1b`, `\xff`, `\U000e0001`, `\n`, `\x5c`, `\\`, `\"`} {
		s := "ab" + esc + "cd"
		for i := 0; i <= len(s); i++ {
			assert.Equal(t, i > 2 && i < 2+len(esc), CutsEscape(s, i), "%q at %d", s, i)
		}
	}
	assert.False(t, CutsEscape(`a\zb`, 2), "a backslash that starts no escape")
	assert.False(t, CutsEscape(`a\u20b`, 3), "too few hex digits")
}

// TestAVariationSelectorAfterASCIIIsEscaped: a variation selector picks a
// drawn form of the character before it; no ASCII letter, digit or sign
// has one it picks but the keycap's (1, U+FE0F, U+20E3), so after one it
// draws nothing: "report\ufe0f.pdf" showed as "report.pdf", another
// file's name, and Settings took "https://dstor\ufe0f.example/", drawn as
// https://dstor.example/. It is escaped where it stands, as a mark with
// nothing to draw on is; after an emoji, an ideograph or a Mongolian
// letter it is how the name is written, and stays.
func TestAVariationSelectorAfterASCIIIsEscaped(t *testing.T) {
	checkTextLine(t, []textLineCase{
		{"an emoji selector after a letter", "report\ufe0f.pdf", `"report\ufe0f.pdf"`, `report\ufe0f.pdf`},
		{"a text selector after a letter", "report\ufe0e.pdf", `"report\ufe0e.pdf"`, `report\ufe0e.pdf`},
		{"an ideographic selector after a letter", "a\U000e0100.txt", `"a\U000e0100.txt"`, `a\U000e0100.txt`},
		{"a Mongolian selector after a slash", "a/\u180b", `"a/\u180b"`, `a/\u180b`},
		{"after a digit with no keycap", "v1\ufe0f.txt", `"v1\ufe0f.txt"`, `v1\ufe0f.txt`},
		{"a keycap kept", "1\ufe0f\u20e3.png", "1\ufe0f\u20e3.png", "1\ufe0f\u20e3.png"},
		{"a hash keycap kept", "#\ufe0f\u20e3.png", "#\ufe0f\u20e3.png", "#\ufe0f\u20e3.png"},
		{"after an emoji kept", "\u2764\ufe0f.md", "\u2764\ufe0f.md", "\u2764\ufe0f.md"},
		{"after an ideograph kept", "\u845b\U000e0100.txt", "\u845b\U000e0100.txt", "\u845b\U000e0100.txt"},
	})
	assert.True(t, Hides("https://dstor\ufe0f.example/"))
	assert.False(t, Hides("https://gw.example/\u2764\ufe0f"))
}

// TestWhatIsShownHidesNothingWhereItStands: what Text, Name, Line and
// Literal give is itself as it is (asItIs): no character in it draws
// nothing where it now stands. A joiner after an escape joins nothing
// shown ("\u0301" + U+200D + "é" drew as `\u0301é`, the name without the
// joiner), nor does a variation selector after a joiner Text escaped in
// its quotes (`"\u202e👩\u200d"` + U+FE0F drew as the name without it).
// Shown again through Line (a toast's sentence that holds a name), it
// is unchanged: Line applied twice is Line once. Random text of the
// characters these rules turn on, seed logged, and the cases found.
func TestWhatIsShownHidesNothingWhereItStands(t *testing.T) {
	for _, tt := range []struct{ in, line, text string }{
		{"\u0301\u200dé", `\u0301\u200dé`, `"\u0301\u200dé"`},
		{"a\ufe0f\u200dé", `a\ufe0f\u200dé`, `"a\ufe0f\u200dé"`},
		{"\u202e👩\u200d\ufe0f", `\u202e👩` + "\u200d\ufe0f", `"\u202e👩\u200d\ufe0f"`},
		{"\u202e👩\u200d\u0301", `\u202e👩` + "\u200d\u0301", `"\u202e👩\u200d\u0301"`},
		{"👩\u200d💻 notes.md", "👩\u200d💻 notes.md", "👩\u200d💻 notes.md"},
	} {
		assert.Equal(t, tt.line, Line(tt.in), "Line(%q)", tt.in)
		assert.Equal(t, tt.text, Text(tt.in), "Text(%q)", tt.in)
	}
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	alphabet := []string{`\`, "u", "2", "e", "1", `"`, " ", "\u202e", "\x1b", "\xff", "\u3164",
		"é", "👩", "\U0001F1FA", "\u200d", "\u200c", "\u0301", "\ufe0f", "\u20e3", "\u2028",
		"\ufeff", "\U000E0041", "\u200b", "\u2066"}
	shown := map[string]func(string) string{"Text": Text, "Name": Name, "Line": Line, "Literal": Literal}
	for range 50000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		in := b.String()
		for how, show := range shown {
			out := show(in)
			require.True(t, asItIs(out, inLine), "%s(%q) = %q hides a character where it stands", how, in, out)
			require.Equal(t, out, Line(out), "Line of %s(%q)", how, in)
		}
	}
}

// TestAVariationSelectorThatSelectsNoFormIsEscaped: a variation selector
// after a letter, a digit or a mark of a script that has no forms for it
// to pick (Latin, Cyrillic, Arabic: "café" and U+FE0F has no emoji form)
// draws nothing, as after an ASCII letter: Fyne measured "café\ufe0f.pdf"
// and "café.pdf" alike (53.06 points at 14), two files the window showed
// as one name; so "Жук" and U+FE00, and a second U+FE0F after ❤️. After a
// symbol or punctuation with an emoji or text form (❤, ‼, 〰, ≩, ℹ), an
// ideograph, a Mongolian, Myanmar or Phags-pa letter, it is kept.
func TestAVariationSelectorThatSelectsNoFormIsEscaped(t *testing.T) {
	checkTextLine(t, []textLineCase{
		{"an emoji selector after é", "café\ufe0f.pdf", `"café\ufe0f.pdf"`, `café\ufe0f.pdf`},
		{"a text selector after é", "café\ufe0e.pdf", `"café\ufe0e.pdf"`, `café\ufe0e.pdf`},
		{"after an accent typed after its letter", "cafe\u0301\ufe0f.pdf", "\"cafe\u0301" + `\ufe0f.pdf"`, "cafe\u0301" + `\ufe0f.pdf`},
		{"after a Cyrillic letter", "Жук\ufe00.txt", `"Жук\ufe00.txt"`, `Жук\ufe00.txt`},
		{"after an Arabic letter", "ب\ufe0f.txt", `"ب\ufe0f.txt"`, `ب\ufe0f.txt`},
		{"an ideographic selector after é", "é\U000e0100.txt", `"é\U000e0100.txt"`, `é\U000e0100.txt`},
		{"a second selector after an emoji's", "\u2764\ufe0f\ufe0f.md", "\"\u2764\ufe0f\\ufe0f.md\"", "\u2764\ufe0f" + `\ufe0f.md`},
		{"after a heart kept", "\u2764\ufe0e.md", "\u2764\ufe0e.md", "\u2764\ufe0e.md"},
		{"after a double exclamation kept", "\u203c\ufe0f.md", "\u203c\ufe0f.md", "\u203c\ufe0f.md"},
		{"after a wavy dash kept", "\u3030\ufe0f.md", "\u3030\ufe0f.md", "\u3030\ufe0f.md"},
		{"after information source kept", "\u2139\ufe0f.md", "\u2139\ufe0f.md", "\u2139\ufe0f.md"},
		{"after a math symbol kept", "\u2269\ufe00.md", "\u2269\ufe00.md", "\u2269\ufe00.md"},
		{"after a Mongolian letter kept", "\u1820\u180b.txt", "\u1820\u180b.txt", "\u1820\u180b.txt"},
		{"after a Myanmar letter kept", "\u1000\ufe00.txt", "\u1000\ufe00.txt", "\u1000\ufe00.txt"},
		{"after a flag's emoji kept", "\U0001f3f3\ufe0f\u200d\U0001f308.png", "\U0001f3f3\ufe0f\u200d\U0001f308.png", "\U0001f3f3\ufe0f\u200d\U0001f308.png"},
	})
	assert.True(t, Hides("https://bücher\ufe0f.example/"))
}
