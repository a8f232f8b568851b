//go:build unix

package api

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// A named pipe must be refused without opening it: opening one for reading
// blocks until a writer appears, which would hang the upload.
func TestValidateFileRefusesNamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	_, err := ValidateFile(fifo)
	checkValidation(t, err, "file", "is a named pipe, not a regular file")
}

// TestOpenSharedDoesNotWaitForAWriterOfANamedPipe: a file named itself
// (upload FILE, cid, verify) is stat'ed, then opened by its path; a named
// pipe put at the path between the two (an editor's or a hostile
// program's swap) must be opened without waiting for a writer, so that
// the check after the open refuses it, never block the run for good.
func TestOpenSharedDoesNotWaitForAWriterOfANamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	opened := make(chan error, 1)
	go func() {
		f, err := openShared(fifo)
		if err == nil {
			_ = f.Close()
		}
		opened <- err
	}()
	select {
	case err := <-opened:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		// Let the blocked open go: a writer opened without waiting.
		w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			_ = w.Close()
		}
		<-opened
		t.Fatal("opening a named pipe waited for a writer")
	}
}

// TestValidateFilePathLongerThanTheSystemAllows: a file whose path is
// longer than the system takes (over 4,096 bytes on Linux: folders nested
// deep below a long-named one) cannot be opened by its path; the sentence
// says so and what to do, not the system's bare "file name too long".
func TestValidateFilePathLongerThanTheSystemAllows(t *testing.T) {
	dir := testfs.DeepFolder(t, t.TempDir(), "report.pdf", []byte("deep"))
	_, err := ValidateFile(filepath.Join(dir, "report.pdf"))
	checkValidation(t, err, "file", "has a path longer than this system allows — move it to a folder with a shorter path, then try again")
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, ProblemPathTooLong, ve.Problem)
}

// TestFileNamedTooLongOrThroughALoopSaysWhatToDo: a path with a name longer
// than a name may be (255 bytes: no file has it, a name typed or pasted
// wrong) or that goes round a loop of symbolic links is refused, by upload
// and cid alike, with a sentence that says what is wrong and what to do,
// not the system's bare "file name too long" or "too many levels of
// symbolic links". The window words them from the system's error
// (Detail), as before.
func TestFileNamedTooLongOrThroughALoopSaysWhatToDo(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Symlink("loop-b", filepath.Join(dir, "loop-a")))
	require.NoError(t, os.Symlink("loop-a", filepath.Join(dir, "loop-b")))
	const tooLong = "has a name longer than the system allows (255 bytes), so no file has that path — check the path for a mistake"
	const loop = "goes round a loop of symbolic links (a link that leads, through others or none, back to itself) — point the link at the file, or give the file's own path"
	tests := []struct {
		name, path, want string
		errno            syscall.Errno
	}{
		{"a file's name of 256 bytes", filepath.Join(dir, strings.Repeat("n", 256)), tooLong, syscall.ENAMETOOLONG},
		{"a folder's name of 300 bytes on the path", filepath.Join(dir, strings.Repeat("d", 300), "f"), tooLong, syscall.ENAMETOOLONG},
		{"a link in a loop", filepath.Join(dir, "loop-a"), loop, syscall.ELOOP},
		{"a file under a link in a loop", filepath.Join(dir, "loop-b", "f"), loop, syscall.ELOOP},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ValidateFile(tt.path)
			checkValidation(t, err, "file", tt.want)
			_, cidErr := FileCID(context.Background(), tt.path)
			checkValidation(t, cidErr, "file", tt.want)
			for _, err := range []error{err, cidErr} {
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, ProblemUnreadable, ve.Problem)
				assert.Equal(t, tt.errno.Error(), ve.Detail, "the window words it from the system's error")
				assert.ErrorIs(t, err, tt.errno)
			}
		})
	}
}
