package worker

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// runAsNobody runs test t again, from a copy of this test binary, as the
// user nobody, for whom a folder's mode counts (root reads every folder),
// and fails t when that run fails.
func runAsNobody(t *testing.T) {
	t.Helper()
	top := t.TempDir()
	testfs.OpenToNobody(t, top)
	out := string(testfs.RunAsNobody(t, top, t.Name(), "HOME="+top)) // root's home is closed to nobody
	assert.NotContains(t, out, "no tests to run", "the test ran as nobody")
	assert.Contains(t, out, "PASS")
}
