package cli

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestCommandOnAHistoryAnOlderVersionUsesSaysToCloseIt: a command of this
// version on a data folder whose history is of an older schema, while an
// older window holds the folder (its window lock, held here by another
// open file, whose lock is as another process's), exits 1 saying to close
// the older one, and leaves the history's version as it was; once the
// older window is gone, the command migrates it and runs.
func TestCommandOnAHistoryAnOlderVersionUsesSaysToCloseIt(t *testing.T) {
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	d, err := storage.Open(home)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	setHistoryVersion(t, home, 19)

	lock, err := os.OpenFile(filepath.Join(home, storage.WindowLockFile), os.O_RDWR|os.O_CREATE, 0o600)
	require.NoError(t, err)
	t.Cleanup(func() { _ = lock.Close() })
	require.NoError(t, filelock.TryLock(lock))

	code, out, errOut := runCLI(t, "", "history")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, errOut, "an older dStor Uploader is still using the data folder "+home)
	assert.Contains(t, errOut, "close it, then start this version again")
	assert.NotContains(t, errOut, upgradeNotice, "nothing is updated")
	assert.Equal(t, 19, historyVersion(t, home), "not migrated")

	require.NoError(t, filelock.Unlock(lock))
	code, _, errOut = runCLI(t, "", "history")
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, storage.CurrentSchemaVersion, historyVersion(t, home))
}

// TestCommandSaysItUpdatesAnOlderHistory: a command that updates the
// history an older version left (once, seconds on a large one) says so
// first on its standard error, in one line, never in its output (which
// may be --json); a command on a current history or a new one says
// nothing of it.
func TestCommandSaysItUpdatesAnOlderHistory(t *testing.T) {
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	code, out, errOut := runCLI(t, "", "history", "--json")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out+errOut, upgradeNotice, "a new history")

	setHistoryVersion(t, home, 19)
	code, out, errOut = runCLI(t, "", "history", "--json")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, upgradeNotice+"\n", errOut, "one line, before the update")
	assert.NotContains(t, out, upgradeNotice)
	assert.Equal(t, storage.CurrentSchemaVersion, historyVersion(t, home))

	code, out, errOut = runCLI(t, "", "history", "--json")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out+errOut, upgradeNotice, "a current history")
}

// setHistoryVersion and version write and read the history's schema version
// (PRAGMA user_version) in the data folder home, as an older version
// left it.
func setHistoryVersion(t *testing.T, home string, v int) {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(home, storage.DBFileName))
	require.NoError(t, err)
	defer raw.Close()
	_, err = raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", v))
	require.NoError(t, err)
}

func historyVersion(t *testing.T, home string) int {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(home, storage.DBFileName))
	require.NoError(t, err)
	defer raw.Close()
	var v int
	require.NoError(t, raw.QueryRow(`PRAGMA user_version`).Scan(&v))
	return v
}
