package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// maxErrorBoxText caps what a message box shows; a start-up error is a
// sentence or two.
const maxErrorBoxText = 4 << 10

// errorBox is the standard error of the window's invocations: what is
// written goes to stderr as usual and is also kept, so that a window that
// could not start says why where a person who double-clicked it looks (a
// message box on Windows; see showErrorBox). Past maxErrorBoxText it
// keeps only a count of the lines written, for the box to say how many
// it leaves out (a launch of 1,000 files not queued names each).
type errorBox struct {
	out   io.Writer
	text  strings.Builder
	lines int  // newlines written, kept or not
	open  bool // the last byte written ends no line
}

func newErrorBox(out io.Writer) *errorBox { return &errorBox{out: out} }

func (b *errorBox) Write(p []byte) (int, error) {
	if room := maxErrorBoxText - b.text.Len(); room > 0 {
		b.text.Write(p[:min(len(p), room)])
	}
	if len(p) > 0 {
		b.lines += bytes.Count(p, []byte{'\n'})
		b.open = p[len(p)-1] != '\n'
	}
	if b.out != nil {
		_, _ = b.out.Write(p) // kept above even where stderr leads nowhere (Windows' GUI subsystem)
	}
	return len(p), nil
}

// shown is what the box shows: all that was written, or when that was
// more than it keeps, its whole lines (none cut in the middle, nor a
// character) and how many lines it leaves out.
func (b *errorBox) shown() string {
	t := b.text.String()
	total := b.lines
	if b.open {
		total++
	}
	if b.text.Len() < maxErrorBoxText || strings.Count(t, "\n") == total {
		return strings.TrimSpace(t)
	}
	t = t[:strings.LastIndexByte(t, '\n')+1] // "" when the first line alone is longer
	if t == "" {
		t = strings.ToValidUTF8(b.text.String()[:maxErrorBoxText-utf8.UTFMax], "") + "…\n"
	}
	if left := total - strings.Count(t, "\n"); left > 0 {
		return strings.TrimSpace(t) + "\n" + fmt.Sprintf("… and %d more line(s).", left)
	}
	return strings.TrimSpace(t)
}

// show shows what was written when the window ended with a non-zero status;
// a nil box (a subcommand) shows nothing.
func (b *errorBox) show(status int) {
	if b == nil || status == 0 {
		return
	}
	if t := b.shown(); t != "" {
		showErrorBox("dStor Uploader", t)
	}
}
