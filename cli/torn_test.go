package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// tornSize is the size of a file changed while it is read: three chunks
// and a few bytes, so the change falls after the first chunk and before
// the last.
const tornSize = 3*api.ChunkSize + 5

// tornChanges are the ways another program changes a file while `cid` or
// `verify` reads it; want is what the sentence about it must say (besides
// the file's name).
var tornChanges = []struct {
	name   string
	change func(t *testing.T, path string)
	want   []string
	// folder: the change moves the file's folder, which Windows refuses
	// while a file in it is open.
	folder bool
}{
	{"appended to", func(t *testing.T, p string) {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND, 0)
		require.NoError(t, err)
		_, err = f.WriteString("more")
		require.NoError(t, err)
		require.NoError(t, f.Close())
	}, []string{"changed while it was read", "run this again once nothing is writing to it"}, false},
	{"truncated", func(t *testing.T, p string) {
		require.NoError(t, os.Truncate(p, api.ChunkSize+10))
	}, []string{"changed while it was read", "run this again once nothing is writing to it"}, false},
	{"rewritten in place, same size", func(t *testing.T, p string) {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.WriteAt([]byte("XXXX"), tornSize-4)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		later := time.Now().Add(time.Hour) // a modification time that surely moved
		require.NoError(t, os.Chtimes(p, later, later))
	}, []string{"changed while it was read", "run this again once nothing is writing to it"}, false},
	{"replaced by another file of the same size (as editors save)", replaceAsEditorsSave, []string{"changed while it was read", "replaced by another file", "run this again once nothing is writing to it"}, false},
	{"renamed away", func(t *testing.T, p string) {
		require.NoError(t, os.Rename(p, p+".moved"))
	}, []string{"deleted or moved while it was read"}, false},
	{"deleted", deleteAsThePersonDoes, []string{"deleted or moved while it was read"}, false},
	// The file itself untouched (its times stay), its folder moved:
	// nothing about the open file tells, only its path does.
	{"its folder renamed away", func(t *testing.T, p string) {
		dir := filepath.Dir(p)
		require.NoError(t, os.Rename(dir, dir+".moved"))
	}, []string{"deleted or moved while it was read"}, true},
	{"its folder replaced by another holding a file of that name", func(t *testing.T, p string) {
		dir := filepath.Dir(p)
		require.NoError(t, os.Rename(dir, dir+".old"))
		testutil.WriteFile(t, p, tornSize)
	}, []string{"changed while it was read", "replaced by another file", "run this again once nothing is writing to it"}, true},
	{"its folder replaced by a file", func(t *testing.T, p string) {
		dir := filepath.Dir(p)
		require.NoError(t, os.Rename(dir, dir+".old"))
		testutil.WriteFile(t, dir, 10)
	}, []string{"while it was read", "no hash is given for it"}, true},
}

// replaceAsEditorsSave puts another file of the same size at p as editors
// save one: renamed over it on Unix; on Windows, which refuses to rename a
// file over one another program has open (however shared), as Word and
// ReplaceFile do: p renamed to a backup name (its sharing allows that),
// the new file renamed to p, the backup deleted.
func replaceAsEditorsSave(t *testing.T, p string) {
	other := testutil.WriteFile(t, p+".new", tornSize)
	if runtime.GOOS == "windows" {
		require.NoError(t, os.Rename(p, p+".bak"))
		require.NoError(t, os.Rename(other, p))
		require.NoError(t, os.Remove(p+".bak"))
		return
	}
	require.NoError(t, os.Rename(other, p))
}

// deleteAsThePersonDoes deletes p: unlinked on Unix; on Windows as
// Explorer's Delete does, into a Recycle Bin folder of its volume. (A
// file deleted for good while another program has it open stays at its
// path until that program closes it where deletes are not POSIX's, as
// under Wine or on FAT: there it is still the file read.)
func deleteAsThePersonDoes(t *testing.T, p string) {
	if runtime.GOOS == "windows" {
		bin := filepath.Join(filepath.Dir(filepath.Dir(p)), "$Recycle.Bin")
		require.NoError(t, os.MkdirAll(bin, 0o700))
		require.NoError(t, os.Rename(p, filepath.Join(bin, "$R"+filepath.Base(p))))
		return
	}
	require.NoError(t, os.Remove(p))
}

// skipFolderMoveOnWindows skips a change that moves the folder of an open
// file on Windows, which refuses it.
func skipFolderMoveOnWindows(t *testing.T, folder bool) {
	if folder && runtime.GOOS == "windows" {
		t.Skip("Windows refuses to move a folder while a file in it is open")
	}
}

// changeWhileRead makes change run once, after the first chunk of path is
// read to be hashed, and reports whether it ran.
func changeWhileRead(t *testing.T, path string, change func(t *testing.T, path string)) (ran *bool) {
	ran = new(bool)
	t.Cleanup(readhook.Set(func(p string, read int64) {
		if p == path && read >= api.ChunkSize && !*ran {
			*ran = true
			change(t, path)
		}
	}))
	return ran
}

// A file changed while `cid` reads it gets no CID: the command names it
// and says what changed and what to do, exits 1, and prints nothing for
// it or after it (cid stops at the first file it cannot hash, so its
// lines are always the first files named). A file left alone gets its CID.
func TestCIDOfAFileChangedWhileRead(t *testing.T) {
	for _, tc := range tornChanges {
		t.Run(tc.name, func(t *testing.T) {
			skipFolderMoveOnWindows(t, tc.folder)
			dir := t.TempDir()
			before := testutil.WriteFile(t, filepath.Join(dir, "before.bin"), 1000)
			after := testutil.WriteFile(t, filepath.Join(dir, "after.bin"), 1000)
			torn := testutil.WriteFile(t, filepath.Join(dir, "live", "live.bin"), tornSize)
			ran := changeWhileRead(t, torn, tc.change)

			code, out, errOut := runCLI(t, "", "cid", before, torn, after)
			require.True(t, *ran, "the file was changed after its first chunk")
			assert.Equal(t, 1, code)
			assert.Equal(t, testutil.CIDOf(t, before)+"\n", out, "no CID for the changed file, none after it")
			assert.Contains(t, errOut, torn)
			for _, w := range tc.want {
				assert.Contains(t, errOut, w)
			}
		})
	}
	t.Run("left alone", func(t *testing.T) {
		p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "still.bin"), tornSize)
		ran := changeWhileRead(t, p, func(*testing.T, string) {})
		code, out, errOut := runCLI(t, "", "cid", p)
		require.True(t, *ran)
		assert.Equal(t, 0, code, errOut)
		assert.Equal(t, testutil.CIDOf(t, p)+"\n", out)
	})
}

// A file changed while `verify` reads it gets no CID, no SHA-256 and no
// match, in either output: the line names it and says what changed and
// what to do, verify goes on with the other files, and exits 1.
func TestVerifyOfAFileChangedWhileRead(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	for _, tc := range tornChanges {
		for _, asJSON := range []bool{false, true} {
			name := tc.name
			if asJSON {
				name += ", json"
			}
			t.Run(name, func(t *testing.T) {
				skipFolderMoveOnWindows(t, tc.folder)
				dir := t.TempDir()
				after := testutil.WriteFile(t, filepath.Join(dir, "after.bin"), 1000)
				torn := testutil.WriteFile(t, filepath.Join(dir, "live", "live.bin"), tornSize)
				ran := changeWhileRead(t, torn, tc.change)

				args := []string{"verify", torn, after}
				if asJSON {
					args = []string{"verify", "--json", torn, after}
				}
				code, out, errOut := runCLI(t, "", args...)
				require.True(t, *ran, "the file was changed after its first chunk")
				assert.Equal(t, 1, code, errOut)
				lines := strings.Split(strings.TrimSpace(out), "\n")
				require.Len(t, lines, 2, "verify goes on with the next file")
				msg := lines[0]
				if asJSON {
					var r, next verifyResult
					require.NoError(t, json.Unmarshal([]byte(lines[0]), &r), lines[0])
					require.NoError(t, json.Unmarshal([]byte(lines[1]), &next), lines[1])
					assert.Equal(t, torn, r.Path)
					assert.Empty(t, r.CID)
					assert.Empty(t, r.SHA256)
					assert.False(t, r.Matches)
					msg = r.Error
					assert.Equal(t, testutil.CIDOf(t, after), next.CID)
				} else {
					assert.True(t, strings.HasPrefix(msg, torn+": cannot verify: "), msg)
					assert.NotContains(t, msg, "Qm", "no CID for bytes the file never held at once")
					assert.Contains(t, lines[1], testutil.CIDOf(t, after))
				}
				for _, w := range tc.want {
					assert.Contains(t, msg, w)
				}
			})
		}
	}
}
