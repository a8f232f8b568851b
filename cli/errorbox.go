package cli

import (
	"io"
	"strings"
)

// maxErrorBoxText caps what a message box shows; a start-up error is a
// sentence or two.
const maxErrorBoxText = 4 << 10

// errorBox is the standard error of the window's invocations: what is
// written goes to stderr as usual and is also kept, so that a window that
// could not start says why where a person who double-clicked it looks (a
// message box on Windows; see showErrorBox).
type errorBox struct {
	out  io.Writer
	text strings.Builder
}

func newErrorBox(out io.Writer) *errorBox { return &errorBox{out: out} }

func (b *errorBox) Write(p []byte) (int, error) {
	if room := maxErrorBoxText - b.text.Len(); room > 0 {
		b.text.Write(p[:min(len(p), room)])
	}
	if b.out != nil {
		_, _ = b.out.Write(p) // kept above even where stderr leads nowhere (Windows' GUI subsystem)
	}
	return len(p), nil
}

// show shows what was written when the window ended with a non-zero status;
// a nil box (a subcommand) shows nothing.
func (b *errorBox) show(status int) {
	if b == nil || status == 0 || strings.TrimSpace(b.text.String()) == "" {
		return
	}
	showErrorBox("dStor Uploader", strings.TrimSpace(b.text.String()))
}
