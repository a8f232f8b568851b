// Package testfs makes file-system fixtures for tests that not every system
// can make, so that a test skips with the reason there instead of failing.
// Only tests import it.
package testfs

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/diskspace"
)

// WriteTemp writes data to a new file called name in a folder of its own,
// removed when the test ends, and returns the file's path.
func WriteTemp(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
	return path
}

// NoSymlinks is the reason a test skips where symbolic links cannot be made
// or followed.
const NoSymlinks = "this Windows cannot make symbolic links (it takes Developer Mode or an administrator; " +
	"Wine 8's CreateSymbolicLink reports success and makes nothing)"

// Symlink makes link point at target and reports whether it could. Only on
// Windows (no privilege for links, or Wine) may it return false; anywhere
// else a failure fails the test.
func Symlink(t testing.TB, target, link string) bool {
	t.Helper()
	err := os.Symlink(target, link)
	if err != nil && runtime.GOOS != "windows" {
		t.Fatalf("make a symbolic link: %v", err)
	}
	if err == nil && runtime.GOOS == "windows" {
		// Wine answers success without making anything.
		st, err := os.Lstat(link)
		return err == nil && st.Mode()&os.ModeSymlink != 0
	}
	return err == nil
}

// SymlinkOrSkip makes link point at target, skipping the test where no link
// can be made (see Symlink).
func SymlinkOrSkip(t testing.TB, target, link string) {
	t.Helper()
	if !Symlink(t, target, link) {
		t.Skip(NoSymlinks)
	}
}

// LinkChain makes in dir a chain of n symbolic links, link-0 to link-1
// and so on, the last to end (made or not), and returns link-0's path,
// skipping the test where no link can be made (see Symlink): a chain
// longer than the system follows (linkchain.MaxLinks) is a loop to it.
func LinkChain(t testing.TB, dir string, n int, end string) string {
	t.Helper()
	for i := range n {
		to := end
		if i < n-1 {
			to = fmt.Sprintf("link-%d", i+1)
		}
		SymlinkOrSkip(t, to, filepath.Join(dir, fmt.Sprintf("link-%d", i)))
	}
	return filepath.Join(dir, "link-0")
}

// Resolves reports whether a link made by Symlink can be followed (Wine's
// cannot).
func Resolves(link string) bool {
	_, err := os.Stat(link)
	return err == nil
}

// SmallDisk mounts a tmpfs of size bytes on a new temporary folder and
// returns it (unmounted at cleanup), or skips the test: mounting takes
// root on Linux (make test and make reliability run as root in CI). On
// Windows it lends one of the small drives make test-windows maps (see
// smallDrive).
func SmallDisk(t testing.TB, size int) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		return smallDrive(t, size)
	}
	return Tmpfs(t, fmt.Sprintf("size=%d,mode=0700", size))
}

// Tmpfs mounts a tmpfs with the mount options given ("ro,size=1m" for a
// disk mounted read-only, "nr_inodes=2" for one with room for one file)
// on a new temporary folder and returns it (unmounted at cleanup), or
// skips the test: mounting takes root, and Linux.
func Tmpfs(t testing.TB, options string) string {
	t.Helper()
	switch {
	case runtime.GOOS != "linux":
		t.Skip("a tmpfs can only be mounted on Linux (" + runtime.GOOS + " has none)")
	case os.Geteuid() != 0:
		t.Skip("mounting a tmpfs takes root on Linux")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", options, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// FillDisk writes a file into dir until its disk is full and returns a
// function that deletes it again.
func FillDisk(t testing.TB, dir string) (free func()) {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatalf("fill the disk: %v", err)
	}
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	if err := f.Close(); err != nil && !diskspace.Full(err) {
		t.Fatalf("fill the disk: %v", err)
	}
	return func() {
		if err := os.Remove(p); err != nil {
			t.Errorf("free the disk: %v", err)
		}
	}
}

// KeepDiskFull fills dir's disk (see FillDisk) and keeps it full, taking
// back any room a program frees, as other programs on a full disk would,
// until the returned function is called; that function also deletes the
// filler.
func KeepDiskFull(t testing.TB, dir string) (free func()) {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatalf("fill the disk: %v", err)
	}
	stop, done := make(chan struct{}), make(chan struct{})
	buf := make([]byte, 4096)
	fill := func() {
		for {
			if _, err := f.Write(buf); err != nil {
				return
			}
		}
	}
	fill()
	go func() {
		defer close(done)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				fill()
			}
		}
	}()
	return func() {
		close(stop)
		<-done
		_ = f.Close()
		if err := os.Remove(p); err != nil {
			t.Errorf("free the disk: %v", err)
		}
	}
}
