package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// missingDrive is a drive letter with no drive ("Q:"), or skips the test.
func missingDrive(t *testing.T) string {
	t.Helper()
	for _, l := range "QRWXYPONML" {
		drive := string(l) + ":"
		if _, err := os.Stat(drive + `\`); err != nil {
			return drive
		}
	}
	t.Skip("every drive letter tried is there")
	return ""
}

// TestDataFolderOnAMissingDriveSaysWhatToDo: a data folder asked for on a
// drive that is not there (a USB disk unplugged, a network drive not
// mapped) names the drive and what to do, by every way in (MakeDataDir,
// Open), not as "mkdir Q:\: The system cannot find the path specified".
func TestDataFolderOnAMissingDriveSaysWhatToDo(t *testing.T) {
	drive := missingDrive(t)
	dir := filepath.Join(drive+`\`, "home", "data")
	db, openErr := Open(dir)
	if db != nil {
		require.NoError(t, db.Close())
	}
	for way, err := range map[string]error{"MakeDataDir": MakeDataDir(dir), "Open": openErr} {
		var e *DataFolderError
		require.ErrorAs(t, err, &e, way)
		assert.Equal(t, DataFolderNoDrive, e.Problem, way)
		assert.ErrorIs(t, err, ErrDataFolderNotMade, way)
		assert.Equal(t, "the data folder "+dir+" cannot be created: the drive "+drive+
			" is not there — connect it, or choose another data folder with --home or "+HomeEnv, err.Error(), way)
	}
}

// TestDataFolderOnWriteProtectedMediaIsAReadOnlyDisk: Windows says a
// folder cannot be made on write-protected media (a USB stick's or an SD
// card's switch, a write-protected volume) with ERROR_WRITE_PROTECT, which
// is the read-only disk Unix calls EROFS: told as such, with what to do,
// not as "mkdir …: The media is write protected." Wine cannot make such
// media, so the system's error is fed to the classifier as CreateDirectory
// returns it (makePrivateDir).
func TestDataFolderOnWriteProtectedMediaIsAReadOnlyDisk(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "home", "data")
	for _, tc := range []struct {
		name    string
		errno   windows.Errno
		problem DataFolderProblem
		says    string
	}{
		{"write-protected media", windows.ERROR_WRITE_PROTECT, DataFolderReadOnlyDisk,
			"the disk holding " + parent + " is read-only — choose another data folder with --home or " + HomeEnv},
		{"access denied", windows.ERROR_ACCESS_DENIED, DataFolderNoPermission,
			"this user may not create folders in " + parent + " — choose another data folder with --home or " + HomeEnv},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := dataFolderError(dir, parent, &os.PathError{Op: "mkdir", Path: dir, Err: tc.errno})
			var e *DataFolderError
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.problem, e.Problem)
			assert.ErrorIs(t, err, ErrDataFolderNotMade)
			assert.ErrorIs(t, err, tc.errno, "the system's error is kept")
			assert.Equal(t, "the data folder "+dir+" cannot be created: "+tc.says, err.Error())
		})
	}
}
