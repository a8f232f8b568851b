package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

// windowChild is the real window (this test binary run as
// `dstor-uploader ARGS...`) on the data folder home.
func windowChild(t *testing.T, home string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := testutil.ChildCommand(args...)
	// NO_AT_BRIDGE: GTK's accessibility bridge warns on stderr when the
	// session's accessibility bus is slow to answer, as on a busy machine;
	// what a launch prints is under test here, not that bus.
	cmd.Env = append(cmd.Env, storage.HomeEnv+"="+home, "LANG=C.UTF-8", "NO_AT_BRIDGE=1")
	// Under Wine, Wait for a killed window did not return (15 minutes in
	// ReadFile on its output pipe): the prefix's desktop process
	// (explorer.exe /desktop), which its first window starts, outlives the
	// window and holds that pipe. Once the window has exited, Wait waits
	// this long for its output, then closes the pipe.
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// startWindow starts the window on home for the sandbox and waits until
// it listens; who names it in the failure log. The test's cleanup kills it.
func startWindow(t *testing.T, home, who string) *exec.Cmd {
	t.Helper()
	w := windowChild(t, home, "--env", "sandbox")
	var out testutil.LockedBuffer
	w.Stdout, w.Stderr = &out, &out
	t.Cleanup(func() { logOnFailure(t, home, who, &out) })
	require.NoError(t, w.Start())
	t.Cleanup(func() { _ = w.Process.Kill(); _ = w.Wait() })
	require.Eventually(t, func() bool { return windowListens(home) },
		30*time.Second, 10*time.Millisecond, "%s listens", who)
	return w
}

// windowListens reports whether the window on home has claimed it and
// takes later launches: its socket is there, or on Windows, whose named
// pipe leaves no file, its database (opened only after the claim).
func windowListens(home string) bool {
	name := "window.sock"
	if runtime.GOOS == "windows" {
		name = storage.DBFileName
	}
	_, err := os.Stat(filepath.Join(home, name))
	return err == nil
}

// inHistory reports whether the history of home holds path, read while
// the window may be writing it.
func inHistory(t *testing.T, home, path string) bool {
	db, err := storage.Open(home)
	if err != nil {
		return false
	}
	defer db.Close()
	entries, err := db.HistoryPage(storage.HistoryQuery{Limit: 1000})
	require.NoError(t, err)
	for _, e := range entries {
		if e.LocalPath == path && e.Verified {
			return true
		}
	}
	return false
}

// TestSecondLaunchHandsFilesToTheRunningWindow runs two real windows under
// X: the second launch ("Open with" on a running window) hands its file to
// the first and exits 0 at once; the first uploads it. After the first is
// killed, its socket stays behind, and the next launch becomes the window
// itself and uploads its file.
func TestSecondLaunchHandsFilesToTheRunningWindow(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no X display: make test runs this under Xvfb")
	}
	home := t.TempDir()
	files := t.TempDir()
	first := startWindow(t, home, "the first window")

	second := testutil.WriteFile(t, filepath.Join(files, "second.txt"), 5000)
	launch := windowChild(t, home, "--env", "sandbox", second)
	var out testutil.LockedBuffer
	launch.Stdout, launch.Stderr = &out, &out
	start := time.Now()
	require.NoError(t, launch.Start())
	// Had it opened a window of its own, it would never exit.
	timer := time.AfterFunc(time.Minute, func() { _ = launch.Process.Kill() })
	defer timer.Stop()
	err := launch.Wait()
	took := time.Since(start)
	require.NoError(t, err, "the second launch exits 0: %s", out.String())
	assert.Empty(t, out.String(), "nothing to say")
	// A second on an idle machine; starting a -race binary on 2 busy
	// cores has taken 16 s (CI s18a). That the hand-off waits on none of
	// its timeouts is instance's TestSecondLaunchHandsItsFilesToTheWindow;
	// one that opens its own window never exits (the minute's timer above).
	t.Logf("second launch: started, handed over and exited in %s", took.Round(time.Millisecond))
	// Hang guards, not speed limits: under -race on 2 cores shared with
	// other builds a window has been seen to take 25 s to sign in to its
	// sandbox and upload a 5 kB file.
	handedOver := time.Now()
	require.Eventually(t, func() bool { return inHistory(t, home, second) },
		150*time.Second, 50*time.Millisecond, "the running window uploads the handed-over file")
	t.Logf("the handed-over file was in the history %s after the second launch exited", time.Since(handedOver).Round(time.Millisecond))

	// A crash leaves the socket (Windows removes a pipe with its process);
	// the next launch becomes the window.
	require.NoError(t, first.Process.Signal(syscall.SIGKILL))
	_ = first.Wait()
	if runtime.GOOS != "windows" {
		_, err = os.Stat(filepath.Join(home, "window.sock"))
		require.NoError(t, err, "the killed window's socket is left behind")
	}
	third := testutil.WriteFile(t, filepath.Join(files, "third.txt"), 7000)
	next := windowChild(t, home, "--env", "sandbox", third)
	var nextOut testutil.LockedBuffer
	next.Stdout, next.Stderr = &nextOut, &nextOut
	t.Cleanup(func() { logOnFailure(t, home, "window after the crash", &nextOut) })
	started := time.Now()
	require.NoError(t, next.Start())
	exited := make(chan error, 1)
	go func() { exited <- next.Wait() }()
	t.Cleanup(func() { _ = next.Process.Kill(); <-exited })
	require.Eventually(t, func() bool { return inHistory(t, home, third) },
		300*time.Second, 50*time.Millisecond, "the new window uploads its own file")
	t.Logf("the window after the crash had its own file in the history after %s", time.Since(started).Round(time.Millisecond))
	select {
	case err := <-exited:
		t.Fatalf("the launch after the crash exited (%v) instead of being the window", err)
	default:
	}
}

// logOnFailure prints, for a failed test, what a window said and where each
// job of its queue stood, so that a run that timed out can be read later.
func logOnFailure(t *testing.T, home, who string, out *testutil.LockedBuffer) {
	t.Helper()
	if !t.Failed() {
		return
	}
	t.Logf("%s said:\n%s", who, out.String())
	db, err := storage.Open(home)
	if err != nil {
		t.Logf("open the history to show the queue: %v", err)
		return
	}
	defer db.Close()
	rows, err := db.Jobs()
	if err != nil {
		t.Logf("read the queue: %v", err)
	}
	for _, r := range rows {
		t.Logf("job %s: %s, %d attempts, error %q", r.Name, r.State, r.Attempts, r.Error)
	}
}

// TestLaunchTheWindowRefuses: a launch whose files the running window
// refuses (it could not save them, or its destination is not valid)
// exits 1 with the window's sentence, and opens no window of its own. It
// says only that sentence, none of its paths not there: on Windows it is
// what a message box shows, and opening the files again names them.
func TestLaunchTheWindowRefuses(t *testing.T) {
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	srv, handed, err := instance.Claim(t.Context(), home, instance.Request{})
	require.NoError(t, err)
	require.False(t, handed)
	t.Cleanup(func() { _ = srv.Close() })
	const why = "Nothing was added: the folder path is only spaces. Correct it on the Upload tab of the dStor Uploader window, then open the files again."
	go func() {
		for h := range srv.Requests() {
			h.Fail(why)
		}
	}()
	openWindow = func(ui.Options) error { t.Error("no window opens"); return nil }
	windowFaked(t)
	file := testutil.WriteFile(t, filepath.Join(t.TempDir(), "refused.txt"), 10)
	code, out, errOut := runCLI(t, "", file, filepath.Join(filepath.Dir(file), "refsued.txt"))
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "dstor-uploader: "+why+"\n", errOut)
}

// TestWindowWithoutADisplaySaysWhatToDo: dstor-uploader run where there is
// no display (an SSH session: neither DISPLAY nor WAYLAND_DISPLAY) panicked
// inside GLFW with a Go stack trace. It now says there is no display and
// what to do instead, and exits 1; its files are not lost in a crash. It
// says so before it claims the data folder, so nothing is made on disk
// (the data folder and its window.lock were made first, on a first run
// too): as a refused flag, a window that cannot open changes nothing.
func TestWindowWithoutADisplaySaysWhatToDo(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("Windows and macOS always have a display")
	}
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	file := testutil.WriteFile(t, filepath.Join(t.TempDir(), "report.pdf"), 10)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"a file", []string{file}},
		{"nothing", nil},
		{"--home", []string{"--home", "HOME"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			t.Setenv(storage.HomeEnv, home)
			args := slices.Clone(tc.args)
			for i, a := range args {
				if a == "HOME" {
					args[i] = home
				}
			}
			code, out, errOut := runCLI(t, "", args...)
			assert.Equal(t, 1, code, errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, "there is no display to open the window on")
			assert.Contains(t, errOut, "dstor-uploader upload FILE")
			assert.NotContains(t, errOut, "goroutine")
			assert.NoDirExists(t, home, "no window: nothing made on disk")
		})
	}
}

// TestWindowWithoutADisplayHandsItsFilesToTheRunningWindow: where no
// window can open (no display), files given still go to a window already
// running on the data folder, as an "Open with" does (exit 0, nothing
// said), and one it refuses says why (exit 1); the launch claims nothing.
func TestWindowWithoutADisplayHandsItsFilesToTheRunningWindow(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("Windows and macOS always have a display")
	}
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	srv, handed, err := instance.Claim(t.Context(), home, instance.Request{})
	require.NoError(t, err)
	require.False(t, handed)
	t.Cleanup(func() { _ = srv.Close() })
	const why = "Nothing was added: the folder path is only spaces."
	got := make(chan []string, 2)
	go func() {
		for h := range srv.Requests() {
			got <- h.Paths
			if strings.HasSuffix(h.Paths[0], "refused.txt") {
				h.Fail(why)
				continue
			}
			h.Done()
		}
	}()
	t.Setenv("DISPLAY", "")
	t.Setenv("WAYLAND_DISPLAY", "")
	taken := testutil.WriteFile(t, filepath.Join(t.TempDir(), "taken.txt"), 10)
	code, out, errOut := runCLI(t, "", taken)
	assert.Equal(t, 0, code, errOut)
	assert.Empty(t, out+errOut)
	assert.Equal(t, []string{taken}, handedOn(t, got))

	refused := testutil.WriteFile(t, filepath.Join(t.TempDir(), "refused.txt"), 10)
	code, out, errOut = runCLI(t, "", refused)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, "dstor-uploader: "+why+"\n", errOut)
	assert.Equal(t, []string{refused}, handedOn(t, got))
}

// handedOn is the paths the running window got next, or none when it got
// nothing (the launch has returned, so it never will).
func handedOn(t *testing.T, got <-chan []string) []string {
	select {
	case paths := <-got:
		return paths
	default:
		t.Error("the running window got nothing")
		return nil
	}
}

// windowFaked is called once a test has replaced openWindow: a display is
// taken as there (the fake needs none), and both are restored as the test
// ends.
func windowFaked(t *testing.T) {
	windowDisplay = func() error { return nil }
	t.Cleanup(func() { openWindow, windowDisplay = ui.Run, ui.CheckDisplay })
}

// TestSecondLaunchWithAPathNotThereQueuesItNot runs two real windows under
// X: a second launch ("Open with" on a running window, or a name typed
// wrong in a terminal) with a file and a path not there handed both to
// the running window, which uploaded the file and queued a failed job for
// the path, "put it back". The launch still exits 0, the file is uploaded,
// and nothing is queued for the path (the window says so: ui's
// TestHandoffWithAPathNotThereQueuesItNot; the launch too, on stderr).
func TestSecondLaunchWithAPathNotThereQueuesItNot(t *testing.T) {
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no X display: make test runs this under Xvfb")
	}
	home := t.TempDir()
	files := t.TempDir()
	startWindow(t, home, "the running window")

	good := testutil.WriteFile(t, filepath.Join(files, "report.pdf"), 5000)
	typo := filepath.Join(files, "reprot.pdf")
	launch := windowChild(t, home, good, typo)
	var out testutil.LockedBuffer
	launch.Stdout, launch.Stderr = &out, &out
	require.NoError(t, launch.Start())
	// Had it opened a window of its own, it would never exit.
	timer := time.AfterFunc(time.Minute, func() { _ = launch.Process.Kill() })
	defer timer.Stop()
	require.NoError(t, launch.Wait(), "the second launch exits 0: %s", out.String())
	assert.Equal(t, "dstor-uploader: \""+typo+"\" does not exist — check the name; the window added nothing for it\n", out.String(),
		"the launch says the path not there where it was typed (TestLaunchHandedOnNamesItsPathsNotThere)")
	// A hang guard, not a speed limit (see TestSecondLaunchHandsFilesToTheRunningWindow).
	require.Eventually(t, func() bool { return inHistory(t, home, good) },
		150*time.Second, 50*time.Millisecond, "the running window uploads the file there")

	db, err := storage.Open(home)
	require.NoError(t, err)
	defer db.Close()
	jobs, err := db.Jobs()
	require.NoError(t, err)
	for _, j := range jobs {
		assert.NotEqual(t, typo, j.LocalPath, "a job for the path not there: %s, %q", j.State, j.Error)
	}
	assert.Len(t, jobs, 1)
}

// TestLaunchHandedOnNamesItsPathsNotThere: `dstor-uploader report.pdf
// reprot.pdf` typed in a terminal while the window runs handed both to it,
// which named the path not there in a notice and queued nothing for it,
// but the launch exited 0 saying nothing, so a person at the terminal (or
// over ssh, with no display) never learned of the typo unless they looked
// at the window. It now says, on stderr, the command line's sentence for
// each path not there (once for a path named twice), and still hands over
// what it did and exits 0. Both routes to a running window: the claim, and
// a launch with no display (handOffOnly).
func TestLaunchHandedOnNamesItsPathsNotThere(t *testing.T) {
	dir := t.TempDir()
	good := testutil.WriteFile(t, filepath.Join(dir, "report.pdf"), 10)
	notes := testutil.WriteFile(t, filepath.Join(dir, "notes.txt"), 10)
	typo := filepath.Join(dir, "reprot.pdf")
	through := filepath.Join(notes, "x")
	want := "dstor-uploader: \"" + typo + "\" does not exist — check the name; the window added nothing for it\n" +
		"dstor-uploader: \"" + through + "\" does not exist — its path goes through \"" + notes + "\", a file, not a folder: check the path; the window added nothing for it\n"
	for _, route := range []string{"a display", "no display"} {
		t.Run(route, func(t *testing.T) {
			if route == "no display" && (runtime.GOOS == "windows" || runtime.GOOS == "darwin") {
				t.Skip("Windows and macOS always have a display")
			}
			home := t.TempDir()
			t.Setenv(storage.HomeEnv, home)
			srv, handed, err := instance.Claim(t.Context(), home, instance.Request{})
			require.NoError(t, err)
			require.False(t, handed)
			t.Cleanup(func() { _ = srv.Close() })
			got := make(chan []string, 1)
			go func() {
				for h := range srv.Requests() {
					got <- h.Paths
					h.Done()
				}
			}()
			if route == "a display" {
				openWindow = func(ui.Options) error { t.Error("no window opens"); return nil }
				windowFaked(t)
			} else {
				t.Setenv("DISPLAY", "")
				t.Setenv("WAYLAND_DISPLAY", "")
			}
			code, out, errOut := runCLI(t, "", good, typo, through, typo)
			assert.Equal(t, 0, code, errOut)
			assert.Empty(t, out)
			assert.Equal(t, want, errOut)
			assert.Equal(t, []string{good, typo, through, typo}, handedOn(t, got), "handed over as before")
		})
	}
}

// TestLaunchThatIsTheWindowLeavesItsPathsNotThereToIt: a launch that
// becomes the window (none runs on the data folder) says nothing of its
// paths not there on stderr: the window's notice names them, once.
func TestLaunchThatIsTheWindowLeavesItsPathsNotThereToIt(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	good := testutil.WriteFile(t, filepath.Join(t.TempDir(), "report.pdf"), 10)
	typo := filepath.Join(filepath.Dir(good), "reprot.pdf")
	var opened []string
	openWindow = func(o ui.Options) error { opened = o.Files; return nil }
	windowFaked(t)
	code, out, errOut := runCLI(t, "", good, typo)
	assert.Equal(t, 0, code, errOut)
	assert.Empty(t, out+errOut)
	assert.Equal(t, []string{good, typo}, opened, "the window gets both, and names the one not there")
}

// TestLaunchTypedWithATildeSaysSo: `dstor-uploader.exe ~\report.pdf` typed
// in cmd (which never replaces ~; or `dstor-uploader "~/report.pdf"`,
// quoted) got "does not exist — check the name" from the window and on
// the terminal of a launch handed to it, where `upload` says that ~ was
// not replaced and names the file meant: the launch handed over only the
// path made absolute. It now hands over each path as typed too
// (instance.Request.Typed, ui.Options.Typed), so both say what upload
// says.
func TestLaunchTypedWithATildeSaysSo(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	report := testutil.WriteFile(t, filepath.Join(home, "report.pdf"), 10)
	dir := t.TempDir()
	t.Chdir(dir)
	typed := "~" + string(filepath.Separator) + "report.pdf"
	abs := filepath.Join(dir, "~", "report.pdf")
	advice := "~ is not expanded inside quotes: write it outside them"
	if runtime.GOOS == "windows" {
		advice = "~ is not expanded on Windows: write %USERPROFILE% for it"
	}
	hint := `"` + abs + `" does not exist — ` + advice + `, or the full path, "` + report + `"` // upload's

	t.Run("the window", func(t *testing.T) {
		t.Setenv(storage.HomeEnv, t.TempDir())
		var opts ui.Options
		openWindow = func(o ui.Options) error { opts = o; return nil }
		windowFaked(t)
		code, out, errOut := runCLI(t, "", typed)
		assert.Equal(t, 0, code, errOut)
		assert.Empty(t, out+errOut)
		assert.Equal(t, []string{abs}, opts.Files)
		assert.Equal(t, []string{typed}, opts.Typed, "the notice gets the spelling: ui's TestLaunchTypedWithATildeSaysSo")
	})
	t.Run("handed on", func(t *testing.T) {
		home := t.TempDir()
		t.Setenv(storage.HomeEnv, home)
		srv, handed, err := instance.Claim(t.Context(), home, instance.Request{})
		require.NoError(t, err)
		require.False(t, handed)
		t.Cleanup(func() { _ = srv.Close() })
		got := make(chan instance.Request, 1)
		go func() {
			for h := range srv.Requests() {
				got <- h.Request
				h.Done()
			}
		}()
		openWindow = func(ui.Options) error { t.Error("no window opens"); return nil }
		windowFaked(t)
		code, out, errOut := runCLI(t, "", typed)
		assert.Equal(t, 0, code, errOut)
		assert.Empty(t, out)
		assert.Equal(t, "dstor-uploader: "+hint+"; the window added nothing for it\n", errOut)
		req := <-got
		assert.Equal(t, []string{abs}, req.Paths)
		assert.Equal(t, []string{typed}, req.Typed)
	})
}
