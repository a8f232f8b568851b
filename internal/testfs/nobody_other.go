//go:build unix && !linux

package testfs

import "testing"

// RerunAsNobody skips t: root reads every folder, and running a test as
// another user is written for Linux only (RunAsNobody).
func RerunAsNobody(t *testing.T) {
	t.Skip("root reads every folder whatever its mode; running the test as nobody is Linux-only")
}
