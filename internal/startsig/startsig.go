// Package startsig says which signals this process was started ignoring,
// so the command line and the window keep ignoring them (a hang-up under
// nohup, Ctrl+C in a script's background job) however many of their own
// handlers come and go. It is read once, as the process starts: once
// signal.Notify has taken a signal, signal.Ignored no longer says so, even
// after signal.Stop has given it back to be ignored.
package startsig

import (
	"os"
	"os/signal"
	"syscall"
)

// atStart is, of the signals the commands or the window would watch
// (Ctrl+C, a hang-up, Ctrl+\), those this process was started ignoring,
// read before anything calls signal.Notify (package initialisation runs
// before main).
var atStart = func() map[os.Signal]bool {
	ignored := map[os.Signal]bool{}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGHUP, syscall.SIGQUIT} {
		ignored[sig] = signal.Ignored(sig)
	}
	return ignored
}()

// Ignored is whether this process was started ignoring sig, one of
// SIGINT, SIGHUP and SIGQUIT (false for any other): by convention such a
// process keeps ignoring it, so whoever would watch sig leaves it alone.
func Ignored(sig os.Signal) bool { return atStart[sig] }
