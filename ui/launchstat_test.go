package ui

import (
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// hangBound is how long a test waits for what a blocked stat must not hold
// up: a bound on a hang (a failure, not a test that never ends), not a
// wait for an event.
const hangBound = 20 * time.Second

// blockStats makes each look at whether a launch's paths are there
// (splitPaths) wait until release is called, as a stat of a path on a
// network mount that does not answer does; started brings the paths of
// each look as it begins.
func blockStats(t *testing.T) (started <-chan []string, release func()) {
	t.Helper()
	begun := make(chan []string, 8)
	held := holdLooks(t)
	old := splitPaths
	replaceForTest(t, &splitPaths, func(paths, typed []string) ([]string, []*api.NotThereError) {
		begun <- paths
		held.wait()
		return old(paths, typed)
	})
	return begun, held.release
}

// within runs f on a goroutine and reports whether it returned within
// hangBound; done is closed once it has.
func within(f func()) (returned bool, done <-chan struct{}) {
	ended := make(chan struct{})
	go func() {
		defer close(ended)
		f()
	}()
	select {
	case <-ended:
		return true, ended
	case <-time.After(hangBound):
		return false, ended
	}
}

// waitOrFail waits for ch up to hangBound (a bound on a hang, not a wait
// for an event) and fails the test without it.
func waitOrFail[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(hangBound):
		require.FailNow(t, what+": still waiting after "+hangBound.String())
		panic("unreachable")
	}
}

// returnsWhileBlocked reports whether f returns while the stats are
// blocked; when it does not, it releases them and waits for f, so that
// the test fails rather than hangs.
func returnsWhileBlocked(f func(), release func()) bool {
	returned, done := within(f)
	if !returned {
		release()
		<-done
	}
	return returned
}

// pendingPaths are the paths a waits with for a sign-in, in order.
func pendingPaths(a *App) []string {
	var paths []string
	for _, p := range a.pending {
		paths = append(paths, p.path)
	}
	return paths
}

// TestLaunchPathsAreLookedAtOffTheUIGoroutine: `dstor-uploader a.pdf
// /mnt/nas/x` ("Open with") looked at each path, to tell those not there,
// as the window was built, before it showed: on a network mount that does
// not answer, a stat blocks for minutes, and no window appeared. The
// window now shows at once; the paths wait for a sign-in, in the order
// given, and those not there are named, once their stat returns. A window
// closed before that returns closes, not waiting for the stat.
func TestLaunchPathsAreLookedAtOffTheUIGoroutine(t *testing.T) {
	for _, closeFirst := range []bool{false, true} {
		t.Run(map[bool]string{false: "the stat returns", true: "the window closes first"}[closeFirst], func(t *testing.T) {
			e := newTestEnv(t)
			dir := t.TempDir()
			second := testutil.WriteFile(t, filepath.Join(dir, "b.pdf"), 10)
			first := testutil.WriteFile(t, filepath.Join(dir, "a.pdf"), 10)
			typo := filepath.Join(dir, "reprot.pdf")
			started, release := blockStats(t)
			e.a.Close()

			fa := test.NewTempApp(t)
			var a *App
			built := returnsWhileBlocked(func() {
				a = NewApp(fa, Deps{DB: e.db, Secrets: e.secrets, Home: e.dir, Files: []string{second, typo, first}, NoAutoSignIn: true})
			}, release)
			e.a = a
			t.Cleanup(a.Close)
			require.True(t, built, "the window is built while the stat of its launch paths is blocked")
			assert.Equal(t, []string{second, typo, first}, <-started, "the paths are looked at")
			e.ui(func() {
				assert.Empty(t, a.pending, "nothing waits before its stat returns")
				assert.Nil(t, a.win.Canvas().Overlays().Top(), "no notice before the stat returns")
			})
			if closeFirst {
				assert.True(t, returnsWhileBlocked(a.Close, release), "the window closes while the stat is blocked")
				release()
				err := a.notTaken()
				require.Error(t, err, "the paths not taken are said")
				assert.Equal(t, "the window was quit before it could look at the 3 files and folders it was opened with (a stat of a path on a network share "+
					"that does not answer can wait for minutes), so nothing was added to the queue for them; open them again once they answer:\n  "+
					second+"\n  "+typo+"\n  "+first, err.Error())
				return
			}
			release()
			e.eventually(func() bool { return len(a.pending) == 2 }, "the paths there wait for a sign-in once their stat returns")
			e.ui(func() {
				assert.Equal(t, []string{second, first}, pendingPaths(a), "in the order given")
				assert.True(t, a.signin.pending.Visible())
			})
			e.eventually(func() bool { return a.win.Canvas().Overlays().Top() != nil }, "the notice of the path not there")
			e.ui(func() {
				assert.Contains(t, overlayText(a.win.Canvas()), "“"+typo+"” does not exist. Check the name.")
			})
			a.Close()
			assert.NoError(t, a.notTaken(), "taken: nothing to say")
		})
	}
}

// TestLaunchFilesComeBeforeLaterLaunches: a later launch's files, handed
// over while the stat of the window's own launch paths is blocked, are
// taken after those, as launched; a window closed while a handed-over
// launch's stat is blocked closes (its launch is not answered, and
// becomes the next window), where Close waited for that stat.
func TestLaunchFilesComeBeforeLaterLaunches(t *testing.T) {
	e := newTestEnv(t)
	dir := t.TempDir()
	own := testutil.WriteFile(t, filepath.Join(dir, "own.pdf"), 10)
	later := testutil.WriteFile(t, filepath.Join(dir, "later.pdf"), 10)
	started, release := blockStats(t)
	e.a.Close()
	handoffs := make(chan instance.Handoff, 1)
	handoffs <- instance.Handoff{Request: instance.Request{Paths: []string{later}}}
	var a *App
	built := returnsWhileBlocked(func() {
		a = NewApp(test.NewTempApp(t), Deps{DB: e.db, Secrets: e.secrets, Home: e.dir, Files: []string{own}, Handoffs: handoffs, NoAutoSignIn: true})
	}, release)
	e.a = a
	t.Cleanup(a.Close)
	require.True(t, built, "the window is built while the stat of its launch paths is blocked")
	assert.Equal(t, []string{own}, <-started)
	release()
	assert.Equal(t, []string{later}, <-started)
	e.eventually(func() bool { return len(a.pending) == 2 }, "both launches' files wait for a sign-in")
	e.ui(func() { assert.Equal(t, []string{own, later}, pendingPaths(a)) })

	third := filepath.Join(dir, "third.pdf")
	started, release = blockStats(t)
	handoffs <- instance.Handoff{Request: instance.Request{Paths: []string{third}}}
	assert.Equal(t, []string{third}, <-started)
	assert.True(t, returnsWhileBlocked(a.Close, release), "the window closes while a handed-over launch's stat is blocked")
	release()
}
