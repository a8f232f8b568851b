package cli

import (
	"context"

	"golang.org/x/sys/windows"
	"golang.org/x/term"
)

// echoOff turns off the console fd's echo of what is typed, as a secret
// is read, and keeps the rest of the line's reading as the console's own
// (a line at a time, Ctrl+C its interrupt, Ctrl+Z the end of its input),
// which is what readSecret reads it by. The caller gives the mode before
// back (term.Restore).
func echoOff(fd int) error {
	var mode uint32
	if err := windows.GetConsoleMode(windows.Handle(fd), &mode); err != nil {
		return err
	}
	mode &^= windows.ENABLE_ECHO_INPUT
	mode |= windows.ENABLE_LINE_INPUT | windows.ENABLE_PROCESSED_INPUT
	return windows.SetConsoleMode(windows.Handle(fd), mode)
}

// endOfInputKey is what a person presses (then Enter) to end a console's
// input.
const endOfInputKey = "Ctrl+Z"

// watchPrompt has nothing to watch on Windows but ctx (prompt is ctx):
// a console has no job control that stops the process while the secret
// is read, nor Ctrl+\ or a hang-up that end it.
func watchPrompt(ctx context.Context, _ int, _ *term.State) (prompt context.Context, done func()) {
	return ctx, func() {}
}
