package storage

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestDataFolderThatCannotBeMadeSaysWhatToDo: a data folder asked for on
// a disk mounted read-only, or on a full one (a tmpfs filled, with no
// inode left for a folder either: a tmpfs's folders take no space), is told
// by every way in (MakeDataDir, Open) with the folder, what is wrong and
// what to do, not as "mkdir …: read-only file system".
func TestDataFolderThatCannotBeMadeSaysWhatToDo(t *testing.T) {
	tests := []struct {
		name    string
		options string // the tmpfs's
		problem DataFolderProblem
		is      error
		fill    bool   // fill the disk before
		says    string // after "the data folder DIR cannot be created: ", DISK for the disk
		system  string // the system's words, never said
	}{
		{"read-only disk", "ro,size=1m", DataFolderReadOnlyDisk, ErrDataFolderNotMade, false,
			"the disk holding DISK is read-only — choose another data folder with --home or " + HomeEnv, "read-only file system"},
		{"full disk", "size=64k,nr_inodes=2", DataFolderDiskFull, ErrDiskFull, true,
			"the disk holding DISK is full (0 bytes free): free at least 17 kB there, or choose another data folder with --home or " + HomeEnv,
			"no space left on device"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			disk := testfs.Tmpfs(t, tt.options)
			if tt.fill {
				defer testfs.FillDisk(t, disk)()
			}
			dir := filepath.Join(disk, "home", "data")
			db, openErr := Open(dir)
			if db != nil {
				require.NoError(t, db.Close())
			}
			for way, err := range map[string]error{"MakeDataDir": MakeDataDir(dir), "Open": openErr} {
				var e *DataFolderError
				require.ErrorAs(t, err, &e, way)
				assert.Equal(t, tt.problem, e.Problem, way)
				assert.ErrorIs(t, err, ErrDataFolderNotMade, way)
				assert.ErrorIs(t, err, tt.is, way)
				assert.Equal(t, "the data folder "+dir+" cannot be created: "+strings.ReplaceAll(tt.says, "DISK", disk), err.Error(), way)
				assert.NotContains(t, err.Error(), tt.system, way)
			}
		})
	}
}

// TestDataFolderInAnotherUsersFolderSaysWhatToDo: a data folder asked for
// in a folder this user may not write (another user's) names that folder
// and says to choose another, not "mkdir …: permission denied".
func TestDataFolderInAnotherUsersFolderSaysWhatToDo(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("running as another user takes root")
	}
	top := t.TempDir()
	testfs.OpenToNobody(t, top) // root's, mode 0755: nobody may not make folders in it
	dir := filepath.Join(top, "home", "data")
	out := testfs.RunAsNobody(t, top, "TestHelperOpenAs", openAsEnv+"="+dir)
	assert.Equal(t, "open: the data folder "+dir+" cannot be created: this user may not create folders in "+top+
		" — choose another data folder with --home or "+HomeEnv+"\n", string(out))
}
