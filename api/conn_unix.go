//go:build !windows

package api

import "syscall"

// lostConnErrnos are the system errors of a connection that was up and was
// then lost (reset or closed by the other end mid-request).
var lostConnErrnos = []error{syscall.ECONNRESET, syscall.EPIPE, syscall.ECONNABORTED}
