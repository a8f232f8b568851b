//go:build unix

package ui

import (
	"context"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/startsig"
	"github.com/dstor-uploader/dstor-uploader/storage"
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

// TestAHangUpWhileWaitingQuitsAsSIGTERMDoes: the window of a launch with
// files waits for the upload history ("Another dStor Uploader is
// updating…", or its own update) when the terminal that started it
// closes. Fyne ends the loop at SIGTERM (here the test stands in for its
// handler), and the wait ends as quit: the history opened meanwhile is
// closed, no window starts, and the files are named to open again (exit
// 1). A hang-up, which Fyne leaves alone, ended the process at once
// instead: the files named nowhere, the update in flight cut off. Each
// signal is sent to this process for real; guard takes it too, so that
// the test goes on if the window does not.
func TestAHangUpWhileWaitingQuitsAsSIGTERMDoes(t *testing.T) {
	files := []string{"/nas/report.pdf"}
	for _, tc := range []struct {
		sig      syscall.Signal
		fyneEnds bool // Fyne's own handler ends the loop on it
	}{
		{syscall.SIGTERM, true},
		{syscall.SIGHUP, false},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			if startsig.Ignored(tc.sig) {
				t.Skipf("this test process was started ignoring %s (nohup): the window rightly keeps ignoring it", tc.sig)
			}
			guard := make(chan os.Signal, 1)
			signal.Notify(guard, tc.sig)
			defer signal.Stop(guard)
			dir := t.TempDir()
			opened, err := storage.Open(dir)
			require.NoError(t, err)
			fa := newQueueLoop(t)
			w := newWaitingWindow(fa, dir, files)
			ready := func(context.Context) openedHistory {
				assert.NoError(t, syscall.Kill(os.Getpid(), tc.sig))
				<-guard
				if tc.fyneEnds {
					fa.Driver().Quit() // Fyne's handler: fyne.Do(d.Quit)
				}
				select { // the update goes on whatever the loop does: the history comes once it has ended
				case <-fa.drained:
				case <-time.After(20 * time.Second): // a bound on a hang, not a wait for an event
					t.Errorf("the waiting window did not quit at %s: the process would have ended at once", tc.sig)
					fa.Quit()
				}
				return openedHistory{db: opened}
			}
			r := runWaitingBound(t, fa, dir, w, ready, func(*storage.DB) *App {
				t.Errorf("the window started after %s", tc.sig)
				return nil
			})
			assert.True(t, r.a == nil, "no app")
			assert.True(t, r.db == nil, "no history")
			var notQueued *filesNotQueuedError
			require.ErrorAs(t, r.err, &notQueued, "the files not added are said (exit 1)")
			assert.Equal(t, files, notQueued.paths)
			_, err = opened.SchemaVersion()
			require.Error(t, err, "the history opened meanwhile is closed")
		})
	}
}
