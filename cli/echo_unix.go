//go:build !windows

package cli

import "golang.org/x/sys/unix"

// echoOff turns off the terminal fd's echo of what is typed, as a secret
// is read, and keeps the rest of the line's reading as the terminal's own
// (a line at a time, Ctrl+C its SIGINT, Ctrl+D the end of its input),
// which is what readSecret reads it by. The caller gives the state before
// back (term.Restore).
func echoOff(fd int) error {
	termios, err := unix.IoctlGetTermios(fd, termiosGet)
	if err != nil {
		return err
	}
	termios.Lflag &^= unix.ECHO
	termios.Lflag |= unix.ICANON | unix.ISIG
	termios.Iflag |= unix.ICRNL
	return unix.IoctlSetTermios(fd, termiosSet, termios)
}

// endOfInputKey is what a person presses to end a terminal's input.
const endOfInputKey = "Ctrl+D"
