// Package leakcheck is goleak with more patience: its checks give a
// goroutine that is already ending (a closed connection's reader, a
// server's handler, an abandoned keyring call) up to Wait to finish before
// they call it left behind. goleak's own retries give it about 0.43 s (20
// tries, at most 100 ms apart, not settable in v1.3.0), which a goroutine
// waiting for a core on a busy CI machine can exceed; one that never ends
// still fails the check, only later.
//
// It is a package of its own, importing nothing of this module, so that
// the internal tests of api, api/sandbox and storage (which
// internal/testutil imports) can use it without an import cycle. It is
// imported by tests only.
package leakcheck

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Wait is how long a check gives goroutines that are ending before it
// reports them.
const Wait = 10 * time.Second

// Find is goleak.Find, waiting up to Wait for goroutines to end. It takes
// every goleak option (IgnoreCurrent, IgnoreTopFunction, ...).
func Find(opts ...goleak.Option) error {
	return find(Wait, opts...)
}

// find calls goleak.Find until it finds nothing or wait has passed. It has
// no sleep of its own: each goleak.Find retries for about 0.43 s, which
// paces the loop.
func find(wait time.Duration, opts ...goleak.Option) error {
	start := time.Now()
	for {
		err := goleak.Find(opts...)
		if err == nil || time.Since(start) >= wait {
			return err
		}
	}
}

// VerifyNone is goleak.VerifyNone, waiting up to Wait for goroutines to
// end; use it as `defer leakcheck.VerifyNone(t, goleak.IgnoreCurrent())`.
func VerifyNone(t testing.TB, opts ...goleak.Option) {
	t.Helper()
	if err := Find(opts...); err != nil {
		t.Error(err)
	}
}

// VerifyTestMain is goleak.VerifyTestMain, waiting up to Wait for
// goroutines to end: it runs the tests and, if they passed, fails the
// package when a goroutine outlives them. It does not return.
func VerifyTestMain(m goleak.TestingM, opts ...goleak.Option) {
	code := m.Run()
	if code == 0 {
		if err := Find(opts...); err != nil {
			fmt.Fprintln(os.Stderr, "goleak: goroutines left behind after the tests passed:", err)
			code = 1
		}
	}
	os.Exit(code)
}
