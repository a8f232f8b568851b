package api

import (
	"testing"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
)

// TestMain fails the package's tests if any goroutine (an upload's hasher,
// a transport's connection, a test server) outlives them.
func TestMain(m *testing.M) {
	leakcheck.VerifyTestMain(m)
}
