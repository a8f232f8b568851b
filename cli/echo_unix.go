//go:build !windows

package cli

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

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

// echoOffUntilStopped keeps the terminal fd's echo off across job control
// while a secret is read (echoOff): at Ctrl+Z (SIGTSTP) it gives the
// terminal's state before (was) back, then stops the process as Ctrl+Z
// would, so the person's shell does not take what is typed blind; once
// continued (fg: SIGCONT) it turns the echo off again for the rest of
// the secret, whatever the shell set meanwhile. done ends the watch, and
// the goroutine it runs, before the caller gives the echo back.
func echoOffUntilStopped(fd int, was *term.State) (done func()) {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, syscall.SIGTSTP, syscall.SIGCONT)
	quit, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		for {
			select {
			case s := <-signals:
				if s == syscall.SIGTSTP {
					_ = term.Restore(fd, was)
					// SIGSTOP, not SIGTSTP taken back: it stops here
					// at once, and the SIGCONT that continues it comes
					// to this loop.
					_ = unix.Kill(os.Getpid(), unix.SIGSTOP)
					continue
				}
				_ = echoOff(fd)
			case <-quit:
				return
			}
		}
	}()
	return func() {
		signal.Stop(signals)
		close(quit)
		<-ended
	}
}
