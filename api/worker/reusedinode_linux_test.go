package worker

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// reuseTries is how many folders remadeWithNumberOf makes, at most, to
// get one the removed folder's inode number (ext4 gives a freed number
// to the next folder made in the same parent, most often at once).
const reuseTries = 200

// remadeWithNumberOf removes the folder dir and makes folders at made
// until one gets dir's inode number, the way ext4 reuses the numbers of
// removed files (testfs.MadeWithID). It reports whether one did (none in
// reuseTries: tmpfs, say, never reuses one). Before removing dir it waits
// until the file system stamps a later time than dir's birth, as it does
// for any folder made after a listing began: two folders born in one
// clock tick cannot be told apart by their birth. It runs on a walk's
// goroutine: no require.
func remadeWithNumberOf(dir, made string) (bool, error) {
	was, err := os.Stat(dir)
	if err != nil {
		return false, err
	}
	if err := waitPastBirthOf(dir); err != nil {
		return false, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return false, err
	}
	return testfs.MadeWithID(made, inodeOf(was), reuseTries, func(p string) error { return os.Mkdir(p, 0o755) },
		func(p string) (string, error) {
			fi, err := os.Stat(p)
			if err != nil {
				return "", err
			}
			return inodeOf(fi), nil
		})
}

// inodeOf is fi's inode number, as testfs.MadeWithID compares them.
func inodeOf(fi os.FileInfo) string {
	return strconv.FormatUint(fi.Sys().(*syscall.Stat_t).Ino, 10)
}

// waitPastBirthOf waits until a file made beside dir is born later than
// dir (statx's birth time; at once where the system gives none).
func waitPastBirthOf(dir string) error {
	born, ok := birthOf(dir)
	probe := dir + "-clock"
	defer func() { _ = os.Remove(probe) }()
	for deadline := time.Now().Add(10 * time.Second); ok; {
		if err := os.WriteFile(probe, nil, 0o600); err != nil {
			return err
		}
		now, _ := birthOf(probe)
		if now.After(born) {
			return nil
		}
		if err := os.Remove(probe); err != nil || time.Now().After(deadline) {
			return errors.Join(err, errors.New("the file system's clock did not move in 10 s"))
		}
	}
	return nil
}

// birthOf is the birth time statx gives of path, false when none.
func birthOf(path string) (time.Time, bool) {
	var st unix.Statx_t
	if unix.Statx(unix.AT_FDCWD, path, 0, unix.STATX_BTIME, &st) != nil || st.Mask&unix.STATX_BTIME == 0 {
		return time.Time{}, false
	}
	return time.Unix(st.Btime.Sec, int64(st.Btime.Nsec)), true
}

// TestFolderReplacedByALinkToAFolderWithItsNumberUploadsNoFileOfTheOther:
// the chosen folder removed while it is listed, another folder made that
// gets its inode number (ext4 reuses a freed one at once), and a symbolic
// link to that folder put at the chosen folder's path: the listing
// queues no file of the other folder, and nothing is recorded as the
// chosen folder's b.txt. Before, the walk took the other folder for the
// chosen one (same device and inode), and its b.txt was uploaded as the
// chosen folder's. Skipped where no folder gets the number in
// reuseTries (tmpfs never reuses one).
func TestFolderReplacedByALinkToAFolderWithItsNumberUploadsNoFileOfTheOther(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	good := e.write("pick/a.txt", []byte("a\n"))
	e.write("pick/b.txt", []byte("mine\n"))
	dir := filepath.Dir(good)
	testfs.SymlinkOrSkip(t, t.TempDir(), filepath.Join(t.TempDir(), "can-link")) // skips here, not in the walk
	cfg := e.config()
	other := dir + "-other"
	swapped, reused, swapErr := false, false, error(nil)
	cfg.beforeListingEntry = func(p string) { // off the test's goroutine: no require
		if filepath.Base(p) != "b.txt" || swapped {
			return
		}
		swapped = true
		if reused, swapErr = remadeWithNumberOf(dir, other); reused {
			swapErr = errors.Join(os.WriteFile(filepath.Join(other, "b.txt"), []byte("someone else's\n"), 0o600),
				os.Symlink(other, dir))
		}
	}
	q := e.queue(cfg)
	q.Add(Request{Path: dir})
	require.NoError(t, wait(t, q, hangGuard))
	require.True(t, swapped, "the listing reached b.txt")
	require.NoError(t, swapErr)
	if !reused {
		t.Skipf("no folder made beside %s got its inode number in %d tries: this file system does not reuse them at once", dir, reuseTries)
	}

	for _, u := range e.sandboxUploads() {
		assert.NotEqual(t, "b.txt", u.Name, "the other folder's b.txt was uploaded as the chosen folder's")
	}
	for _, h := range history(t, e.db) {
		assert.NotEqual(t, filepath.Join(dir, "b.txt"), h.LocalPath, "recorded as the chosen folder's b.txt: %+v", h)
	}
}

// TestFolderRemadeWithItsNumberWhileListedLeavesTheShareNotWhole: the
// chosen folder removed once the first rows of its listing are saved, and
// a folder made at its path that gets its inode number: the share says
// its folder left its path while it was listed (CutFolderGone), as for a
// folder moved away and back (TestFolderLeavingItsPathWhileListedLeavesTheShareNotWhole).
// Before, the look as the listing ends (and as an entry cannot be read)
// took the new folder for the one listed, same device and inode, and the
// share was called whole, lacking every file not listed yet. Skipped
// where no folder gets the number in reuseTries.
func TestFolderRemadeWithItsNumberWhileListedLeavesTheShareNotWhole(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.writeNumbered("trip/%02d.jpg", 40)
	dir := filepath.Join(e.files, "trip")
	cfg := e.config()
	hold := holdListingAt(&cfg, fmt.Sprintf("%02d.jpg", firstFlushRows))
	q := e.queue(cfg)
	t.Cleanup(hold.release)
	q.Add(Request{Path: dir})
	hold.awaitSavedUploaded(t, e, firstFlushRows) // 00.jpg to 07.jpg
	reused, err := remadeWithNumberOf(dir, dir)
	require.NoError(t, err)
	hold.release()
	require.NoError(t, wait(t, q, hangGuard))
	if !reused {
		t.Skipf("no folder made at %s got the removed one's inode number in %d tries: this file system does not reuse them at once", dir, reuseTries)
	}
	require.Empty(t, walksLeft(t, e.db), "listed")

	left := leftOf(t, e, shareOf(t, e, dir))
	assert.Equal(t, storage.CutFolderGone, left.Cut, "its folder left its path while it was listed: %+v", left)
}
