package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestErrorBoxKeepsWhatStderrGets(t *testing.T) {
	var stderr bytes.Buffer
	b := newErrorBox(&stderr)
	fmt.Fprintln(b, "dstor-uploader: cannot open the upload history")
	assert.Equal(t, "dstor-uploader: cannot open the upload history\n", stderr.String(), "stderr still gets it")
	assert.Equal(t, stderr.String(), b.text.String())

	fmt.Fprint(b, strings.Repeat("x", 2*maxErrorBoxText))
	assert.Equal(t, maxErrorBoxText, b.text.Len(), "the box keeps a few sentences, not a flood")
	assert.Greater(t, stderr.Len(), maxErrorBoxText, "stderr gets everything")

	n, err := newErrorBox(nil).Write([]byte("no stderr at all"))
	assert.NoError(t, err)
	assert.Equal(t, 16, n)
}

// TestErrorBoxSaysWhatItLeavesOut: the sentence of a launch of 1,000
// files not queued names each on a line of its own, far more than the box
// keeps. The box showed the first 4 kB cut wherever they ended (in a path,
// in the middle of a character) and said nothing of the rest; it shows
// whole lines and how many it leaves out.
func TestErrorBoxSaysWhatItLeavesOut(t *testing.T) {
	for _, tc := range []struct {
		name    string
		written string
		want    func(t *testing.T, shown string)
	}{
		{"a sentence", "dstor-uploader: no display\n", func(t *testing.T, shown string) {
			assert.Equal(t, "dstor-uploader: no display", shown)
		}},
		{"1,000 paths", "dstor-uploader: the window was quit:\n" + strings.Repeat("  /home/me/Фото/été 🎉.jpg\n", 1000), func(t *testing.T, shown string) {
			assert.True(t, utf8.ValidString(shown), "no character cut")
			lines := strings.Split(shown, "\n")
			assert.Equal(t, "dstor-uploader: the window was quit:", lines[0])
			for _, l := range lines[1 : len(lines)-1] {
				assert.Equal(t, "  /home/me/Фото/été 🎉.jpg", l, "whole lines only")
			}
			assert.Equal(t, fmt.Sprintf("… and %d more line(s).", 1001-(len(lines)-1)), lines[len(lines)-1])
			assert.LessOrEqual(t, len(shown), maxErrorBoxText+40)
		}},
		{"one line longer than the box", strings.Repeat("é", maxErrorBoxText) + "\nsecond\n", func(t *testing.T, shown string) {
			assert.True(t, utf8.ValidString(shown), "no character cut")
			assert.True(t, strings.HasSuffix(shown, "…\n… and 1 more line(s)."), shown[len(shown)-40:])
		}},
		{"one line longer than the box, alone", strings.Repeat("x", 2*maxErrorBoxText), func(t *testing.T, shown string) {
			assert.True(t, strings.HasSuffix(shown, "x…"))
			assert.NotContains(t, shown, "more line")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newErrorBox(nil)
			for chunk := range strings.Lines(tc.written) { // as fmt writes: a line at a time
				_, _ = b.Write([]byte(chunk))
			}
			tc.want(t, b.shown())
		})
	}
}
