package inert

import (
	"encoding/json"
	"runtime"
	"testing"

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
