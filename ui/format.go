package ui

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/internal/numtext"
)

// checkMark marks what is verified or valid. It is U+2705 (a white check
// in a green circle), which Fyne's own emoji font has, so it looks the same
// on every system. U+2713 (✓) is in none of Fyne's fonts: it took a system
// font, and Wine has none with it (a missing-glyph box there).
const checkMark = "\u2705"

// formatETA renders a time left as people say it ("5 s left", "3 min left",
// "1 h 20 min left"), in the window's language; 0 (unknown) gives "".
func formatETA(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return tr("{{.S}} s left", map[string]any{"S": int(d.Seconds())})
	case d < time.Hour:
		m := int(d.Minutes())
		s := int(d.Seconds()) % 60
		if m < 10 && s != 0 {
			return tr("{{.M}} min {{.S}} s left", map[string]any{"M": m, "S": s})
		}
		return tr("{{.M}} min left", map[string]any{"M": int(math.Round(d.Minutes()))})
	default:
		h := int(d.Hours())
		m := int(d.Minutes()) % 60
		if m == 0 {
			return tr("{{.H}} h left", map[string]any{"H": h})
		}
		return tr("{{.H}} h {{.M}} min left", map[string]any{"H": h, "M": m})
	}
}

// formatDate renders a finished-at time for the history list: time only for
// today, the day and month this year, the full date otherwise, with the
// month's name and the order of the parts of the window's language.
func formatDate(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.Local()
	now = now.Local()
	parts := map[string]any{
		"Time":  t.Format("15:04"),
		"Day":   t.Day(),
		"Month": trKey(fmt.Sprintf("month.short.%d", int(t.Month())), t.Format("Jan")),
		"Year":  t.Year(),
	}
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return tr("Today {{.Time}}", parts)
	case t.Year() == now.Year():
		return trKey("date.this-year", "{{.Day}} {{.Month}} {{.Time}}", parts)
	default:
		return trKey("date.other-year", "{{.Day}} {{.Month}} {{.Year}}", parts)
	}
}

// formatSize writes a byte count as numtext.Size does, with the decimal
// separator and unit names of the window's language ("1,5 Mo").
func formatSize(n int64) string {
	number, unit := numtext.SizeParts(n)
	if unit == numtext.UnitBytes {
		count, _ := strconv.Atoi(number)
		return trn("{{.Count}} bytes", count)
	}
	number = strings.Replace(number, ".", localeMark("decimal", "."), 1)
	return number + " " + trKey("unit."+unit, unit)
}

// formatSpeed writes bytes per second with formatSize; 0 (unknown) gives "".
func formatSpeed(bps float64) string {
	n, ok := numtext.PerSecond(bps)
	if !ok {
		return ""
	}
	return tr("{{.Size}}/s", map[string]any{"Size": formatSize(n)})
}

// shortHash shows the start and end of a CID, enough to recognise it.
func shortHash(h string) string {
	if len(h) <= 16 {
		return h
	}
	return h[:8] + "…" + h[len(h)-6:]
}

// middleText cuts s to at most max characters (max ≥ 3), keeping its start
// and its end around "…": an email keeps its name's start and its domain.
// It cuts only between what is drawn as one character (drawnApart), so a
// cut flag, accent or emoji does not draw another, or half of itself.
func middleText(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	tail := (max - 1) / 2
	head, from := max-1-tail, len(r)-tail
	for head > 0 && !drawnApart(r, head) {
		head--
	}
	for from < len(r) && !drawnApart(r, from) {
		from++
	}
	return string(r[:head]) + "…" + string(r[from:])
}

// fitMiddle is s whole when width(s) ≤ room, else s cut in the middle
// (middleText) to the most characters whose width fits room, but to no
// fewer than least: the one rule by which the window shortens a name, a
// title or an account to its room, so the end of a file name, its real
// extension, stays in view.
func fitMiddle(s string, room float32, width func(string) float32, least int) string {
	if width(s) <= room {
		return s
	}
	best := middleText(s, least)
	for lo, hi := least+1, len([]rune(s))-1; lo <= hi; {
		n := (lo + hi) / 2
		if cut := middleText(s, n); width(cut) <= room {
			best, lo = cut, n+1
		} else {
			hi = n - 1
		}
	}
	return best
}

// drawnApart reports whether r[i-1] and r[i] are drawn as two characters,
// so that a cut between them draws what each part says: not when r[i]
// marks, joins or modifies what is before it (an accent typed after its
// letter, a variation selector, a skin tone, an emoji tag), nor after a
// zero-width joiner (👩‍💻), nor in the middle of a flag's pair of regional
// indicators, which, cut, pair with their neighbours into other flags,
// nor inside an escape of a name inert escaped (inert.CutsEscape: "\u20"
// cut from "\u202e" reads as text). It is the part of Unicode's grapheme rules that names in the window
// meet, not all of it.
func drawnApart(r []rune, i int) bool {
	if i <= 0 || i >= len(r) {
		return true
	}
	if inert.CutsEscape(string(r), len(string(r[:i]))) {
		return false
	}
	c := r[i]
	switch {
	case r[i-1] == zwj, c == zwj,
		unicode.In(c, unicode.Mn, unicode.Me, unicode.Mc, unicode.Variation_Selector),
		c >= 0x1F3FB && c <= 0x1F3FF, // skin tones
		c >= 0xE0020 && c <= 0xE007F: // emoji tags
		return false
	case isRegionalIndicator(c):
		before := 0
		for j := i - 1; j >= 0 && isRegionalIndicator(r[j]); j-- {
			before++
		}
		return before%2 == 0
	}
	return true
}

// zwj is the zero-width joiner, which draws what it joins as one.
const zwj = '\u200d'

// isRegionalIndicator reports whether c is one of the letters that draw a
// flag in pairs (🇺 🇸: 🇺🇸).
func isRegionalIndicator(c rune) bool { return c >= 0x1F1E6 && c <= 0x1F1FF }

// shortText cuts s to at most max characters, ending in "…" when cut,
// between what is drawn as one character (drawnApart, middleText's rule):
// a flag, an emoji its joiners join, a keycap or an accented letter is
// kept whole or left out, never cut to another, and an escape is never
// cut to text.
func shortText(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	end := max - 1
	for end > 0 && !drawnApart(r, end) {
		end--
	}
	return string(r[:end]) + "…"
}

// nameText is a file or folder name as the window shows it, in a row, a
// dialog's title or a sentence: inert.Text (the joiners of emoji and
// Persian shown as they are), and quoted when only spaces
// (inert.QuotedIfBlank), which a label shows blank, " " and "   " alike.
// Every place of the window that shows a name shows it through nameText,
// or, between a sentence's own quotes, quotedNameText.
func nameText(name string) string {
	return inert.Name(name)
}

// quotedNameText is a name (or a history row's comment) as a sentence
// shows it between quotes of its own (“{{.Name}}”): those quotes already
// show where a name of spaces begins and ends, so it is not quoted again
// as nameText quotes it, and a control, formatting or invalid character
// is escaped where it stands rather than the whole name quoted: never
// “"   "” or “"a\x1bb"”. The joiners nameText keeps stay too. A
// backslash that would read as an escape is escaped too (inert.Literal,
// as in a link's text), so a name typed with the six characters \u202e
// shows “a\x5cu202eb”, never as one with U+202E, “a\u202eb”. Text
// escaped so already (the name dStor gave, api's serverText) is not
// given to it: it is shown through inert.Line.
func quotedNameText(name string) string {
	return inert.Literal(name)
}

// maxSentenceNameRunes is how many characters of a name a one-line
// sentence shows (a toast; a History row's details naming what dStor
// called the file): Fyne cuts such a line at its end where it has no
// room, so a name of "win2-photo.jpg", 200 spaces and ".exe" showed as
// "Link to win2-photo.jpg   …". Cut in the middle to
// this, a name keeps its end, its real extension, in the room a toast has
// in a window of 800 points.
const maxSentenceNameRunes = 40

// sentenceName is a name as nameText or quotedNameText shows it, cut in the
// middle for a one-line sentence (maxSentenceNameRunes).
func sentenceName(shown string) string {
	return middleText(shown, maxSentenceNameRunes)
}

// displayPath is a saved file's path as a sentence shows it: the home
// folder as ~.
func displayPath(p string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || home == string(filepath.Separator) {
		return p
	}
	if rel, err := filepath.Rel(home, p); err == nil && filepath.IsLocal(rel) {
		return filepath.Join("~", rel)
	}
	return p
}

// formatCount writes n with the locale's thousands separators ("100,000",
// "100.000"), so large queues and histories read at a glance.
func formatCount(n int) string {
	return numtext.Count(n, localeMark("group", ","))
}
