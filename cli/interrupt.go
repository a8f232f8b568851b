package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"

	"github.com/dstor-uploader/dstor-uploader/internal/startsig"
)

// stopSignals are the signals interrupts watches: SIGTERM (kill, a
// logout; on Windows also the console window closed), Ctrl+C, and a
// hang-up (SIGHUP: the terminal window closed, an ssh connection
// dropped), but one the process was started ignoring (startsig.Ignored),
// which Notify would otherwise take back until stop. Left to Go, a
// hang-up ended the process at once, as a kill does: a sandbox's
// temporary store stayed on disk, and the queue was not closed. Windows
// sends no SIGHUP.
func stopSignals() []os.Signal {
	return append([]os.Signal{syscall.SIGTERM}, slices.DeleteFunc([]os.Signal{os.Interrupt, syscall.SIGHUP}, startsig.Ignored)...)
}

// stoppedBy is the cause of the end of interrupts' ctx: the signal that
// stopped the command, which its exit status tells (stopStatus).
type stoppedBy struct{ signal syscall.Signal }

func (s *stoppedBy) Error() string { return "stopped by " + s.signal.String() }

// exitStatusOf is the exit status of a command the signal sig stopped:
// 128 + its number (130 Ctrl+C, 129 a hang-up, 131 Ctrl+\, 143 SIGTERM),
// what a shell reports ($?) of a process that signal ended, so a script or
// a supervisor reads it as the signal's either way. The process does not
// end by the signal itself: it says first what it kept and what is left.
func exitStatusOf(sig syscall.Signal) int { return 128 + int(sig) }

// stopStatus is the exit status of a command whose interrupts' ctx
// ended: that of the signal that stopped it (exitStatusOf), Ctrl+C's
// when ctx ended otherwise.
func stopStatus(ctx context.Context) int {
	if s, ok := errors.AsType[*stoppedBy](context.Cause(ctx)); ok {
		return exitStatusOf(s.signal)
	}
	return exitStatusOf(syscall.SIGINT)
}

// interrupts watches for Ctrl+C (or SIGTERM, or a hang-up: stopSignals),
// the one place the commands
// that stop on it catch it: ctx ends at the first, and again is closed at
// the second, so that a command that waits after the first for work that
// may never end (a read from a drive that stopped answering) can stop
// waiting then. After the second, Ctrl+C is the system's again, so a
// third ends the process at once even where the command still waits (a
// line being printed to an output that takes nothing). stop ends the
// watch and ctx; Ctrl+C is then the system's too (upload's second Ctrl+C
// while its queue closes). A process started with Ctrl+C ignored ignores
// it throughout (stopSignals).
func interrupts(parent context.Context) (ctx context.Context, again <-chan struct{}, stop func()) {
	ctx, cancel := context.WithCancelCause(parent)
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, stopSignals()...)
	second, quit, ended := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		for n := 1; ; n++ {
			var sig os.Signal
			select {
			case sig = <-signals:
			case <-quit:
				return
			}
			if n > 1 {
				signal.Stop(signals) // a third is the system's: see above
				close(second)
				return
			}
			cancel(&stoppedBy{signal: sig.(syscall.Signal)})
		}
	}()
	var once sync.Once
	return ctx, second, func() {
		once.Do(func() {
			signal.Stop(signals)
			close(quit)
			<-ended
			cancel(nil)
		})
	}
}

// holdSignals keeps the signals that stop a command (stopSignals) from
// ending the process until release: for a step that must not be split,
// bounded by its own timeouts (logout's keyring delete and settings
// write). interrupts still sees them; only the third, the system's again,
// is held, and it is lost: after release the next one ends the process.
func holdSignals() (release func()) {
	held := make(chan os.Signal, 1)
	signal.Notify(held, stopSignals()...)
	return func() { signal.Stop(held) }
}
