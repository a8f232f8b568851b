package api

import "testing"

// bothOpens runs fn with openat2 and with the O_NOFOLLOW walk that kernels
// without openat2 get.
func bothOpens(t *testing.T, fn func(t *testing.T)) {
	t.Run("openat2", fn)
	t.Run("nofollow walk", func(t *testing.T) {
		was := noOpenat2.Swap(true)
		defer noOpenat2.Store(was)
		fn(t)
	})
}
