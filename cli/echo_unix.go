//go:build !windows

package cli

import (
	"context"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/dstor-uploader/dstor-uploader/internal/startsig"
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

// promptEnders are the signals that end the secret's prompt as Ctrl+C
// does (watchPrompt): Ctrl+\ (SIGQUIT, the terminal's VQUIT key), which
// Go answers with a goroutine dump that left the terminal's echo off
// where the terminal survives it (a tmux or screen pane). One the process
// was started ignoring stays ignored, as Ctrl+C does (startsig.Ignored).
// A hang-up (SIGHUP) is one of interrupts' stopSignals, which end the
// prompt's ctx as Ctrl+C does.
var promptEnders = slices.DeleteFunc([]os.Signal{syscall.SIGQUIT}, startsig.Ignored)

// watchPrompt is the one watch of signals while a secret is read with
// the terminal fd's echo off (echoOff); ctx's stop (Ctrl+C, SIGTERM:
// interrupts) ends prompt too.
//
// It keeps the echo off across job control: at Ctrl+Z (SIGTSTP) it gives
// the terminal's state before (was) back, then stops the process as
// Ctrl+Z would, so the person's shell does not take what is typed blind;
// once continued (fg: SIGCONT) it turns the echo off again for the rest
// of the secret, whatever the shell set meanwhile.
//
// At Ctrl+\ (promptEnders) it ends prompt with a
// *promptEndedError as its cause, so the read ends as at Ctrl+C and the
// caller gives the echo back, instead of the process ending with it off.
//
// done ends the watch (signal.Stop), and the goroutine it runs, before
// the caller gives the echo back: after the prompt, SIGQUIT is Go's
// again (a dump of a command that hangs).
func watchPrompt(ctx context.Context, fd int, was *term.State) (prompt context.Context, done func()) {
	prompt, end := context.WithCancelCause(ctx)
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, append([]os.Signal{syscall.SIGTSTP, syscall.SIGCONT}, promptEnders...)...)
	quit, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		for {
			select {
			case s := <-signals:
				switch s {
				case syscall.SIGTSTP:
					_ = term.Restore(fd, was)
					// SIGSTOP, not SIGTSTP taken back: it stops here
					// at once, and the SIGCONT that continues it comes
					// to this loop.
					_ = unix.Kill(os.Getpid(), unix.SIGSTOP)
				case syscall.SIGCONT:
					_ = echoOff(fd)
				default:
					end(&promptEndedError{Signal: s.(syscall.Signal)})
				}
			case <-quit:
				return
			}
		}
	}()
	return prompt, func() {
		signal.Stop(signals)
		close(quit)
		<-ended
		end(nil)
	}
}
