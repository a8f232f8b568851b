package api

import (
	"fmt"
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (an upload's hasher,
// a transport's connection, a test server) outlives them.
func TestMain(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if err := findLeak(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak: goroutines left behind:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// leakWait is how long a leak check gives goroutines that are already
// ending (a closed connection's reader, a server's handler) before it calls
// them left behind. goleak's own retries give them about 0.4 s, which a
// goroutine waiting for a core on a busy machine can exceed; one that never
// ends still fails the check, only later.
const leakWait = 10 * time.Second

// findLeak is goleak.Find, waiting up to leakWait for goroutines to end.
func findLeak(opts ...goleak.Option) error {
	start := time.Now()
	for {
		err := goleak.Find(opts...) // itself retries for about 0.4 s
		if err == nil || time.Since(start) >= leakWait {
			return err
		}
	}
}

// verifyNoLeak is goleak.VerifyNone, waiting up to leakWait for goroutines
// to end.
func verifyNoLeak(t testing.TB, opts ...goleak.Option) {
	t.Helper()
	if err := findLeak(opts...); err != nil {
		t.Error(err)
	}
}
