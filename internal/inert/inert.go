// Package inert makes text from outside the program (file names, a
// server's answers) safe to print, export or show: no control or
// formatting character reaches a terminal, a CSV cell or a JSON export as
// it is. It is the one place the program decides what is printable.
package inert

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Text is text for a terminal line, a CSV cell or a window's label: as it
// is when every character is printable (unprintable), else quoted with
// each control, formatting (such as a bidirectional override) or invalid
// byte escaped (\x1b, \u202e, \xff), so a file name can neither move the
// cursor, retitle the terminal, reorder nor fake a line. A name written
// with zero-width joiners ("👩‍💻", "می‌خواهم") is as it is; one whose
// joiner joins nothing shown is not (strayJoiner); nor is a letter that
// draws nothing (invisible) or a combining mark with nothing to draw on
// ("\u0301report.pdf"). Quoted, it is as strconv.Quote quotes it, but for
// those, also escaped. Quoted, its backslashes are doubled, so the six
// characters \u202e as they are (unquoted) never read as the quoted
// escape of U+202E; and text that is itself between double quotes
// ("\"\\u202e\"") is quoted too, never taken for a quoted one.
func Text(s string) string {
	if asItIs(s, inLine) && !betweenQuotes(s) {
		return s
	}
	b := []byte{'"'}
	eachChar(s, inQuotes, func(c string, r rune, esc bool) {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case esc:
			b = appendEscape(b, c, r)
		default:
			b = append(b, c...)
		}
	})
	return string(append(b, '"'))
}

// betweenQuotes reports text that begins and ends with a double quote,
// as Text's quoted text does.
func betweenQuotes(s string) bool {
	return len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"'
}

// asItIs reports whether s is valid UTF-8 with no character to escape
// where it stands (eachChar, in the way m says).
func asItIs(s string, m mode) bool {
	asIs := true
	eachChar(s, m, func(_ string, _ rune, esc bool) { asIs = asIs && !esc })
	return asIs
}

// mode is how eachChar takes text: as Line shows it (inLine), as Literal
// does (inLiteral), or between Text's quotes (inQuotes).
type mode int

const (
	// inLine: a backslash is as it is (a path's, on Windows).
	inLine mode = iota
	// inLiteral: a backslash that reads as the start of an escape
	// (escapeShaped) is escaped too.
	inLiteral
	// inQuotes: every joiner is escaped too, as strconv.Quote escapes
	// it, so what follows it stands after an escape.
	inQuotes
)

// eachChar calls f with each character c of s in turn (an invalid byte as
// one, r utf8.RuneError), and whether it is escaped where it stands: an
// invalid byte, an unprintable character, a joiner that joins nothing
// shown (strayJoiner, or one after an escaped character, which would
// draw nothing between the escape and what follows), or a combining mark
// (Mn, Me) with nothing to draw on: at the start, after a space or after
// an escaped character. Kept there, such a mark draws on the separator
// before the name, on an escape's last digit, or on nothing, and a name
// of marks shows blank; after a letter, a digit, an emoji or another mark
// drawn on one (é as e and U+0301, Devanagari, Hebrew points, U+FE0F) it
// is how the name is written; but a variation selector with no form to
// pick in the character before it (straySelector: after an ASCII
// character but a keycap's, or a Latin letter). In m inLiteral, a backslash that reads as
// the start of an escape (escapeShaped) is escaped too; inQuotes, every
// joiner. It is the one decision Text, Line, Literal, Bare and Hides
// share, made in one pass.
func eachChar(s string, m mode, f func(c string, r rune, esc bool)) {
	base := false // the character before is shown as it is and can take a combining mark
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		esc := r == utf8.RuneError && size == 1 || unprintable(r) ||
			isJoiner(r) && (m == inQuotes || !base || strayJoiner(s, i, r)) ||
			!base && unicode.In(r, unicode.Mn, unicode.Me) ||
			straySelector(s, i, r) ||
			m == inLiteral && r == '\\' && escapeShaped(s[i+1:])
		f(s[i:i+size], r, esc)
		base = !esc && !unicode.IsSpace(r)
		i += size
	}
}

// appendEscape appends the escape of the character c, r: \xff for an
// invalid byte, \a, \x1b, \u202e, \U000e0001 for a character, and \x5c
// for a backslash (escapeShaped), so that no escape starts with one.
func appendEscape(b []byte, c string, r rune) []byte {
	if r == utf8.RuneError && len(c) == 1 || r == '\\' {
		return fmt.Appendf(b, `\x%02x`, c[0])
	}
	q := strconv.QuoteRuneToASCII(r)
	return append(b, q[1:len(q)-1]...)
}

// Line is text for one line of a window's label, toast or notification
// that mixes a sentence with outside text (an error naming a file): the
// sentence stays readable, and each control, formatting or invalid byte is
// escaped where it stands (\x1b, \u202e, \n, \xff), so no name can break
// the line, reorder it or draw what it does not say: no bidirectional
// control (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C) draws
// "invoice\u202efdp.exe" as "invoiceexe.pdf". It is also a name as the text
// of a link others will read (a Markdown or HTML link, an index page).
//
// Line is made for sentences that may already hold escaped text (a name
// Line escaped, in an error shown again), and leaves a backslash as it
// is: a name escaped once, to be read as it was sent, is Literal.
func Line(s string) string {
	return escaped(s, inLine)
}

// Literal is Line for a name escaped once, where a reader must tell an
// escape from the same characters sent as they are (a name a server
// answered, ServerName): a backslash that reads as the start of an escape
// (escapeShaped: the six characters \u202e) is escaped itself, as \x5c, so
// "\u202e" in it always stands for U+202E, and "\x5cu202e" for the six
// characters. Line's own output is not given to it: its escapes would be
// escaped again.
func Literal(s string) string {
	return escaped(s, inLiteral)
}

// LiteralCut is Literal(s) when it is at most n bytes (true); else as
// many of its first characters and escapes as fit in n bytes (false),
// never a part of one: "\u20" cut from "\u202e" would read as text, and
// a part of a character as no character at all. A joiner the cut leaves
// last is left out too: it joined what is cut off.
func LiteralCut(s string, n int) (string, bool) {
	var b []byte
	whole := true
	last := 0 // the length of b before its last character or escape
	eachChar(s, inLiteral, func(c string, r rune, esc bool) {
		if !whole {
			return
		}
		next := b
		if esc {
			next = appendEscape(next, c, r)
		} else {
			next = append(next, c...)
		}
		if len(next) > n {
			whole = false
			return
		}
		last, b = len(b), next
	})
	if !whole && last < len(b) {
		if r, _ := utf8.DecodeRune(b[last:]); isJoiner(r) {
			b = b[:last]
		}
	}
	return string(b), whole
}

// CutsEscape reports whether a cut of s, text Text, Line or Literal
// wrote, at byte i falls inside one of their escapes (\x1b, \u202e,
// \U000e0001, \n; in Text's quotes \\ and \" too): half of one ("\u20")
// would read as text. Whoever shortens such text cuts elsewhere.
func CutsEscape(s string, i int) bool {
	for j := max(0, i-maxEscapeLen+1); j < i && j < len(s); j++ {
		if s[j] == '\\' && j+escapeLen(s[j:]) > i {
			return true
		}
	}
	return false
}

// maxEscapeLen is the length of the longest escape, \U000e0001.
const maxEscapeLen = 10

// escapeLen is the length of the escape s begins with (CutsEscape), 0
// when it begins with none.
func escapeLen(s string) int {
	switch {
	case s == "" || s[0] != '\\':
		return 0
	case escapeShaped(s[1:]):
		return 2 + escapeDigits[s[1]]
	case len(s) > 1 && (s[1] == '\\' || s[1] == '"'):
		return 2
	}
	return 0
}

// escapeDigits is how many hex digits follow the letter of an escape
// (appendEscape): \xff, \u202e, \U000e0001.
var escapeDigits = map[byte]int{'x': 2, 'u': 4, 'U': 8}

// escapeShaped reports whether rest, the text after a backslash, begins
// as what follows the backslash of an escape Line and Literal write
// (appendEscape): x and 2 hex digits, u and 4, U and 8, or one of a, b,
// f, n, r, t, v. Only Literal, made for names, takes it: Line and Text
// show paths, and on Windows each \ of a path separates its names
// (C:\temp\new.txt), to be read as it is.
func escapeShaped(rest string) bool {
	if rest == "" {
		return false
	}
	digits := escapeDigits[rest[0]]
	if digits == 0 {
		return strings.IndexByte("abfnrtv", rest[0]) >= 0
	}
	if len(rest) <= digits {
		return false
	}
	for _, c := range []byte(rest[1 : 1+digits]) {
		if !strings.ContainsRune("0123456789abcdefABCDEF", rune(c)) {
			return false
		}
	}
	return true
}

// ShellWord is s as one word of a command to paste into the system's
// shell: a POSIX shell's (POSIXWord), or on Windows cmd's and PowerShell's
// (windowsWord). A name with a character Line escapes is given as Line
// gives it, which no shell takes as the name, but no terminal acts on.
func ShellWord(s string) string {
	if runtime.GOOS == "windows" {
		return windowsWord(s)
	}
	return POSIXWord(s)
}

// POSIXWord is s as one word for a POSIX shell, on any system, for a
// command only such a shell runs (sudo chown): as it is when it has no
// character the shell treats specially, in single quotes otherwise.
func POSIXWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@%,") == "" {
		return s
	}
	if l := Line(s); l != s {
		return l
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// powerShellExpands are the characters PowerShell acts on between double
// quotes: a variable's $, the escape `, and the quotes it takes for ".
const powerShellExpands = "$`\u201c\u201d\u201e"

// windowsWord is s as one word for cmd and PowerShell: as it is when it
// has no character either treats specially; else in double quotes, which
// both take (no Windows name holds a "); but a name with a character
// PowerShell expands there (powerShellExpands) is in PowerShell's single
// quotes, each quote of its own doubled, as Windows' own terminal runs
// PowerShell (cmd has no quotes that take such a name and these too).
func windowsWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\\/._-:") == "" {
		return s
	}
	if l := Line(s); l != s {
		return l
	}
	if !strings.ContainsAny(s, powerShellExpands) {
		return `"` + s + `"`
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		if strings.ContainsRune("'\u2018\u2019\u201a\u201b", r) {
			b.WriteRune(r) // PowerShell takes each of these for '; doubled, it is kept
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// Bare is s without what Literal escapes (each control, formatting or
// invalid byte, a joiner that joins nothing shown, a backslash that reads
// as an escape): the text a reader of Literal(s) reads past its escapes. A
// secret a server split with such characters ("t\u200bo\u200bk") is whole
// in it, where api redacts it.
func Bare(s string) string {
	var b strings.Builder
	eachChar(s, inLiteral, func(c string, _ rune, esc bool) {
		if !esc {
			b.WriteString(c)
		}
	})
	return b.String()
}

// Name is a file or folder name standing on its own (a window's row, the
// end of a command's "<hash>  <link>  <name>" line): Text, and quoted when
// it draws nothing (QuotedIfBlank), which would show as nothing there, " "
// and "   " alike. It is the one way the window and the command line show
// a name.
func Name(s string) string {
	if q := QuotedIfBlank(s); q != s {
		return q // quoted and escaped already: Text would quote it again
	}
	return Text(s)
}

// LiteralName is a name as the text of a link others read (a Markdown or
// HTML link, an index page's title): Literal, and quoted when it draws
// nothing (QuotedIfBlank), which a reader would show blank.
func LiteralName(s string) string {
	if q := QuotedIfBlank(s); q != s {
		return q
	}
	return Literal(s)
}

// QuotedIfBlank is s quoted when every character of it draws nothing
// (drawsNothing), else s: a browser, a Markdown reader or a window's label
// shows a run of spaces as one, or none, so such a name would show nothing
// to see or click, and "   " could not be told from " ". Quoted, it shows
// as many spaces as it has ("   "), and each other such character
// escaped ("\u2800"), not taken for a space.
func QuotedIfBlank(s string) string {
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return !drawsNothing(r) }) >= 0 {
		return s
	}
	b := []byte{'"'}
	for _, r := range s {
		if r == ' ' {
			b = append(b, ' ')
		} else {
			b = appendEscape(b, string(r), r)
		}
	}
	return string(append(b, '"'))
}

// drawsNothing reports a character that Text and Line keep as it is but
// that draws nothing: the space, and U+2800 BRAILLE PATTERN BLANK, the
// blank cell of braille text, where it is kept (a letter that draws
// nothing is escaped where it stands: invisible).
func drawsNothing(r rune) bool { return r == ' ' || r == '\u2800' }

// Hides reports whether s holds a character that does not draw what it
// is where it stands: one Line escapes there (a control, a formatting
// character, an invalid byte, a letter that draws nothing, a joiner that
// joins nothing shown, a combining mark with nothing to draw on), or one
// that draws nothing but the space (U+2800). Text that must read as
// exactly what it is, an address every shared link carries, holds none:
// "https://dstor\u3164.example" draws as another address.
func Hides(s string) bool {
	if !asItIs(s, inLine) {
		return true
	}
	return strings.IndexFunc(s, func(r rune) bool { return r != ' ' && drawsNothing(r) }) >= 0
}

// escaped is s with each invalid byte and each character eachChar
// reports escaped where it stands (\x1b, \u202e, \n, \xff), in the way m
// says.
func escaped(s string, m mode) string {
	if asItIs(s, m) {
		return s
	}
	var b []byte
	eachChar(s, m, func(c string, r rune, esc bool) {
		if esc {
			b = appendEscape(b, c, r)
		} else {
			b = append(b, c...)
		}
	})
	return string(b)
}

// unprintable reports a character that must never reach a terminal or a
// label as it is: C0 and C1 controls, DEL, invisible formatting
// characters and the letters that draw nothing (invisible) — but the
// zero-width joiner and non-joiner, which join emoji and the letters of
// scripts such as Persian, and can neither move the cursor nor reorder
// text (eachChar escapes those that join nothing shown, which would hide
// that they are there).
func unprintable(r rune) bool {
	return r != ' ' && !isJoiner(r) && (!unicode.IsPrint(r) || invisible(r))
}

// invisible reports a character unicode.IsPrint takes that a font draws
// as nothing, by Unicode's own word (Other_Default_Ignorable_Code_Point):
// the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, the Khmer
// inherent vowels U+17B4 and U+17B5 (which Unicode says not to use) and
// the combining grapheme joiner U+034F. Kept, a name of them prints
// blank, and "a\u3164b.txt" draws as "a b.txt", another file's name.
// Korean needs none of them: a syllable, in NFC or in the jamo NFD gives
// (U+1100–U+1112, U+1161–U+1175, U+11A8–U+11C2), is no filler. The
// variation selectors, default-ignorable too, follow the character they
// select a form of, and are combining marks (eachChar).
func invisible(r rune) bool {
	return r >= 0x80 && unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r)
}

// straySelector reports whether r at s[i:] is a variation selector with
// no form to pick in the character before it: it picks a drawn form of
// that character, and where it has none, it draws nothing, and
// "report\ufe0f.pdf" or "café\ufe0f.pdf" would show as "report.pdf" or
// "café.pdf", another file's name. No ASCII character has a form one
// picks but the keycap's (1, U+FE0F, U+20E3: 1️⃣), nor any letter,
// digit or mark (a second selector, an accent) but of the scripts that
// have such forms (selectsForms) and ℹ, an emoji. After a symbol or
// punctuation (the emoji ❤ and ‼, the math ≩) it is how the text is
// written.
func straySelector(s string, i int, r rune) bool {
	if i == 0 || !unicode.Is(unicode.Variation_Selector, r) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	if before < utf8.RuneSelf {
		keycap := r == '\ufe0f' && strings.ContainsRune("0123456789#*", before) &&
			strings.HasPrefix(s[i+utf8.RuneLen(r):], "\u20e3")
		return !keycap
	}
	return unicode.In(before, unicode.L, unicode.N, unicode.M) &&
		before != '\u2139' && !unicode.In(before, selectsForms...)
}

// selectsForms are the scripts whose letters have forms a variation
// selector picks (Unicode's standardized and ideographic variation
// sequences): the ideographs, Mongolian (its own selectors,
// U+180B–U+180F), Myanmar, Phags-pa, Manichaean and the Egyptian
// hieroglyphs.
var selectsForms = []*unicode.RangeTable{unicode.Han, unicode.Mongolian, unicode.Myanmar,
	unicode.Phags_Pa, unicode.Manichaean, unicode.Egyptian_Hieroglyphs}

// isJoiner reports the zero-width joiner and non-joiner.
func isJoiner(r rune) bool { return r == '\u200d' || r == '\u200c' }

// strayJoiner reports whether the joiner r at s[i:] has no character it
// can join on either side: a printable one that is not a space, a joiner
// or ASCII (emoji, the letters of Persian or of Indic scripts, and the
// marks and variation selectors between them). Kept there, it would draw
// nothing: a name of joiners would show blank, and "report\u200d.pdf" as
// "report.pdf", another file's name.
func strayJoiner(s string, i int, r rune) bool {
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
	return !joinable(before) || !joinable(after)
}

// joinable reports whether a joiner next to c can join it (strayJoiner).
func joinable(c rune) bool {
	return c >= utf8.RuneSelf && c != utf8.RuneError && !isJoiner(c) && !unicode.IsSpace(c) && !unprintable(c)
}

// JSON escapes, inside encoded JSON, what encoding/json leaves as it
// is but a terminal may act on (DEL, C1 controls, formatting characters),
// as \uXXXX; the JSON means the same.
func JSON(b []byte) []byte {
	if strings.IndexFunc(string(b), unprintableInJSON) < 0 {
		return b
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if !unprintableInJSON(r) {
			out = append(out, b[i:i+size]...)
		} else if r1, r2 := utf16.EncodeRune(r); r1 != utf8.RuneError {
			out = appendJSONEscape(appendJSONEscape(out, r1), r2)
		} else {
			out = appendJSONEscape(out, r)
		}
		i += size
	}
	return out
}

// PathBytes is the value of the JSON field that goes beside a path's own
// field, named as it plus "_base64" ("path_base64" beside "path"): the
// path's bytes, which encoding/json writes in base64, when the path is not
// valid UTF-8; nil, and the field left out (omitempty), when it is, so a
// UTF-8 path is printed as it always was. A path on Linux is any bytes, and
// encoding/json writes each byte that is not UTF-8 as U+FFFD, which names
// no file: this field is how a script finds the file again. Every JSON
// output that names a local path (upload, resume, queue, verify, history
// and the window's export) gives its paths this way.
func PathBytes(path string) []byte {
	if utf8.ValidString(path) {
		return nil
	}
	return []byte(path)
}

// unprintableInJSON is unprintable but for the ASCII whitespace and
// controls encoding/json already escaped or uses as separators.
func unprintableInJSON(r rune) bool {
	return r >= 0x7f && unprintable(r)
}

func appendJSONEscape(b []byte, r rune) []byte {
	const hex = "0123456789abcdef"
	return append(b, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
}
