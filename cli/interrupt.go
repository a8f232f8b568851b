package cli

import (
	"context"
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

// stopSignals are the signals interrupts watches: SIGTERM (kill, a
// logout), and Ctrl+C unless the process was started ignoring it
// (ctrlCIgnored), which Notify would otherwise take back until stop.
func stopSignals() []os.Signal {
	if ctrlCIgnored {
		return []os.Signal{syscall.SIGTERM}
	}
	return []os.Signal{os.Interrupt, syscall.SIGTERM}
}

// interrupts watches for Ctrl+C (or SIGTERM), the one place the commands
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
	ctx, cancel := context.WithCancel(parent)
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, stopSignals()...)
	second, quit, ended := make(chan struct{}), make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		for n := 1; ; n++ {
			select {
			case <-signals:
			case <-quit:
				return
			}
			if n > 1 {
				signal.Stop(signals) // a third is the system's: see above
				close(second)
				return
			}
			cancel()
		}
	}()
	var once sync.Once
	return ctx, second, func() {
		once.Do(func() {
			signal.Stop(signals)
			close(quit)
			<-ended
			cancel()
		})
	}
}
