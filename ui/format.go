package ui

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// checkMark marks what is verified or valid. It is U+2705 (a white check
// in a green circle), which Fyne's own emoji font has, so it looks the same
// on every system. U+2713 (✓) is in none of Fyne's fonts: it took a system
// font, and Wine has none with it (a missing-glyph box there).
const checkMark = "\u2705"

// formatETA renders a time left as people say it ("5 s left", "3 min left",
// "1 h 20 min left"); 0 (unknown) gives "".
func formatETA(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s left", int(d.Seconds()))
	case d < time.Hour:
		m := int(d.Minutes())
		s := int(d.Seconds()) % 60
		if m < 10 && s != 0 {
			return fmt.Sprintf("%d min %d s left", m, s)
		}
		return fmt.Sprintf("%d min left", int(math.Round(d.Minutes())))
	default:
		h := int(d.Hours())
		m := int(d.Minutes()) % 60
		if m == 0 {
			return fmt.Sprintf("%d h left", h)
		}
		return fmt.Sprintf("%d h %d min left", h, m)
	}
}

// formatDate renders a finished-at time for the history list: time only for
// today, the day and month this year, the full date otherwise.
func formatDate(t, now time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.Local()
	now = now.Local()
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return "Today " + t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("2 Jan 15:04")
	default:
		return t.Format("2 Jan 2006")
	}
}

// shortHash shows the start and end of a CID, enough to recognise it.
func shortHash(h string) string {
	if len(h) <= 16 {
		return h
	}
	return h[:8] + "…" + h[len(h)-6:]
}

// shortText cuts s to at most max characters, ending in "…" when cut.
func shortText(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
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

// plural picks the singular or plural form of a noun for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return formatCount(n) + " " + many
}

// formatCount writes n with thousands separators ("100,000"), so large
// queues and histories read at a glance.
func formatCount(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
