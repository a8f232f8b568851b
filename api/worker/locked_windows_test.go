package worker

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLockedFileInAFolderIsSkippedSayingSoAndUploadedNextTime: a file
// another program holds open without sharing (Outlook's .pst), in a folder
// added whole, is listed as skipped with the sentence that says to close
// that program and try again, while the rest of the folder is uploaded;
// once the program lets go, adding the folder again sends that file alone.
func TestLockedFileInAFolderIsSkippedSayingSoAndUploadedNextTime(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	pst := e.write("mail/mailbox.pst", testutil.Content("mailbox", 4000))
	e.write("mail/notes.txt", testutil.Content("notes", 100))
	name, err := windows.UTF16PtrFromString(pst)
	require.NoError(t, err)
	h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	require.NoError(t, err)
	held := true
	t.Cleanup(func() {
		if held {
			_ = windows.CloseHandle(h)
		}
	})

	folder := Request{Path: filepath.Dir(pst), FolderPath: "/mail/"}
	q := e.uploaded(folder)
	jobs := jobsFor(q, pst)
	require.Len(t, jobs, 1, "%v", q.Jobs())
	j := jobs[0]
	assert.Equal(t, storage.JobSkipped, j.State, "listed, not left out silently")
	assert.Equal(t, ReasonFileRefused, j.Reason)
	assert.Equal(t, string(api.ProblemLocked), j.ReasonArg)
	assert.Contains(t, j.Err, "is open in another program that does not let others read it — close that program")
	require.Len(t, e.sandboxUploads(), 1, "notes.txt is uploaded meanwhile")

	require.NoError(t, windows.CloseHandle(h))
	held = false
	q.Add(folder)
	require.NoError(t, wait(t, q, 20*time.Second))
	jobs = jobsFor(q, pst)
	require.Len(t, jobs, 2)
	assert.Equal(t, storage.JobDone, jobs[1].State, "%v", jobs[1])
	uploads := e.sandboxUploads()
	require.Len(t, uploads, 2, "notes.txt is not sent again")
	assert.Equal(t, "mailbox.pst", uploads[1].Name)
}
