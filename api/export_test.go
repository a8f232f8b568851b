package api

import "testing"

// ReferenceCID gives the package's external tests (package api_test) the
// one boxo reference of cid_reference_test.go.
func ReferenceCID(t testing.TB, data []byte) string {
	t.Helper()
	return boxoCIDOf(t, data).cid
}
