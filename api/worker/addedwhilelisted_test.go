package worker

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFileAddedToAListedFolderWhileListedIsSent: a big folder takes
// minutes to list; a file put into one of its folders that held files,
// once that folder was listed and before the listing ended, was never
// sent, and nothing said so: the share was called the whole folder. Each
// folder whose entries changed since it was listed (its modification
// time, or one too close to when it was listed to tell) is now listed
// again as the listing ends, once: the new file is sent, and so is a
// folder made in it meanwhile with its file; what was listed before
// (files, a link skipped) is not queued or said twice. The changes are
// made while the listing looks at z.jpg, listed after a/.
func TestFileAddedToAListedFolderWhileListedIsSent(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := filepath.Join(e.files, "trip")
	e.writeNumbered("trip/a/%02d.jpg", 3)
	hasLink := testfs.Symlink(t, filepath.Join(dir, "a", "00.jpg"), filepath.Join(dir, "a", "link.jpg"))
	z := e.write("trip/z.jpg", []byte("z"))
	late, sub := filepath.Join(dir, "a", "late.jpg"), filepath.Join(dir, "a", "new", "x.jpg")
	cfg := e.config()
	cfg.beforeListingEntry = func(p string) {
		if p == z {
			assert.NoError(t, os.WriteFile(late, []byte("late\n"), 0o600))
			assert.NoError(t, os.MkdirAll(filepath.Dir(sub), 0o755))
			assert.NoError(t, os.WriteFile(sub, []byte("x\n"), 0o600))
		}
	}
	q := e.queue(cfg)
	seen := watchAlreadyQueued(t, q)
	q.Add(Request{Path: dir})
	require.NoError(t, wait(t, q, hangGuard))

	jobs := q.Jobs()
	got := jobsByPath(jobs)
	assert.Equal(t, storage.JobDone, got[late].State, "put in after a/ was listed: %+v", got[late])
	assert.Equal(t, "/trip/a/", got[late].FolderPath)
	assert.Equal(t, storage.JobDone, got[sub].State, "a folder made meanwhile, listed whole: %+v", got[sub])
	assert.Equal(t, "/trip/a/new/", got[sub].FolderPath)
	want := 3 + 1 + 2 // a's files, z.jpg, late.jpg and new/x.jpg
	if hasLink {
		want++
		assert.Equal(t, ReasonSymlink, got[filepath.Join(dir, "a", "link.jpg")].Reason)
	}
	assert.Len(t, jobs, want, "each entry once: %v", jobs)
	requireHistoryOnce(t, e.db, jobs)
	left := leftOf(t, e, shareOf(t, e, dir))
	assert.Zero(t, left.Dropped)
	assert.Zero(t, left.Pending)
	assert.Zero(t, seen.total(), "no file listed before is told as already queued")
}

// TestChangedSinceListed: a folder listed is listed again as the listing
// ends when an entry was made in it since (its modification time moved),
// when another folder is at its path, or when its modification time was
// too close to the look before its listing to tell a change made just
// after (the file system's clock tick; two seconds for one that keeps
// whole seconds); not when it is unchanged, gone, or a file now.
func TestChangedSinceListed(t *testing.T) {
	mod := time.Date(2026, 12, 6, 11, 0, 0, 123_456_700, time.UTC) // in 100 ns, as Windows keeps times
	whole := mod.Truncate(time.Second)
	tests := []struct {
		name   string
		mod    time.Time                      // the folder's time when looked at
		after  time.Duration                  // when it was looked at, after mod
		change func(t *testing.T, dir string) // after the listing
		want   bool
	}{
		{"unchanged", mod, time.Second, func(*testing.T, string) {}, false},
		{"a file made in it", mod, time.Second, func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "late.jpg"), []byte("late"), 0o600))
		}, true},
		{"a file made in it, its time put back (touch -d)", mod, time.Second, func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "late.jpg"), []byte("late"), 0o600))
			require.NoError(t, os.Chtimes(dir, time.Time{}, mod))
			skipWithoutChangeTime(t, dir)
		}, true},
		{"changed just before it was looked at", mod, modTimeTick / 2, func(*testing.T, string) {}, true},
		{"whole seconds, changed a second before", whole, time.Second, func(*testing.T, string) {}, true},
		{"whole seconds, changed long before", whole, 3 * time.Second, func(*testing.T, string) {}, false},
		{"its time ahead of the clock", mod, -time.Minute, func(*testing.T, string) {}, true},
		{"another folder at its path", mod, time.Second, func(t *testing.T, dir string) {
			require.NoError(t, os.Rename(dir, dir+"-moved"))
			require.NoError(t, os.Mkdir(dir, 0o755))
			require.NoError(t, os.Chtimes(dir, time.Time{}, mod))
		}, true},
		{"gone", mod, time.Second, func(t *testing.T, dir string) { require.NoError(t, os.Remove(dir)) }, false},
		{"a file now", mod, time.Second, func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(dir))
			require.NoError(t, os.WriteFile(dir, nil, 0o600))
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "a")
			require.NoError(t, os.Mkdir(dir, 0o755))
			require.NoError(t, os.Chtimes(dir, time.Time{}, tt.mod))
			f := &folderWalk{w: &walk{ctx: t.Context()}, listedDirs: map[string]listedDir{}}
			f.noteListed(dir, listedDirNow(dir))
			was := f.listedDirs[dir]
			require.NotNil(t, was.fi)
			if !was.fi.ModTime().Equal(tt.mod) {
				t.Skipf("this file system keeps %v for %v", was.fi.ModTime(), tt.mod)
			}
			was.at = tt.mod.Add(tt.after) // looked at then
			f.listedDirs[dir] = was
			tt.change(t, dir)
			assert.Equal(t, tt.want, f.changedSinceListed(dir))
		})
	}
}

// TestFileAddedToAListedFolderWhoseTimeIsPutBackIsSent: a program that
// copies times (touch -d, tar, rsync -t, cp -p) can put a folder's
// modification time back after a file is made in it; once the folder was
// listed, the file was never sent, nothing said so, and the run ended 0.
// The folder's change time, which setting its times moves, says it
// changed: the file is sent. Where the system gives no change time
// (Windows, the BSDs), the modification time alone decides (skipped).
func TestFileAddedToAListedFolderWhoseTimeIsPutBackIsSent(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := filepath.Join(e.files, "trip")
	a := filepath.Join(dir, "a")
	e.writeNumbered("trip/a/%02d.jpg", 3)
	z := e.write("trip/z.jpg", []byte("z"))
	long := time.Now().Add(-time.Hour).Truncate(time.Microsecond) // not too close to tell
	require.NoError(t, os.Chtimes(a, time.Time{}, long))
	skipWithoutChangeTime(t, a)
	late := filepath.Join(a, "late.jpg")
	cfg := e.config()
	cfg.beforeListingEntry = func(p string) {
		if p == z {
			assert.NoError(t, os.WriteFile(late, []byte("late\n"), 0o600))
			assert.NoError(t, os.Chtimes(a, time.Time{}, long))
		}
	}
	q := e.queue(cfg)
	q.Add(Request{Path: dir})
	require.NoError(t, wait(t, q, hangGuard))

	jobs := q.Jobs()
	got := jobsByPath(jobs)
	assert.Equal(t, storage.JobDone, got[late].State, "put in after a/ was listed, a/'s time put back: %+v", got[late])
	assert.Equal(t, "/trip/a/", got[late].FolderPath)
	assert.Len(t, jobs, 3+1+1, "each entry once: %v", jobs)
	requireHistoryOnce(t, e.db, jobs)
}

// skipWithoutChangeTime skips the test where stat gives no change time
// (api.ChangedAt is the modification time), dir's modification time
// having just been set to another than now: there a time put back
// cannot be told from no change.
func skipWithoutChangeTime(t *testing.T, dir string) {
	t.Helper()
	fi, err := os.Lstat(dir)
	require.NoError(t, err)
	if api.ChangedAt(fi).Equal(fi.ModTime()) {
		t.Skip("this system gives no change time: a folder's time put back cannot be told from no change")
	}
}
