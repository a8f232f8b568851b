//go:build !windows

package reliability

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// makeFifo makes a named pipe at p.
func makeFifo(t *testing.T, p string) {
	require.NoError(t, syscall.Mkfifo(p, 0o644))
}

// peakRSSMiB is the peak resident memory of an ended child process.
func peakRSSMiB(_ *testing.T, ps *os.ProcessState) int64 {
	return ps.SysUsage().(*syscall.Rusage).Maxrss / 1024 // KiB → MiB on Linux
}
