// Package numtext writes byte counts, speeds and counts for people, in one
// place for every part of the app (the command line, the window, the
// history's and the server's errors), so a size reads the same wherever it
// is shown.
package numtext

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// UnitBytes is the unit SizeParts gives for counts under 1000 bytes, which
// are written as a whole number of bytes ("1 byte", "999 bytes").
const UnitBytes = "B"

// SizeParts splits a byte count into the number and the unit Size
// writes: decimal SI units, one decimal (with a point) under 10, rounded
// down, UnitBytes under 1000 ("1.5", "MB"; "12", "B"). It is the one byte
// formatter of the app: Size writes its parts in English, the window
// in the person's language. It counts in integers: a float64 holds no
// count above 2⁵³ (9 PB) exactly and would round it up, writing "10 PB"
// for a count under that.
func SizeParts(n int64) (number, unit string) {
	if n < 1000 {
		return strconv.FormatInt(max(n, 0), 10), UnitBytes
	}
	units := []string{"kB", "MB", "GB", "TB", "PB", "EB"}
	u, scale := 0, int64(1000)
	for u < len(units)-1 && n/scale >= 1000 {
		u++
		scale *= 1000
	}
	if whole := n / scale; whole >= 10 {
		return strconv.FormatInt(whole, 10), units[u]
	}
	tenths := n / (scale / 10)
	if tenths%10 == 0 {
		return strconv.FormatInt(tenths/10, 10), units[u]
	}
	return fmt.Sprintf("%d.%d", tenths/10, tenths%10), units[u]
}

// Size renders a byte count the way file managers do (SizeParts), so
// sizes read the same in the window, on the command line and in the
// person's file manager.
func Size(n int64) string {
	number, unit := SizeParts(n)
	switch {
	case unit != UnitBytes:
		return number + " " + unit
	case number == "1":
		return "1 byte"
	default:
		return number + " bytes"
	}
}

// PerSecond is the whole bytes per second Speed writes of bps, and false
// when there is no speed to write (0: unknown, or not a number). A speed
// beyond int64 is math.MaxInt64: converting it would give a figure of
// the system's choosing ("0 bytes/s" on amd64).
func PerSecond(bps float64) (int64, bool) {
	switch {
	case bps <= 0 || math.IsNaN(bps) || math.IsInf(bps, 0):
		return 0, false
	case bps >= math.MaxInt64: // 2⁶³ as a float64: above every int64
		return math.MaxInt64, true
	}
	return int64(bps), true
}

// Speed renders bytes per second with Size; 0 (unknown) gives "".
func Speed(bps float64) string {
	n, ok := PerSecond(bps)
	if !ok {
		return ""
	}
	return Size(n) + "/s"
}

// Count writes n with sep between each group of three digits
// ("20,000" for ","), so a count of thousands reads at a glance: the one
// count formatter of the app, the command line's in English, the window's
// with the separator of the person's language.
func Count(n int, sep string) string {
	s := strconv.Itoa(n)
	digits := strings.TrimPrefix(s, "-")
	var b strings.Builder
	b.WriteString(s[:len(s)-len(digits)])
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	return b.String()
}
