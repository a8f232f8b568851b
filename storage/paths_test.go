package storage

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// dataDirCase is a row of TestDataDir, whose table is per system: the
// environment it sets and the data folder DataDir gives with it.
type dataDirCase struct {
	name string
	env  map[string]string
	want string
}

// testDataDir runs each case in a subtest: with its environment set,
// DataDir gives the case's folder, made private.
func testDataDir(t *testing.T, cases []dataDirCase) {
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got, err := DataDir()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assertPrivate(t, got)
		})
	}
}

func TestDataDirRelativeOverrideIsMadeAbsolute(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv(HomeEnv, "portable-data")
	got, err := DataDir()
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(got), got)
	assert.Equal(t, "portable-data", filepath.Base(got))
}

// TestFileWhereTheDataFolderGoes: a file standing where the data folder or
// one of its parents should be is named as the problem by every way in
// (MakeDataDir, DataDir, Open), before anything else touches the folder;
// a missing folder is created and an existing one is used.
func TestFileWhereTheDataFolderGoes(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "notes.txt")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))
	existing := filepath.Join(root, "existing")
	require.NoError(t, os.Mkdir(existing, 0o700))
	tests := []struct {
		name, dir, inTheWay string
	}{
		{"the folder is a file", file, file},
		{"its parent is a file", filepath.Join(file, "data"), file},
		{"a grandparent is a file", filepath.Join(file, "a", "data"), file},
		{"missing: created", filepath.Join(root, "new", "data"), ""},
		{"existing: used", existing, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(HomeEnv, tt.dir)
			_, dirErr := DataDir()
			db, openErr := Open(tt.dir)
			if db != nil {
				require.NoError(t, db.Close())
			}
			for way, err := range map[string]error{"MakeDataDir": MakeDataDir(tt.dir), "DataDir": dirErr, "Open": openErr} {
				if tt.inTheWay == "" {
					require.NoError(t, err, way)
					continue
				}
				var nf *NotAFolderError
				require.ErrorAs(t, err, &nf, way)
				assert.Equal(t, tt.inTheWay, nf.File, way)
				assert.ErrorIs(t, err, ErrNotAFolder, way)
				assert.Contains(t, err.Error(), tt.inTheWay+" is a file, not a folder", way)
				assert.Contains(t, err.Error(), "move or rename that file", way)
			}
			if tt.inTheWay == "" {
				fi, err := os.Stat(tt.dir)
				require.NoError(t, err)
				assert.True(t, fi.IsDir())
			}
		})
	}
}
