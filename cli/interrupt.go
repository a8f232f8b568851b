package cli

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// ctrlCIgnored is whether this process was started with SIGINT ignored:
// a script's background job (sh starts `cmd &` so in a script), or one
// under `trap "" INT`. Ctrl+C at that terminal is then for the job in the
// foreground, and by convention such a process keeps ignoring it. Read
// at start: once signal.Notify has taken SIGINT, signal.Ignored no longer
// says so, even after signal.Stop has given it back to be ignored.
var ctrlCIgnored = signal.Ignored(os.Interrupt)

// hangUpIgnored is whether this process was started with SIGHUP ignored:
// under nohup (or `trap "" HUP`), which asks that a run go on after its
// terminal is gone. Read at start, as ctrlCIgnored is.
var hangUpIgnored = signal.Ignored(syscall.SIGHUP)

// stopSignals are the signals interrupts watches: SIGTERM (kill, a
// logout; on Windows also the console window closed), Ctrl+C unless the
// process was started ignoring it (ctrlCIgnored), which Notify would
// otherwise take back until stop, and a hang-up (SIGHUP: the terminal
// window closed, an ssh connection dropped) unless started ignoring it
// (hangUpIgnored, nohup). Left to Go, a hang-up ended the process at
// once, as a kill does: a sandbox's temporary store stayed on disk, and
// the queue was not closed. Windows sends no SIGHUP.
func stopSignals() []os.Signal {
	sigs := []os.Signal{syscall.SIGTERM}
	if !ctrlCIgnored {
		sigs = append(sigs, os.Interrupt)
	}
	if !hangUpIgnored {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// stoppedBy is the cause of the end of interrupts' ctx: the signal that
// stopped the command, which its exit status tells (stopStatus).
type stoppedBy struct{ signal os.Signal }

func (s *stoppedBy) Error() string { return "stopped by " + s.signal.String() }

// stopStatus is the exit status of a command whose interrupts' ctx
// ended: exitHangUp at a hang-up, else exitInterrupted (Ctrl+C, SIGTERM),
// so a script or a supervisor reads a hang-up as it reads the process
// the signal ended (128 + its number).
func stopStatus(ctx context.Context) int {
	var s *stoppedBy
	if errors.As(context.Cause(ctx), &s) && s.signal == syscall.SIGHUP {
		return exitHangUp
	}
	return exitInterrupted
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
			cancel(&stoppedBy{signal: sig})
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
