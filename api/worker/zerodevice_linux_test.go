package worker

import (
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// makeZeroDevice makes a character device at path that reads as zeros
// without end (/dev/zero's numbers), or skips: that takes root.
func makeZeroDevice(t *testing.T, path string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("making a device file takes root")
	}
	require.NoError(t, syscall.Mknod(path, syscall.S_IFCHR|0o666, int(unix.Mkdev(1, 5))))
}
