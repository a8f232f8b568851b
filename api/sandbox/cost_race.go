//go:build race

package sandbox

import "golang.org/x/crypto/bcrypt"

// A sandbox built with the race detector is only ever a test's. There each
// bcrypt comparison runs many times slower, and on busy cores a password
// sign-in outlasted the client's limits in UI and CLI tests. No test checks
// the cost; binaries built without -race keep bcrypt's default.
func init() { bcryptCost = bcrypt.MinCost }
