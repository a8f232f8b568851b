//go:build unix && !linux

package worker

import "testing"

// runAsNobody skips t: root reads every folder, and running a test as
// another user is written for Linux only (testfs.RunAsNobody).
func runAsNobody(t *testing.T) {
	t.Skip("root reads every folder whatever its mode; running the test as nobody is Linux-only")
}
