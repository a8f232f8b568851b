package cli

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestHistoryOfANewerVersionSaysWhatToDo: a data folder a newer version
// of dStor Uploader has used (its history's schema past this one's: the
// person went back to an older version) is refused by every command that
// opens it, and the refusal says what to do (install that version or a
// newer one), not only that the schema is newer; the file is left as it
// is.
func TestHistoryOfANewerVersionSaysWhatToDo(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(APIKeyEnv, "")
	db := openDataDB(t)
	path := db.Path()
	require.NoError(t, db.Close())
	setVersion := func(v int) {
		raw, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		defer func() { require.NoError(t, raw.Close()) }()
		_, err = raw.Exec(fmt.Sprintf("PRAGMA user_version = %d", v))
		require.NoError(t, err)
	}
	newer := storage.CurrentSchemaVersion + 1
	setVersion(newer)
	file := filepath.Join(t.TempDir(), "a.txt")
	tests := [][]string{
		{"history"},
		{"history", "--folder", t.TempDir()},
		{"resume"},
		{"upload", "--env", "http://127.0.0.1:9", file},
		{"verify", file},
	}
	for _, args := range tests {
		t.Run(args[0], func(t *testing.T) {
			code, _, errOut := runCLI(t, "", args...)
			assert.Equal(t, 1, code, errOut)
			assert.Contains(t, errOut, "written by a newer version of dStor Uploader")
			assert.Contains(t, errOut, "install that version, or a newer one", "what to do")
		})
	}
	raw, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer func() { require.NoError(t, raw.Close()) }()
	var v int
	require.NoError(t, raw.QueryRow("PRAGMA user_version").Scan(&v))
	assert.Equal(t, newer, v, "left as it is")
}
