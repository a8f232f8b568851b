//go:build unix

package storage

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// tempFullEnv names, for the child of TestFullTemporaryFolderIsNamed, the
// data folder it opens; its TMPDIR is a full disk.
const tempFullEnv = "DSTOR_TEST_TEMP_FULL_DATA"

// TestFullTemporaryFolderIsNamed: a read that SQLite sorts in a temporary
// file (a large sort; history --folder of a share of 3,000 files) fails
// when the temporary folder's disk is full ($TMPDIR on a small tmpfs), and
// the error names that folder, not the data folder's disk, which has room
// ("the disk holding ~/.local/share/dstor-uploader is full (77763 MB
// free)" asked to free space where there was plenty), and asks for some
// room there or another folder, not for the 64 MB the data folder's disk
// is asked for ("free at least 63 MB there" of a 256 KiB tmpfs with some
// room left asked for more than it holds). Run in a child, as SQLite reads
// $TMPDIR once a process.
func TestFullTemporaryFolderIsNamed(t *testing.T) {
	if dir := os.Getenv(tempFullEnv); dir != "" {
		sortWithTheTemporaryFolderFull(t, dir)
		return
	}
	dir := t.TempDir()
	disk := testfs.SmallDisk(t, 256<<10)
	testfs.FillDisk(t, disk)
	cmd := exec.Command(os.Args[0], "-test.run=^TestFullTemporaryFolderIsNamed$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), tempFullEnv+"="+dir, "TMPDIR="+disk, "SQLITE_TMPDIR=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the run with the temporary folder full:\n%s", out)
	assert.Contains(t, string(out), "--- PASS", "the run with the temporary folder full ran the test")
}

// sortWithTheTemporaryFolderFull sorts more than SQLite keeps in memory
// in the history in dir and checks what the error says.
func sortWithTheTemporaryFolderFull(t *testing.T, dir string) {
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	var n int
	err = d.r.QueryRow(`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 200000)
		SELECT count(*) FROM (SELECT i, randomblob(200) AS b FROM c ORDER BY b)`).Scan(&n)
	require.Error(t, err, "the sort fit in memory")
	err = explainDBError(d.path, err)
	var full *DiskFullError
	require.ErrorAs(t, err, &full)
	assert.Equal(t, os.Getenv("TMPDIR"), full.Dir, "%v", err)
	assert.Contains(t, err.Error(), "the disk holding "+os.Getenv("TMPDIR")+", the folder for temporary files, is full (0 bytes free): "+
		"free some space there, or set TMPDIR to a folder on a disk with room before starting dStor Uploader, then try again")
	assert.NotContains(t, err.Error(), "free at least", "the room the data folder's disk needs, more than this disk may hold")
	assert.NotEqual(t, filepath.Dir(d.path), full.Dir)
}

// TestTemporaryFolderNamesItsVariable: the variable a full temporary
// folder's sentence asks to set is the one that picked it, as SQLite
// reads them: SQLITE_TMPDIR before TMPDIR, a folder that cannot be
// written in skipped.
func TestTemporaryFolderNamesItsVariable(t *testing.T) {
	mine, tmp := t.TempDir(), t.TempDir()
	tests := []struct {
		name, sqliteTmp, tmpDir string
		wantDir, wantVariable   string
	}{
		{"SQLITE_TMPDIR", mine, tmp, mine, "SQLITE_TMPDIR"},
		{"TMPDIR", "", tmp, tmp, "TMPDIR"},
		{"SQLITE_TMPDIR not a folder", filepath.Join(mine, "none"), tmp, tmp, "TMPDIR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("SQLITE_TMPDIR", tt.sqliteTmp)
			t.Setenv("TMPDIR", tt.tmpDir)
			dir, variable := sqliteTempDir()
			assert.Equal(t, tt.wantDir, dir)
			assert.Equal(t, tt.wantVariable, variable)
		})
	}
}
