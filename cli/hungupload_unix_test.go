//go:build !windows

package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestUploadEndsAtCtrlCWhileItsFileDoesNotAnswer: `upload` of a file on a
// network share or a USB disk that stopped answering mid-read: the first
// Ctrl+C ended the wait for the queue, but its Close waited for the read,
// which never returns, so only a second Ctrl+C (the system's) ended the
// process. The first now ends it, and `resume` then uploads the file once
// the drive answers.
func TestUploadEndsAtCtrlCWhileItsFileDoesNotAnswer(t *testing.T) {
	sb := keyedSandbox(t)
	file := testutil.WriteFile(t, filepath.Join(t.TempDir(), "big.bin"), 3*api.ChunkSize)
	ctrlCWhileReadHangs(t, sb, file, api.ChunkSize, "upload", "--env", sb.URL, file)
}

// TestUploadExpectSHA256EndsAtCtrlCWhileItsFileDoesNotAnswer: `upload
// --expect-sha256` reads the file once for its checksum before anything
// is sent; on a drive that stopped answering that read never returned,
// and the first Ctrl+C did not end the command (its queue's Close waited
// for the read). The first now ends it, with the usual "Interrupted"
// sentence, and `resume` uploads the file, checked, once the drive answers.
func TestUploadExpectSHA256EndsAtCtrlCWhileItsFileDoesNotAnswer(t *testing.T) {
	sb := keyedSandbox(t)
	file := testutil.WriteFile(t, filepath.Join(t.TempDir(), "big.bin"), 3*api.ChunkSize)
	content, err := os.ReadFile(file)
	require.NoError(t, err)
	sum := sha256.Sum256(content)
	ctrlCWhileReadHangs(t, sb, file, 1, "upload", "--env", sb.URL, "--expect-sha256", hex.EncodeToString(sum[:]), file)
}

// ctrlCWhileReadHangs runs the command args, makes the reads of file hang
// once from bytes were read, as on a drive that stopped answering, sends
// the first Ctrl+C and checks that the command ends, interrupted, and
// that `resume` then uploads file (ctrlCWhileHung).
func ctrlCWhileReadHangs(t *testing.T, sb *testutil.Sandbox, file string, from int64, args ...string) {
	t.Helper()
	out := ctrlCWhileHung(t, sb, func(hang func()) func() {
		return readhook.Set(func(path string, read int64) {
			if filepath.Base(path) == filepath.Base(file) && read >= from {
				hang()
			}
		})
	}, args...)
	assert.Contains(t, out, filepath.Base(file), "resume uploaded it")
}

// TestUploadFolderEndsAtCtrlCWhileItsListingDoesNotAnswer: `upload DIR`
// of a folder on a network share or a USB disk that stopped answering
// while it is listed (the read of a folder's entries in it does not
// return): the first Ctrl+C ended the wait for the queue, but its Close
// waited for the listing, which never returned. The first now ends it
// (exit 130), and `resume`, once the drive answers, lists the rest of the
// folder and uploads every file of it.
func TestUploadFolderEndsAtCtrlCWhileItsListingDoesNotAnswer(t *testing.T) {
	sb := keyedSandbox(t)
	dir := filepath.Join(t.TempDir(), "trip")
	for _, name := range []string{"a.jpg", "b.jpg", "sub/c.jpg"} {
		testutil.WriteFile(t, filepath.Join(dir, filepath.FromSlash(name)), 100)
	}
	var looks atomic.Int32
	out := ctrlCWhileHung(t, sb, func(hang func()) func() {
		return readhook.SetListing(func(path string) {
			if filepath.Base(path) == "sub" {
				if looks.Add(1) == 2 { // the look at it, then the read of its entries
					hang()
				}
			}
		})
	}, "upload", "--env", sb.URL, dir)
	for _, name := range []string{"a.jpg", "b.jpg", "c.jpg"} {
		assert.Contains(t, out, name, "resume uploaded it")
	}
}

// TestUploadEndsAtCtrlCWhileTheLookAtItsFileDoesNotAnswer: `upload FILE`
// of a file on a network share or a USB disk that stopped answering
// before the file is queued (the look at it as its listing checks it,
// api.ValidateFile): the first Ctrl+C ended the wait for the queue, but
// its Close waited for that look, which never returned. The first now
// ends it (exit 130), and `resume`, once the drive answers, uploads it.
func TestUploadEndsAtCtrlCWhileTheLookAtItsFileDoesNotAnswer(t *testing.T) {
	sb := keyedSandbox(t)
	file := testutil.WriteFile(t, filepath.Join(t.TempDir(), "photo.jpg"), 100)
	var looks atomic.Int32
	out := ctrlCWhileHung(t, sb, func(hang func()) func() {
		return readhook.SetListing(func(path string) {
			// What it is, whether it is the app's data, the links on its
			// path, then the file itself.
			if filepath.Base(path) == "photo.jpg" && looks.Add(1) == 4 {
				hang()
			}
		})
	}, "upload", "--env", sb.URL, file)
	assert.Contains(t, out, "photo.jpg", "resume uploaded it")
}

// TestUploadEndsAtCtrlCWhileTheLookAtAPathNamedDoesNotAnswer: `upload
// FILE` names each path as the queue records it (worker.RequestPath:
// absolute, a ".." after a link followed, on Windows each name as spelled
// on disk), a look at the disk. It looked once before Ctrl+C is caught
// (namedNotThere: Ctrl+C is then the system's), and again once signed in,
// for the paths named that the report counts (directPaths), on the
// command's goroutine after Ctrl+C was caught: on a network share or a USB
// disk that stopped answering right then, the first Ctrl+C did not end
// `upload`. It now ends it (exit 130), and `resume`, once the drive
// answers, uploads the file.
func TestUploadEndsAtCtrlCWhileTheLookAtAPathNamedDoesNotAnswer(t *testing.T) {
	sb := keyedSandbox(t)
	file := testutil.WriteFile(t, filepath.Join(t.TempDir(), "nas", "photo.jpg"), 100)
	var looks atomic.Int32
	out := ctrlCWhileHung(t, sb, func(hang func()) func() {
		return readhook.SetPathLook(func(p string) {
			if p == file && looks.Add(1) > 1 { // the first is before Ctrl+C is caught
				hang()
			}
		})
	}, "upload", "--env", sb.URL, file)
	assert.Contains(t, out, "photo.jpg", "resume uploaded it")
}

// ctrlCWhileHung runs the command args, with set making a look at a file
// hang (set's function calls hang) as on a drive that stopped answering,
// sends the first Ctrl+C once it hangs and checks that the command ends,
// interrupted (interruptWhileHung); it then lets the look go, runs
// `resume`, which must succeed, and returns what `history` prints.
func ctrlCWhileHung(t *testing.T, sb *testutil.Sandbox, set func(hang func()) (restore func()), args ...string) string {
	t.Helper()
	interruptWhileHung(t, set, "Interrupted: ", args...)()
	code, _, errOut := runCLI(t, "", "resume", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	code, out, errOut := runCLI(t, "", "history")
	require.Equal(t, 0, code, errOut)
	return out
}

// interruptWhileHung runs the command args, with set making a look at
// the disk hang (set's function calls hang) as on a drive that stopped
// answering, sends the first Ctrl+C once it hangs and checks that the
// command ends, exit 143 (SIGTERM's; 130 at Ctrl+C), saying sentence on stderr. It returns what
// lets the look go and restores the hook (the test's cleanup does it
// too). SIGTERM stands in for Ctrl+C (the same handler; the test's
// parent may ignore Ctrl+C), and this test watches it too, so that none
// ends the test binary.
func interruptWhileHung(t *testing.T, set func(hang func()) (restore func()), sentence string, args ...string) (release func()) {
	t.Helper()
	hung, released := make(chan struct{}, 8), make(chan struct{})
	var once sync.Once
	restore := set(func() {
		select {
		case hung <- struct{}{}:
		default:
		}
		<-released // a drive that stopped answering
	})
	release = func() { once.Do(func() { close(released); restore() }) }
	t.Cleanup(release)
	caught := make(chan os.Signal, 8)
	signal.Notify(caught, syscall.SIGTERM)
	defer signal.Stop(caught)

	type result struct {
		code   int
		errOut string
	}
	done := make(chan result, 1)
	go func() {
		code, _, errOut := runCLI(t, "", args...)
		done <- result{code, errOut}
	}()
	select {
	case <-hung:
	case <-time.After(20 * time.Second):
		t.Fatal("the command never met the look that hangs")
	}
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	select {
	case r := <-done:
		assert.Equal(t, exitStatusOf(syscall.SIGTERM), r.code, r.errOut)
		assert.Contains(t, r.errOut, sentence, "the usual sentence")
	case <-time.After(20 * time.Second): // a bound on a hang, not a wait for an event
		t.Error("the first Ctrl+C did not end a command whose look at a file does not answer")
		release()
		<-done
	}
	return release
}

// TestVerifyFolderEndsAtCtrlCWhileItsFirstLookDoesNotAnswer: `verify DIR`
// of a folder on a network share or a USB disk that stopped answering
// before its listing began (the look at what DIR is, and at the folder
// it leads to): that look ran on verify's goroutine, so the first Ctrl+C
// was not enough and only a second one ended it. The first now ends it,
// with the usual sentence and exit status (130).
func TestVerifyFolderEndsAtCtrlCWhileItsFirstLookDoesNotAnswer(t *testing.T) {
	sb := keyedSandbox(t)
	dir := filepath.Join(t.TempDir(), "trip")
	testutil.WriteFile(t, filepath.Join(dir, "a.jpg"), 100)
	interruptWhileHung(t, func(hang func()) func() {
		return readhook.SetListing(func(p string) {
			if p == dir {
				hang()
			}
		})
	}, "verify was interrupted: the files after the last line printed were not verified", "verify", "--env", sb.URL, dir)
}

// TestVerifyFolderEndsAtCtrlCWhileALookBetweenItsEntriesDoesNotAnswer:
// `verify DIR` looks at the disk again between the entries its listing
// gives it: whether a folder found empty still is (worker.EmptyNow), and
// whether DIR is still the folder listed (stillThere: a stat, for an
// entry it did not read). On a drive that stopped answering right then,
// those looks ran on the listing's goroutine, so the first Ctrl+C did not
// end verify. The first now ends it, with the usual sentence and exit
// status. The looks hang once the listing has looked at every entry
// (the last, "link", sorts after "empty"), as each is said.
func TestVerifyFolderEndsAtCtrlCWhileALookBetweenItsEntriesDoesNotAnswer(t *testing.T) {
	for _, look := range []string{"empty", "trip"} {
		t.Run(map[string]string{"empty": "still empty", "trip": "still there"}[look], func(t *testing.T) {
			sb := keyedSandbox(t)
			dir := filepath.Join(t.TempDir(), "trip")
			testutil.WriteFile(t, filepath.Join(dir, "a.jpg"), 100)
			require.NoError(t, os.Mkdir(filepath.Join(dir, "empty"), 0o755))
			require.NoError(t, os.Symlink("a.jpg", filepath.Join(dir, "link")))
			var listed atomic.Bool // every entry looked at
			interruptWhileHung(t, func(hang func()) func() {
				return readhook.SetListing(func(p string) {
					switch {
					case filepath.Base(p) == "link":
						listed.Store(true)
					case listed.Load() && filepath.Base(p) == look:
						hang()
					}
				})
			}, "verify was interrupted: the files after the last line printed were not verified", "verify", "--env", sb.URL, dir)
		})
	}
}

// TestResumeEndsAtCtrlCWhileTheLookAtAFailedUploadsFileDoesNotAnswer:
// `resume` with nothing to do but failed uploads looks whether each of
// their files is still there (failedGone), to say which a retry can
// send. On a network share or a USB disk that stopped answering, that
// look never returned, and it ran on the command's goroutine after
// Ctrl+C was caught: the first Ctrl+C did not end `resume`. The first
// now ends it, exit 130 (143 at SIGTERM), saying the failed uploads
// still wait in the queue; nothing is taken out of it.
func TestResumeEndsAtCtrlCWhileTheLookAtAFailedUploadsFileDoesNotAnswer(t *testing.T) {
	sb := keyedSandbox(t)
	file := testutil.WriteFile(t, filepath.Join(t.TempDir(), "usb.jpg"), 300)
	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 400, Count: 1})
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, file)
	require.Equal(t, 1, code, errOut)

	interruptWhileHung(t, func(hang func()) func() {
		return readhook.SetListing(func(p string) {
			if p == file {
				hang()
			}
		})
	}, "Interrupted: nothing was resumed; 1 failed upload(s) wait in the queue", "resume", "--env", sb.URL)()

	code, out, errOut := runCLI(t, "", "resume", "--env", sb.URL, "--retry-failed")
	require.Equal(t, 0, code, "the failed upload stayed queued: %s", errOut)
	assert.Contains(t, out, filepath.Base(file), "once the drive answers, a retry uploads it")
}

// TestVerifyEndsAtCtrlCWhileTheLookForAChangedFilesUploadDoesNotAnswer:
// `verify FILE` of a file changed since its upload looks for that upload
// by the file's path as an upload records it (changedSince:
// worker.RequestPath, then its folder's links followed), a look at the
// disk after the file was read, on the goroutine the first Ctrl+C waits
// for: on a drive that stopped answering right then, the first Ctrl+C did
// not end verify. It now ends it, with the usual sentence and exit status.
func TestVerifyEndsAtCtrlCWhileTheLookForAChangedFilesUploadDoesNotAnswer(t *testing.T) {
	sb := keyedSandbox(t)
	file := testutil.WriteFile(t, filepath.Join(t.TempDir(), "nas", "notes.txt"), 100)
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, file)
	require.Equal(t, 0, code, errOut)
	require.NoError(t, os.WriteFile(file, []byte("changed since its upload"), 0o644))
	interruptWhileHung(t, func(hang func()) func() {
		return readhook.SetPathLook(func(p string) {
			if p == file {
				hang()
			}
		})
	}, "verify was interrupted: the files after the last line printed were not verified", "verify", "--env", sb.URL, file)
}
