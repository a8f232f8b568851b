package ui

import (
	"strings"
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

// TestFitMiddle: a text is whole when it fits its room, else cut in the
// middle to the most characters that fit, never fewer than least, and its
// end (a name's extension) stays.
func TestFitMiddle(t *testing.T) {
	runes := func(s string) float32 { return float32(len([]rune(s))) }
	tests := []struct {
		name, s string
		room    float32
		least   int
		want    string
	}{
		{"fits", "photo.jpg", 9, 3, "photo.jpg"},
		{"one too many", "photo.jpeg", 9, 3, "phot…jpeg"},
		{"spaces before the extension", "a.jpg" + strings.Repeat(" ", 20) + ".exe", 11, 3, "a.jpg… .exe"},
		{"no room: least", "photo.jpeg", 1, 3, "p…g"},
		{"no room: a larger least", "someone@example.com", 4, 11, "someo…e.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, fitMiddle(tt.s, tt.room, runes, tt.least))
		})
	}
}

// TestMiddleTextCutsAtAWholeEscape: a name a sentence or a row shows is
// inert's text (quotedNameText, nameText), where U+202E is the six
// characters \u202e, and middleText cut it at any character: a name of 18
// a's, U+202E and 30 b's showed in a History row's details as "dStor named
// it “aaaaaaaaaaaaaaaaaa\u…bbb”", half an escape that reads as text, and
// the other half "02e" at the start of the tail. A cut falls before or
// after a whole escape, never inside one, in a sentence's name and in a
// row's quoted one.
func TestMiddleTextCutsAtAWholeEscape(t *testing.T) {
	a, b := strings.Repeat("a", 30), strings.Repeat("b", 30)
	tests := []struct{ name, shown, want string }{
		{"the head at an override's escape", sentenceName(quotedNameText(a[:18] + "\u202e" + b)), a[:18] + "…" + b[:19]},
		{"the tail at an override's escape", sentenceName(quotedNameText(b + "\u202e" + b[:16])), b[:20] + "…" + b[:16]},
		{"the head at a tag's escape", sentenceName(quotedNameText(a[:18] + "\U000e0001" + b)), a[:18] + "…" + b[:19]},
		{"the head at a byte's escape", sentenceName(quotedNameText(a[:19] + "\xff" + b)), a[:19] + "…" + b[:19]},
		{"the head at a line break's escape", sentenceName(quotedNameText(a[:19] + "\n" + b)), a[:19] + "…" + b[:19]},
		{"a row's quoted name", middleText(nameText(a[:17]+"\u202e"+b), 40), `"` + a[:17] + "…" + b[:18] + `"`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.shown, tt.name)
	}
}
