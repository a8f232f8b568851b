package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestNamedPathSkippedUnderAnotherSpellingFailsTheRun: a path named on the
// command line that the queue skips (here the data folder) fails the run
// however it is typed. The queue records a path as the file system spells
// it (another case, the \\?\ form: one path), so the run's own list of the
// paths named had to be spelled the same way to know the skipped path as
// one of them: typed in another case or in the \\?\ form, the skip was
// taken for one met inside a folder, and the run exited 0.
func TestNamedPathSkippedUnderAnotherSpellingFailsTheRun(t *testing.T) {
	sb := keyedSandbox(t)
	home := os.Getenv(storage.HomeEnv)
	for name, spelled := range map[string]string{
		"upper case":    strings.ToUpper(home),
		"lower case":    strings.ToLower(home),
		"the long form": `\\?\` + home,
	} {
		code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, spelled)
		assert.Equal(t, 1, code, "%s (%s): %s", name, spelled, errOut)
		assert.Contains(t, errOut, "(1 of them named on the command line)", name)
	}
}

// TestExpectSHA256TakesOneFileTypedTwice: --expect-sha256 checks one file;
// that file named twice, in two cases, is one file (as the queue takes
// it), not two.
func TestExpectSHA256TakesOneFileTypedTwice(t *testing.T) {
	sb := keyedSandbox(t)
	file := filepath.Join(t.TempDir(), "Report.txt")
	content := []byte("one file\n")
	require.NoError(t, os.WriteFile(file, content, 0o600))
	sum := sha256.Sum256(content)
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--expect-sha256", hex.EncodeToString(sum[:]), file, strings.ToUpper(file))
	assert.Equal(t, 0, code, errOut)
}

// TestFolderListFoundHoweverTheFolderIsTyped: history --folder finds a
// folder's upload however the folder is typed, as the upload records it
// (the path spelled as on disk, junctions followed): in another case, in
// the \\?\ form, or through a junction to it. history looked the folder
// up as typed, with only symbolic links followed, so each said that no
// upload of the folder is in the history, and suggested uploading it again.
func TestFolderListFoundHoweverTheFolderIsTyped(t *testing.T) {
	_, files, dir := uploadedTrip(t, 2)
	junction := filepath.Join(t.TempDir(), "trip-junction")
	testfs.JunctionOrSkip(t, dir, junction)
	for name, typed := range map[string]string{
		"as uploaded":        dir,
		"upper case":         strings.ToUpper(dir),
		"lower case":         strings.ToLower(dir),
		"the long form":      `\\?\` + dir,
		"through a junction": junction,
	} {
		code, cids, errOut := folderCIDs(t, typed)
		assert.Equal(t, 0, code, "%s (%s): %s", name, typed, errOut)
		assert.ElementsMatch(t, cidsOf(t, files), cids, "%s (%s)", name, typed)
	}
}
