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
// in the person's language.
func SizeParts(n int64) (number, unit string) {
	if n < 0 {
		n = 0
	}
	if n < 1000 {
		return fmt.Sprintf("%d", n), UnitBytes
	}
	units := []string{"kB", "MB", "GB", "TB", "PB", "EB"}
	v := float64(n)
	u := -1
	for v >= 1000 && u < len(units)-1 {
		v /= 1000
		u++
	}
	if v < 10 {
		s := fmt.Sprintf("%.1f", math.Floor(v*10)/10)
		return strings.TrimSuffix(s, ".0"), units[u]
	}
	return fmt.Sprintf("%.0f", math.Floor(v)), units[u]
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

// Speed renders bytes per second with Size; 0 (unknown) gives "".
func Speed(bps float64) string {
	if bps <= 0 || math.IsNaN(bps) || math.IsInf(bps, 0) {
		return ""
	}
	return Size(int64(bps)) + "/s"
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
