package cli

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

// TestDataFolderOnAReadOnlyDiskSaysWhatToDo: a data folder asked for on a
// disk mounted read-only stops every command that keeps a history, and
// the window before it opens, with one sentence that names the folder,
// the disk and what to do, not "create the data folder …: mkdir …:
// read-only file system".
func TestDataFolderOnAReadOnlyDiskSaysWhatToDo(t *testing.T) {
	disk := testfs.Tmpfs(t, "ro,size=1m")
	home := filepath.Join(disk, "home")
	t.Setenv(storage.HomeEnv, home)
	file := testfs.WriteTemp(t, "a.txt", []byte("a"))
	openWindow = func(ui.Options) error { t.Error("no window opens"); return nil }
	windowFaked(t)
	for _, args := range [][]string{{"history"}, {"upload", "--env", "testnet", file}, {}} {
		code, out, errOut := runCLI(t, "", args...)
		assert.Equal(t, 1, code, "%q", args)
		assert.Empty(t, out, "%q", args)
		assert.Contains(t, errOut, ": the data folder "+home+" cannot be created: the disk holding "+disk+
			" is read-only — choose another data folder with --home or "+storage.HomeEnv+"\n", "%q", args)
	}
}
