package cli

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestVerifyOfTheDataFolderSaysOnlyWhyItIsSkipped: verify of the app's
// own data folder says it is skipped and why, as its upload does (exit 0:
// skipped by design), and not also that the folder holds no file: it
// holds the history verify just read. Before, the skip's line was
// followed by "no files in this folder — nothing to verify".
func TestVerifyOfTheDataFolderSaysOnlyWhyItIsSkipped(t *testing.T) {
	sb := keyedSandbox(t)
	home := os.Getenv(storage.HomeEnv)
	code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, home)
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, ": skipped — dStor Uploader's own data folder")
	assert.NotContains(t, out, "no files in this folder", "it holds the history")

	code, out, errOut = runCLI(t, "", "verify", "--env", sb.URL, "--json", home)
	assert.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"skipped":"own-data"`)
	assert.NotContains(t, errOut, "no files in this folder")
}
