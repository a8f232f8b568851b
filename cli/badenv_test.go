package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestBadEnvMakesNoDataFolder: a command refused for its --env (a usage
// error, exit 2) makes no data folder. Found by hand: on a first run,
// `verify --env 127.0.0.1:1 f` (no scheme) said so and exited 2, but had
// made the data folder and an empty history in it first; upload, resume,
// login and logout did the same.
func TestBadEnvMakesNoDataFolder(t *testing.T) {
	file := testfs.WriteTemp(t, "a.txt", []byte("a"))
	for _, args := range [][]string{
		{"upload", "--env", "127.0.0.1:1", file},
		{"upload", "--env", "sandbox", file},
		{"resume", "--env", "127.0.0.1:1"},
		{"login", "--env", "127.0.0.1:1", "--api-key-stdin"},
		{"logout", "--env", "127.0.0.1:1"},
		{"verify", "--env", "127.0.0.1:1", file},
		{"verify", "--env", "ftp://127.0.0.1", file},
	} {
		t.Run(strings.Join(args[:3], " "), func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			t.Setenv("DSTOR_UPLOADER_HOME", home)
			code, out, errOut := runCLI(t, "key\n", args...)
			assert.Equal(t, 2, code, "%s%s", out, errOut)
			assert.NotEmpty(t, errOut)
			assert.NoDirExists(t, home, "a usage error makes no data folder: %s", errOut)
		})
	}
}
