package cli

import (
	"context"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAStopExitsWith128PlusItsSignal: a command a signal stopped exits
// with what a shell reports ($?) of a process that signal ended, 128 + its
// number, so a script or a supervisor reads either the same. SIGTERM (kill,
// systemd, a Windows console closed) gave 130, Ctrl+C's, where a hang-up
// already gave 129; Ctrl+\ at login's prompt gives 131.
func TestAStopExitsWith128PlusItsSignal(t *testing.T) {
	for _, tc := range []struct {
		name string
		sig  syscall.Signal
		code int
	}{
		{"Ctrl+C", syscall.SIGINT, 130},
		{"a hang-up", syscall.SIGHUP, 129},
		{"SIGTERM", syscall.SIGTERM, 143},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, stop := context.WithCancelCause(context.Background())
			stop(&stoppedBy{signal: tc.sig})
			assert.Equal(t, tc.code, stopStatus(ctx), "a command stopped by %s", tc.sig)
			assert.Equal(t, tc.code, (&promptEndedError{Signal: tc.sig}).exitCode(), "login's prompt ended by %s", tc.sig)
		})
	}
	t.Run("Ctrl+\\ at the prompt", func(t *testing.T) {
		assert.Equal(t, 131, (&promptEndedError{Signal: syscall.SIGQUIT}).exitCode())
	})
}
