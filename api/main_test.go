package api

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine (an upload's hasher,
// a transport's connection, a test server) outlives them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
