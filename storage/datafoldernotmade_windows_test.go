package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
