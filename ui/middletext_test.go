package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMiddleTextCutsBetweenWhatIsDrawnAsOne: a dialog's title cut to fit
// (fitTitle), a row's name, an account, cut by middleText, were cut at any
// character: "🇺🇸🇦🇺🇺🇸🇦🇺🇺🇸🇦🇺.png" cut to 15 kept "…🇸🇦🇺.png", which draws
// the flag of Saudi Arabia (🇸🇦) the name does not have; an accent typed
// as a mark after its letter (e + U+0301) was cut from its letter, and a
// 👩‍💻 left half of itself and its joiner. A cut now falls only between
// what is drawn as one character (so a text may come out shorter than
// max); text of one code point a character is cut as before.
func TestMiddleTextCutsBetweenWhatIsDrawnAsOne(t *testing.T) {
	tests := []struct {
		name, s string
		max     int
		want    string
	}{
		{"plain", "abcdefghij", 7, "abc…hij"},
		{"flags: pairs kept", "🇺🇸🇦🇺🇺🇸🇦🇺🇺🇸🇦🇺.png", 15, "🇺🇸🇦🇺🇺🇸…🇦🇺.png"},
		{"flags: head at a pair's middle", "🇺🇸🇦🇺🇺🇸🇦🇺🇺🇸🇦🇺.png", 10, "🇺🇸🇦🇺….png"},
		{"a mark after its letter", "e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301", 6, "e\u0301…e\u0301"},
		{"a joiner's sequence", "👩\u200d💻👩\u200d💻👩\u200d💻", 6, "👩\u200d💻…"},
		{"a skin tone", "👍🏽👍🏽👍🏽👍🏽x", 6, "👍🏽…x"},
		{"a keycap", "1\ufe0f\u20e32\ufe0f\u20e33\ufe0f\u20e3", 6, "1\ufe0f\u20e3…"},
		{"short enough", "🇺🇸", 3, "🇺🇸"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := middleText(tt.s, tt.max)
			assert.Equal(t, tt.want, got, "%+q", got)
			assert.LessOrEqual(t, len([]rune(got)), tt.max)
		})
	}
}
