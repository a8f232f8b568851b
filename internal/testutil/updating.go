package testutil

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// HoldAsUpdating holds, by open files of their own, the locks a command
// updating the upload history in the data folder dir holds meanwhile (the
// upgrade lock and the window's), so that a window started then finds
// that update under way (storage.UpdateUnderWay); other open files are
// other holders. The returned func lets them go, once, as the update's
// end would; the test's cleanup calls it too.
func HoldAsUpdating(t testing.TB, dir string) (end func()) {
	t.Helper()
	var held []*os.File
	for _, name := range []string{storage.UpgradeLockFile, storage.WindowLockFile} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE, 0o600)
		require.NoError(t, err)
		require.NoError(t, filelock.TryLock(f))
		held = append(held, f)
	}
	var once sync.Once
	end = func() {
		once.Do(func() {
			for _, f := range held {
				_ = f.Close()
			}
		})
	}
	t.Cleanup(end)
	return end
}
