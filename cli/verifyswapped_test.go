package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
)

// lineHook is verify's standard output: it keeps what is written and
// calls fn with each line as it is printed, between two files' reads
// (nothing of the folder open then, so a folder can be renamed on Windows).
type lineHook struct {
	bytes.Buffer
	fn func(line string)
}

func (w *lineHook) Write(p []byte) (int, error) {
	w.fn(string(p))
	return w.Buffer.Write(p)
}

// TestVerifyFolderReplacedByAnotherWhileVerifiedStops: the folder verified
// is moved away after its a.txt is said, and another folder (no link: this
// runs under Wine too) made at its path with a b.txt uploaded before. verify
// says nothing of that b.txt under the folder's path and stops saying the
// folder was moved or replaced; also when the folder is put back while
// the other's b.txt is read (after the open, before any look at the path),
// which the look at the path after each file missed: verify tells by the
// ID of the folder each file was opened through (api.FileDigests.Folder).
func TestVerifyFolderReplacedByAnotherWhileVerifiedStops(t *testing.T) {
	for _, back := range []bool{false, true} {
		t.Run(map[bool]string{false: "left there", true: "put back"}[back], func(t *testing.T) {
			if back && runtime.GOOS == "windows" {
				t.Skip("Windows renames no folder holding a file open, as the other's b.txt is while it is read")
			}
			sb := keyedSandbox(t)
			base := t.TempDir()
			dir := filepath.Join(base, "folder")
			require.NoError(t, os.Mkdir(dir, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "a.txt"), []byte("read first\n"), 0o600))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "b.txt"), []byte("mine, never uploaded\n"), 0o600))
			theirs := filepath.Join(base, "theirs.txt")
			require.NoError(t, os.WriteFile(theirs, []byte("someone else's, uploaded\n"), 0o600))
			code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, theirs)
			require.Equal(t, 0, code, errOut)
			listed := worker.ListedFolder(dir)

			swapped, putBack, swapErr := false, false, error(nil) // set on verify's goroutine, read after Run
			out := &lineHook{fn: func(line string) {
				if swapped || !strings.Contains(line, "a.txt") {
					return
				}
				swapped = true
				swapErr = errors.Join(os.Rename(listed, listed+"-moved"), os.Mkdir(listed, 0o755),
					os.WriteFile(filepath.Join(listed, "b.txt"), []byte("someone else's, uploaded\n"), 0o600))
			}}
			if back {
				t.Cleanup(readhook.Set(func(p string, _ int64) {
					if !swapped || putBack || filepath.Base(p) != "b.txt" {
						return
					}
					putBack = true
					swapErr = errors.Join(swapErr, os.Rename(listed, listed+"-other"), os.Rename(listed+"-moved", listed))
				}))
			}
			var stderr bytes.Buffer
			code = Run(context.Background(), []string{"verify", "--env", sb.URL, dir}, IO{In: strings.NewReader(""), Out: out, Err: &stderr})
			said := out.String() + stderr.String()
			require.True(t, swapped, "a.txt was said: %s", said)
			require.Equal(t, back, putBack, "the other's b.txt was read: %s", said)
			require.NoError(t, swapErr)
			assert.Equal(t, 1, code, said)
			assert.NotContains(t, out.String(), filepath.Join(listed, "b.txt"), "a file of the other folder said under the folder's path")
			assert.Contains(t, stderr.String(), inert.Text(listed)+" was moved or replaced while it was verified", said)
		})
	}
}
