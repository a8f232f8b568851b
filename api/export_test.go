package api

import (
	"testing"

	"go.uber.org/goleak"
)

// ReferenceCID gives the package's external tests (package api_test) the
// one boxo reference of cid_reference_test.go.
func ReferenceCID(t testing.TB, data []byte) string {
	t.Helper()
	return boxoCIDOf(t, data).cid
}

// VerifyNoLeak gives the external tests verifyNoLeak: goleak.VerifyNone,
// waiting up to leakWait for goroutines that are ending.
func VerifyNoLeak(t testing.TB, opts ...goleak.Option) {
	t.Helper()
	verifyNoLeak(t, opts...)
}
