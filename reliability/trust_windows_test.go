package reliability

import (
	"os"
	"testing"
)

// makeFifo skips: Windows has no named pipes inside folders.
func makeFifo(t *testing.T, _ string) {
	t.Skip("Windows has no named pipes inside folders (mkfifo)")
}

// peakRSSMiB skips: a child's peak memory is read from its rusage, which
// Windows does not give.
func peakRSSMiB(t *testing.T, _ *os.ProcessState) int64 {
	t.Skip("a child's peak memory comes from its rusage, which Windows does not give")
	return 0
}
