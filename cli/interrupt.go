package cli

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// interrupts watches for Ctrl+C (or SIGTERM), the one place the commands
// that stop on it catch it: ctx ends at the first, and again is closed at
// the second, so that a command that waits after the first for work that
// may never end (a read from a drive that stopped answering) can stop
// waiting then. After the second, Ctrl+C is the system's again, so a
// third ends the process at once even where the command still waits (a
// line being printed to an output that takes nothing). stop ends the
// watch and ctx; Ctrl+C is then the system's too (upload's second Ctrl+C
// while its queue closes).
func interrupts(parent context.Context) (ctx context.Context, again <-chan struct{}, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
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
