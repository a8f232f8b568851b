package api

import (
	"fmt"
	"math"
	"strings"
)

// FormatSize renders a byte count the way file managers do (decimal SI
// units, one decimal under 10), so sizes read the same in the window, on
// the command line and in the person's file manager. It is the one byte
// formatter of the app.
func FormatSize(n int64) string {
	if n < 0 {
		n = 0
	}
	if n < 1000 {
		if n == 1 {
			return "1 byte"
		}
		return fmt.Sprintf("%d bytes", n)
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
		s = strings.TrimSuffix(s, ".0")
		return s + " " + units[u]
	}
	return fmt.Sprintf("%.0f %s", math.Floor(v), units[u])
}

// FormatSpeed renders bytes per second with FormatSize; 0 (unknown) gives "".
func FormatSpeed(bps float64) string {
	if bps <= 0 || math.IsNaN(bps) || math.IsInf(bps, 0) {
		return ""
	}
	return FormatSize(int64(bps)) + "/s"
}
