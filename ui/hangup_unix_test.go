//go:build unix

package ui

import (
	"os"
	"os/signal"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/startsig"
)

// TestAHangUpQuitsTheWindowAsSIGTERMDoes: the window started from a
// terminal gets SIGHUP when that terminal closes. Fyne takes only SIGINT
// and SIGTERM, so a hang-up ended the process at once, as a kill does:
// the settings still being saved, a keyring write a sign-in or sign-out
// gave up waiting for, and the queue's close were lost, and the instance's
// socket stayed behind. Each signal is sent to this process for real;
// guard takes it too, so that the test goes on if the window does not.
func TestAHangUpQuitsTheWindowAsSIGTERMDoes(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			if startsig.Ignored(sig) {
				t.Skipf("this test process was started ignoring %s (nohup): the window rightly keeps ignoring it", sig)
			}
			guard := make(chan os.Signal, 1)
			signal.Notify(guard, sig)
			defer signal.Stop(guard)
			a := newTestEnv(t).a
			a.quitOnSignals()
			require.NoError(t, syscall.Kill(os.Getpid(), sig))
			<-guard
			require.Eventually(t, a.closed.Load, 10*time.Second, 5*time.Millisecond,
				"the window did not quit at %s: the process would have ended at once", sig)
		})
	}
}

// TestAHangUpIgnoredAtStartStaysIgnored: a window started under nohup
// (SIGHUP ignored) keeps ignoring a hang-up, as the commands do; Ctrl+C
// and SIGTERM quit it however it was started, since Fyne takes them
// anyway.
func TestAHangUpIgnoredAtStartStaysIgnored(t *testing.T) {
	for _, tc := range []struct {
		name    string
		ignored []os.Signal
		want    []os.Signal
	}{
		{"nothing ignored", nil, []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}},
		{"nohup", []os.Signal{syscall.SIGHUP}, []os.Signal{os.Interrupt, syscall.SIGTERM}},
		{"a background job: Ctrl+C ignored", []os.Signal{os.Interrupt}, []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}},
		{"both", []os.Signal{os.Interrupt, syscall.SIGHUP}, []os.Signal{os.Interrupt, syscall.SIGTERM}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := quitSignals(func(sig os.Signal) bool { return slices.Contains(tc.ignored, sig) })
			require.Equal(t, tc.want, got)
		})
	}
}
