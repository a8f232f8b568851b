package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUpgradeLockIsPrivateAsTheQueuesLocks: the upgrade lock an open of
// an older history takes lets in only its user and SYSTEM, as a queue's
// lock does, in the data folder the app makes (private) and in one the
// person chose whose access list lets others in (kept as it is).
func TestUpgradeLockIsPrivateAsTheQueuesLocks(t *testing.T) {
	for name, dir := range map[string]string{
		"made by the app": filepath.Join(t.TempDir(), "data"),
		"chosen, shared":  t.TempDir(),
	} {
		t.Run(name, func(t *testing.T) {
			require.NoError(t, MakeDataDir(dir))
			olderSchemaIn(t, dir, 19)
			d, err := Open(dir)
			require.NoError(t, err)
			t.Cleanup(func() { _ = d.Close() })
			lock, err := d.LockQueue("env", "someone@example.com")
			require.NoError(t, err)
			t.Cleanup(func() { _ = lock.Release() })
			queueLocks, err := filepath.Glob(filepath.Join(dir, LocksFolder, "*.lock"))
			require.NoError(t, err)
			require.Len(t, queueLocks, 1)
			_, err = os.Stat(filepath.Join(dir, UpgradeLockFile))
			require.NoError(t, err, "the open took the upgrade lock")

			assertPrivate(t, queueLocks[0])
			assertPrivate(t, filepath.Join(dir, UpgradeLockFile))
		})
	}
}
