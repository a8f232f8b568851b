//go:build !linux

package api

import "testing"

// bothOpens runs fn with the one way openBeneath has here.
func bothOpens(t *testing.T, fn func(t *testing.T)) { fn(t) }
