package worker

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// otherPaths are the ways to name path, under e.files, that Windows opens
// as path itself, each with what it is: otherSpellings, and through a drive letter made for the
// folder e.files (subst). Sorted, for a stable table.
func otherPaths(t *testing.T, e *testEnv, path string) [][2]string {
	t.Helper()
	names := otherSpellings(t, path)
	names["a subst drive"] = substDrive(t, e.files) + strings.TrimPrefix(path, e.files)
	var out [][2]string
	for how, p := range names {
		out = append(out, [2]string{how, p})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// substDrive is a drive letter for the folder target (testfs.SubstOrSkip).
// Under Wine, whose subst makes no drive, that is a drive of Wine's own,
// whose root's final path Wine gives as itself (and the folder's as that
// drive): the final path of its root is then Windows' answer for a subst
// drive, the folder it stands for, until the test ends.
func substDrive(t *testing.T, target string) string {
	drive := testfs.SubstOrSkip(t, target)
	if testfs.UnderWine() {
		was := driveFinalPath
		driveFinalPath = func(path string) (string, error) {
			if strings.EqualFold(path, drive+`\`) {
				return `\\?\` + target, nil
			}
			return was(path)
		}
		t.Cleanup(func() { driveFinalPath = was })
	}
	return drive
}

// TestFolderAddedAgainByAnotherNameWhileItsFilesWaitIsQueuedOnce: a folder
// whose files wait in the queue (paused), added again by another name
// Windows opens as it (each of otherPaths), is already queued: nothing
// queued twice, each file uploaded once. Each row logs what happened.
func TestFolderAddedAgainByAnotherNameWhileItsFilesWaitIsQueuedOnce(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	dir := writeFolder(e, "Waiting Folder Name", 3)
	for i, name := range otherPaths(t, e, dir) {
		how, p := name[0], name[1]
		t.Run(how, func(t *testing.T) {
			dest := "/waiting" + string(rune('a'+i)) + "/"
			cfg := e.config()
			cfg.Paused = true
			q, err := New(cfg)
			require.NoError(t, err)
			defer func() { assert.NoError(t, q.Close()) }()
			seen := watchAlreadyQueued(t, q)
			q.Add(Request{Path: dir, FolderPath: dest})
			eventually(t, hangGuard, func() bool { return q.Summary().Queued == 3 && !q.Summary().Walking })
			q.Add(Request{Path: p, FolderPath: dest})
			eventually(t, hangGuard, func() bool { return !q.Summary().Walking })
			queued, already := q.Summary().Queued, seen.total()
			q.Resume()
			require.NoError(t, wait(t, q, hangGuard))
			sent := uploadsUnder(e, dest)
			t.Logf("%-24s added again while waiting: %d queued, %d already queued; %d upload(s) of 3 files, %d done (%s)",
				how, queued, already, sent, q.Summary().Done, p)
			assert.Equal(t, 3, queued, "nothing queued twice for %s", p)
			assert.Equal(t, 3, already, "the second add says already queued")
			assert.Equal(t, 3, q.Summary().Done, "%v", q.Jobs())
			assert.Equal(t, 3, sent, "each file sent once")
		})
	}
}

// TestOneFileByAnotherNameIsOneUpload: a file named twice on one command
// line, the second time by another name Windows opens as it (each of
// otherPaths), is one job and one upload; a new version of it uploaded by
// its own path and then added by that other name is found already
// uploaded, nothing sent. Each row logs what happened. Through a subst
// drive it was two jobs and two uploads, then uploaded again: the paths
// differed, and only folders were followed to where they lead.
func TestOneFileByAnotherNameIsOneUpload(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	file := e.write("Long Folder Name/Long File Name.txt", nil) // named before it is uploaded
	for i, name := range otherPaths(t, e, file) {
		how, p := name[0], name[1]
		t.Run(how, func(t *testing.T) {
			q, err := New(e.config()) // one queue at a time holds the account's lock
			require.NoError(t, err)
			defer func() { assert.NoError(t, q.Close()) }()
			listed, before := len(q.Jobs()), len(e.sandboxUploads())
			upload := func(content string, reqs ...Request) {
				require.NoError(t, os.WriteFile(file, testutil.Content(content, 300+i), 0o644))
				q.Add(reqs...)
				require.NoError(t, wait(t, q, hangGuard))
			}
			upload(how, Request{Path: file, FolderPath: "/once/"}, Request{Path: p, FolderPath: "/once/"})
			jobs, sent := len(q.Jobs())-listed, len(e.sandboxUploads())-before

			upload(how+" again", Request{Path: file, FolderPath: "/once/"})
			q.Add(Request{Path: p, FolderPath: "/once/"})
			require.NoError(t, wait(t, q, hangGuard))
			all := q.Jobs()
			last := all[len(all)-1]
			again := len(e.sandboxUploads()) - before - sent - 1
			t.Logf("%-24s one Add: %d job(s), %d upload(s); added after an upload by its path: %s, %d more upload(s) (%s)",
				how, jobs, sent, last.State, again, p)
			assert.Equal(t, 1, jobs, "one job for %s", p)
			assert.Equal(t, 1, sent, "one upload for %s", p)
			assert.Equal(t, storage.JobAlready, last.State, "%v", last)
			assert.Equal(t, file, last.LocalPath)
			assert.Zero(t, again, "nothing sent again for %s", p)
		})
	}
}
