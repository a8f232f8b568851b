package worker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// shortPath is the 8.3 form of path (GetShortPathName), or a skip where the
// file system gives it none.
func shortPath(t *testing.T, path string) string {
	t.Helper()
	p, err := windows.UTF16PtrFromString(path)
	require.NoError(t, err)
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n, err := windows.GetShortPathName(p, &buf[0], uint32(len(buf)))
	short := windows.UTF16ToString(buf[:n])
	if err != nil || short == path {
		t.Skipf("this file system gives %s no short 8.3 name (%v)", path, err)
	}
	return short
}

// otherSpellings are ways to type path that Windows opens as path itself:
// another case, its short 8.3 name, forward slashes, mixed separators, a
// trailing dot or space (Windows drops them), the \\?\ form and the \\.\
// form.
func otherSpellings(t *testing.T, path string) map[string]string {
	return map[string]string{
		"the device form":  `\\.\` + strings.ToLower(path),
		"upper case":       strings.ToUpper(path),
		"lower case":       strings.ToLower(path),
		"short 8.3 name":   shortPath(t, path),
		"forward slashes":  filepath.ToSlash(path),
		"mixed separators": filepath.Dir(path) + "/" + filepath.Base(path),
		"a trailing dot":   path + ".",
		"a trailing space": path + " ",
		"the long form":    `\\?\` + strings.ToLower(path),
	}
}

// TestOwnDataFolderIsNotUploadedUnderAnotherSpelling: the data folder, or
// its database file, typed in another case, by its short 8.3 name, with
// forward slashes or a trailing dot is still the app's own data: skipped,
// nothing sent.
func TestOwnDataFolderIsNotUploadedUnderAnotherSpelling(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	data := filepath.Join(e.files, "Local App Data", "dStor Uploader Data")
	cfg := e.config()
	cfg.DB = e.dataIn(data)
	for _, target := range []string{data, filepath.Join(data, storage.DBFileName)} {
		for how, p := range otherSpellings(t, target) {
			t.Run(filepath.Base(target)+"/"+how, func(t *testing.T) {
				q, err := New(cfg) // one queue at a time holds the account's lock
				require.NoError(t, err)
				defer func() { assert.NoError(t, q.Close()) }()
				q.Add(Request{Path: p, FolderPath: "/in/"})
				require.NoError(t, wait(t, q, hangGuard))
				jobs := q.Jobs() // the earlier rows' jobs too: one database
				last := jobs[len(jobs)-1]
				assert.Equal(t, storage.JobSkipped, last.State, "%v", last)
				assert.Equal(t, ReasonOwnData, last.Reason)
				assert.Equal(t, api.SpelledOnDisk(target), last.LocalPath)
				assert.Empty(t, e.sandboxUploads(), "nothing of the data folder is sent")
			})
		}
	}
}

// TestAlreadyUploadedUnderAnotherSpelling: a file uploaded once and added
// again by another spelling Windows opens as the same file (its 8.3 name,
// forward slashes, a trailing dot) is found already uploaded.
func TestAlreadyUploadedUnderAnotherSpelling(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("Quarterly Reports/Annual Report 2026.pdf", testutil.Content("report", 3000))
	q := e.uploaded(Request{Path: f})
	require.Equal(t, 1, q.Summary().Done)
	for how, p := range otherSpellings(t, f) {
		t.Run(how, func(t *testing.T) {
			sent := e.requests(addPath)
			q.Add(Request{Path: p})
			require.NoError(t, wait(t, q, 20*time.Second))
			assert.Equal(t, sent, e.requests(addPath), "nothing sent again")
			jobs := q.Jobs()
			last := jobs[len(jobs)-1]
			assert.Equal(t, storage.JobAlready, last.State, "%v", last)
			assert.Equal(t, f, last.LocalPath)
			assert.Equal(t, "Annual Report 2026.pdf", last.Name)
		})
	}

}

// TestOneFileInManySpellingsInOneAddIsOneJob: the same file given in every
// spelling Windows opens as it, in one Add (one command line, one drop), is
// one job and one upload.
func TestOneFileInManySpellingsInOneAddIsOneJob(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	g := e.write("Quarterly Reports/Second Report.pdf", testutil.Content("second", 2000))
	reqs := []Request{{Path: g}}
	for _, p := range otherSpellings(t, g) {
		reqs = append(reqs, Request{Path: p})
	}
	q := e.uploaded(reqs...)
	jobs := q.Jobs()
	require.Len(t, jobs, 1, "one file, one job: %v", jobs)
	assert.Equal(t, g, jobs[0].LocalPath)
	assert.Equal(t, storage.JobDone, jobs[0].State)
	assert.Len(t, e.sandboxUploads(), 1)
}

// TestOwnDataFolderThroughAJunctionIsNotUploaded: the data folder reached
// through a junction (or Wine's stand-in for one) that is the chosen folder
// itself, or in the path of the file named, is still the app's own data:
// skipped, nothing of it sent; the rest of a folder holding it is uploaded.
func TestOwnDataFolderThroughAJunctionIsNotUploaded(t *testing.T) {
	for _, tc := range []struct {
		name    string
		add     func(home, data, links string) string // the path added
		skipped func(home, data, links string) string // the job skipped as own data
		sent    int
	}{
		{"a junction to the data folder",
			func(_, _, links string) string { return filepath.Join(links, "to-data") },
			func(_, _, links string) string { return filepath.Join(links, "to-data") }, 0},
		{"the database through a junction to the data folder",
			func(_, _, links string) string { return filepath.Join(links, "to-data", storage.DBFileName) },
			func(_, _, links string) string { return filepath.Join(links, "to-data", storage.DBFileName) }, 0},
		{"a junction to the folder holding it",
			func(_, _, links string) string { return filepath.Join(links, "to-home") },
			// listed where the junction leads, as a symbolic link's target is
			func(home, _, _ string) string { return filepath.Join(home, "AppData") }, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			home := filepath.Join(e.files, "home")
			e.write("home/docs/a.txt", testutil.Content("a", 100))
			data := filepath.Join(home, "AppData")
			db := e.dataIn(data)
			links := filepath.Join(e.files, "links")
			require.NoError(t, os.Mkdir(links, 0o755))
			testfs.JunctionOrSkip(t, data, filepath.Join(links, "to-data"))
			testfs.JunctionOrSkip(t, home, filepath.Join(links, "to-home"))
			got := e.jobsWithDataIn(db, Request{Path: tc.add(home, data, links), FolderPath: "/in/"})
			p := tc.skipped(home, data, links)
			require.Contains(t, got, p, "listed as skipped: %v", got)
			assert.Equal(t, storage.JobSkipped, got[p].State)
			assert.Equal(t, ReasonOwnData, got[p].Reason)
			var names []string
			for _, u := range e.sandboxUploads() {
				names = append(names, u.Name)
			}
			assert.Len(t, names, tc.sent, "sent: %q", names)
			for _, n := range names {
				assert.Equal(t, "a.txt", n)
			}
		})
	}
}

// TestDriveRelativePathIsInThatDrivesCurrentFolder: "C:report.pdf" (no
// backslash after the drive) is report.pdf in the current folder of drive
// C:, as cmd.exe reads it, not C:\report.pdf: that file is uploaded, and
// found already uploaded when given in full.
func TestDriveRelativePathIsInThatDrivesCurrentFolder(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("Current Folder/Report.pdf", testutil.Content("drive-relative", 700))
	t.Chdir(filepath.Dir(f))
	vol := filepath.VolumeName(f)
	require.Len(t, vol, 2, "a drive letter: %s", f)

	q := e.uploaded(Request{Path: vol + "report.pdf"})
	jobs := q.Jobs()
	require.Len(t, jobs, 1)
	assert.Equal(t, f, jobs[0].LocalPath)
	assert.Equal(t, storage.JobDone, jobs[0].State, "%v", jobs[0])

	q.Add(Request{Path: f})
	require.NoError(t, wait(t, q, 20*time.Second))
	jobs = q.Jobs()
	assert.Equal(t, storage.JobAlready, jobs[len(jobs)-1].State)
	assert.Len(t, e.sandboxUploads(), 1)
}

// TestReservedNameInTheLongFormIsTheFileItself: a file named nul.txt (made
// by another system, or through the \\?\ form) is the NUL device when given
// plainly, refused saying to rename it, but the file itself in the \\?\
// form, which is uploaded under its own name and kept in that form.
func TestReservedNameInTheLongFormIsTheFileItself(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	plain := filepath.Join(e.files, "nul.txt")
	long := `\\?\` + plain
	if err := os.WriteFile(long, []byte("not a device"), 0o644); err != nil {
		t.Skipf("this file system cannot hold a file named nul.txt: %v", err)
	}
	q := e.uploaded(Request{Path: plain}, Request{Path: long})
	got := jobsByPath(q.Jobs())
	require.Len(t, got, 2, "%v", q.Jobs())
	assert.Equal(t, storage.JobFailed, got[plain].State)
	assert.Contains(t, got[plain].Err, "rename it")
	assert.Equal(t, storage.JobDone, got[long].State, "%v", got[long])
	uploads := e.sandboxUploads()
	require.Len(t, uploads, 1)
	assert.Equal(t, "nul.txt", uploads[0].Name)
	assert.EqualValues(t, len("not a device"), uploads[0].Size)
}

// TestTrailingDotOrSpaceInTheLongFormIsTheFileItself: a file whose name
// ends in a dot or a space (made by another system, or through the \\?\
// form) is reached in the \\?\ form only, as README promises: that form
// is kept as given, so the file is uploaded under its own name. The
// command line's and the window's paths were made absolute with
// filepath.Abs, whose GetFullPathName dropped the dot or space even in
// that form, and the upload failed: "C:\…\x" does not exist.
func TestTrailingDotOrSpaceInTheLongFormIsTheFileItself(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	names := []string{"dot.", "space "}
	var reqs []Request
	for _, n := range names {
		long := `\\?\` + filepath.Join(e.files, n)
		if err := os.WriteFile(long, []byte("named "+n), 0o644); err != nil {
			t.Skipf("this file system cannot hold a file named %q: %v", n, err)
		}
		reqs = append(reqs, Request{Path: long})
	}
	q := e.uploaded(reqs...)
	got := jobsBy(q.Jobs(), func(j Job) string { return j.Name })
	for _, n := range names {
		j, ok := got[n]
		require.True(t, ok, "no job named %q: %v", n, q.Jobs())
		assert.Equal(t, storage.JobDone, j.State, "%q: %v", n, j)
		assert.Equal(t, `\\?\`+filepath.Join(e.files, n), j.LocalPath, n)
	}
	assert.Len(t, e.sandboxUploads(), len(names))
}
