//go:build unix

package instance

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSocketIsTheUsersAlone(t *testing.T) {
	dir := t.TempDir()
	claimOrFail(t, dir)
	fi, err := os.Stat(filepath.Join(dir, socketName))
	require.NoError(t, err)
	assert.Equal(t, os.ModeSocket, fi.Mode().Type())
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// A window killed with SIGKILL leaves its socket behind; the next launch
// must become the window, not hand its files to nobody. (The child is this
// test binary holding the claim, see TestMain.)
func TestStaleClaimAfterCrash(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), holdEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	require.Equal(t, "claimed\n", line)

	// While it runs, a launch hands over.
	_, handed, err := Claim(t.Context(), dir, Request{})
	require.NoError(t, err)
	assert.True(t, handed)

	// A window that hangs (stopped here) takes no hand-off: the launch
	// gives up after HandoffTimeout, it does not wait for ever.
	require.NoError(t, cmd.Process.Signal(syscall.SIGSTOP))
	waitStopped(t, cmd.Process.Pid)
	start := time.Now()
	_, handed, err = Claim(t.Context(), dir, Request{})
	assert.ErrorIs(t, err, ErrNotAnswering)
	assert.False(t, handed)
	t.Logf("gave up on a hung window after %s", time.Since(start).Round(time.Millisecond))

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()
	_, err = os.Stat(filepath.Join(dir, socketName))
	require.NoError(t, err, "the killed window's socket is still there")

	start = time.Now()
	srv := claimOrFail(t, dir)
	t.Logf("claimed over a stale socket in %s", time.Since(start))
	go func() { h := <-srv.Requests(); h.Done() }()
	_, handed, err = Claim(t.Context(), dir, Request{Paths: []string{"/x"}})
	require.NoError(t, err)
	assert.True(t, handed, "the new window takes hand-offs")
}

// waitStopped waits until process pid is stopped (SIGSTOP is delivered
// asynchronously), where /proc tells, within a 2-minute hang guard: the
// kernel stops it at its next scheduling, which on a loaded machine is no
// given time, and a process never stopped waits forever.
func waitStopped(t *testing.T, pid int) {
	stat := fmt.Sprintf("/proc/%d/stat", pid)
	if _, err := os.Stat(stat); err != nil {
		t.Skip("no /proc to tell when the window is stopped")
	}
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(stat)
		if err != nil {
			return false
		}
		// pid (comm) state ...: the state follows the last ')'.
		rest := b[bytes.LastIndexByte(b, ')')+1:]
		return len(bytes.TrimSpace(rest)) > 0 && bytes.TrimSpace(rest)[0] == 'T'
	}, 2*time.Minute, time.Millisecond, "the window stops")
}

// Another program (a cleaner of old files in /tmp) removes the window's
// socket while it runs. The window puts it back, so a later launch hands
// its files over instead of waiting HandoffTimeout for a socket that never
// comes and then opening a second window; twice in a row, as the socket
// put back can go the same way.
func TestRemovedSocketIsPutBack(t *testing.T) {
	dir := t.TempDir()
	srv := claimAnswering(t, dir)
	sock := filepath.Join(dir, socketName)
	for i := range 2 {
		require.NoError(t, os.Remove(sock))
		start := time.Now()
		second, handed, err := Claim(t.Context(), dir, Request{Paths: []string{"/a.txt"}})
		require.NoError(t, err, "round %d", i)
		assert.True(t, handed, "round %d: the files go to the running window", i)
		assert.Nil(t, second, "round %d: no second window", i)
		t.Logf("round %d: handed over %s after the socket was removed", i, time.Since(start).Round(time.Millisecond))
		fi, err := os.Stat(sock)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "the socket put back is the user's alone")
	}
	require.NoError(t, srv.Close())
	_, err := os.Lstat(sock)
	assert.ErrorIs(t, err, os.ErrNotExist, "a window that quits takes its socket with it")
	claimOrFail(t, dir)
}

// A window that holds the data folder but whose socket is gone (one that
// does not put it back: an older version) cannot be reached. The launch
// gives up after HandoffTimeout and says what it found, not that the
// window is "not listening yet" as if it were starting.
func TestLaunchSaysTheSocketIsMissing(t *testing.T) {
	dir := t.TempDir()
	lock, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	require.NoError(t, err)
	t.Cleanup(func() { lock.Close() })
	require.NoError(t, tryLock(lock)) // a window without its socket
	// The launch's time runs out while it waits between two tries, or
	// while it dials (which then fails for want of time, not of a socket:
	// here, a time already over).
	short, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	over, cancelOver := context.WithCancel(t.Context())
	cancelOver()
	for _, ctx := range []context.Context{short, over} {
		_, handed, err := Claim(ctx, dir, Request{Paths: []string{"/a.txt"}})
		assert.False(t, handed)
		require.ErrorIs(t, err, ErrNotAnswering)
		assert.Equal(t, "another dStor Uploader window holds this data folder, but it could not be reached: there is no window.sock in it", err.Error())
	}
}

// Another program puts something else where the window's socket was: a
// regular file, a symbolic link, or a socket nobody listens on (a backup
// of the data folder restored over it). The window puts its own socket
// back, as for one removed; it left anything that was not missing alone,
// so every later launch waited HandoffTimeout and gave up.
func TestReplacedSocketIsPutBack(t *testing.T) {
	dir := t.TempDir()
	claimAnswering(t, dir)
	sock := filepath.Join(dir, socketName)
	for _, c := range []struct {
		name    string
		replace func() error
	}{
		{"a regular file", func() error { return os.WriteFile(sock, []byte("not a socket"), 0o600) }},
		{"a symbolic link to nowhere", func() error { return os.Symlink(filepath.Join(dir, "gone.sock"), sock) }},
		{"a socket nobody listens on", func() error {
			ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
			if err != nil {
				return err
			}
			ln.SetUnlinkOnClose(false)
			return ln.Close()
		}},
	} {
		require.NoError(t, os.Remove(sock))
		require.NoError(t, c.replace(), c.name)
		start := time.Now()
		second, handed, err := Claim(t.Context(), dir, Request{Paths: []string{"/a.txt"}})
		require.NoError(t, err, c.name)
		assert.True(t, handed, "%s: the files go to the running window", c.name)
		assert.Nil(t, second, "%s: no second window", c.name)
		t.Logf("%s: handed over %s after it replaced the socket", c.name, time.Since(start).Round(time.Millisecond))
		fi, err := os.Lstat(sock)
		require.NoError(t, err)
		assert.Equal(t, os.ModeSocket, fi.Mode().Type(), c.name)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), "%s: the socket put back is the user's alone", c.name)
	}
}

// What the window's watch puts back and what it leaves: its own socket and
// a socket another window listens on stay (two windows never take turns
// replacing each other's); a missing one or a file goes.
func TestSocketGone(t *testing.T) {
	dir := t.TempDir()
	lock, err := takeLock(dir)
	require.NoError(t, err)
	t.Cleanup(func() { lock.Close() })
	ln, err := listenChannel(dir, lock)
	require.NoError(t, err)
	l := ln.(*socketListener)
	close(l.stop) // the watch ends: the test looks in its place
	<-l.watched
	t.Cleanup(func() { _ = l.ln.Close() })
	sock := filepath.Join(dir, socketName)
	assert.False(t, l.socketGone(), "its own socket")

	other := filepath.Join(dir, "other.sock")
	live, err := net.ListenUnix("unix", &net.UnixAddr{Name: other, Net: "unix"})
	require.NoError(t, err)
	defer live.Close()
	live.SetUnlinkOnClose(false)
	require.NoError(t, os.Rename(other, sock))
	assert.False(t, l.socketGone(), "a socket another window listens on")
	assert.NotNil(t, l.foreign, "remembered, not dialled again")
	assert.False(t, l.socketGone(), "the same one, again")

	require.NoError(t, os.Remove(sock))
	assert.True(t, l.socketGone(), "nothing")
	require.NoError(t, os.WriteFile(sock, nil, 0o600))
	assert.True(t, l.socketGone(), "a file")
}

// A cleaner of old files removes the window's lock file along with its
// socket (neither changes while the window runs). The window puts both
// back, so the next launch hands its files over: with the lock file gone,
// it made a new one, took it, and opened a second window on the folder.
func TestRemovedLockFileIsPutBack(t *testing.T) {
	dir := t.TempDir()
	srv := claimAnswering(t, dir)
	lock, sock := filepath.Join(dir, lockName), filepath.Join(dir, socketName)
	for i := range 2 {
		require.NoError(t, os.Remove(lock))
		require.NoError(t, os.Remove(sock))
		require.Eventually(t, func() bool {
			_, lerr := os.Lstat(lock)
			_, serr := os.Lstat(sock)
			return lerr == nil && serr == nil
		}, 2*time.Minute, 10*time.Millisecond, "round %d: the window puts its lock file and its socket back", i) // a hang guard: it looks every socketCheckInterval
		assert.True(t, claimed(dir), "round %d: and holds the lock", i)
		second, handed, err := Claim(t.Context(), dir, Request{Paths: []string{"/a.txt"}})
		require.NoError(t, err, "round %d", i)
		if second != nil {
			second.Close()
		}
		assert.True(t, handed, "round %d: the files go to the running window", i)
		assert.Nil(t, second, "round %d: no second window", i)
	}
	require.NoError(t, srv.Close())
	claimOrFail(t, dir)
}

// A lock file another window holds (a launch that came while the window's
// was gone, and took the folder) is left alone; one nobody holds is taken.
func TestKeepLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, lockName)
	lock, err := takeLock(dir)
	require.NoError(t, err)
	t.Cleanup(func() { lock.Close() })
	ln, err := listenChannel(dir, lock)
	require.NoError(t, err)
	l := ln.(*socketListener)
	close(l.stop) // the watch ends: the test calls it in its place
	<-l.watched
	t.Cleanup(func() { _ = l.ln.Close() })

	require.NoError(t, os.Remove(path))
	other, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	require.NoError(t, err)
	require.NoError(t, tryLock(other))
	l.foreign, _ = os.Lstat(l.path) // as if that window's socket were there
	l.keepLock()
	assert.NotNil(t, l.foreign, "another window's lock file is its own, and so is its socket")

	require.NoError(t, other.Close()) // that window ended; its file stays
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.WriteFile(path, nil, 0o600))
	l.keepLock()
	assert.Nil(t, l.foreign, "a lock file nobody holds is taken: a socket left alone for another window no longer is")
	assert.True(t, claimed(dir))
}
