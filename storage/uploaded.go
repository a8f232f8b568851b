package storage

import (
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// FileVersion is one version of one local file, as far as the platform
// tells it: size, modification and change times, and the file's id
// ("device:inode" on Linux). It mirrors api.FileIdentity, which storage
// cannot import; zero fields are unknown.
type FileVersion struct {
	Size       int64
	ModTime    time.Time
	ChangeTime time.Time
	ID         string
}

// migrateV5 adds the uploaded file's identity to the history (its size is
// there already) and an index to find a file's entries by account and
// path, so "is this file already uploaded?" is one index seek per file.
// Entries from before have no identity and are never matched.
func migrateV5(tx *sql.Tx) error {
	return execAll(tx,
		`ALTER TABLE history ADD COLUMN file_mtime INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE history ADD COLUMN file_ctime INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE history ADD COLUMN file_id TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX history_uploaded ON history (account, env, local_path)`,
	)
}

// UploadedQuery names a file about to be uploaded: where to, as whom, and
// which version of which file.
type UploadedQuery struct {
	Env, Account string
	LocalPath    string
	// FolderPath and ParentID are the destination; the same file sent to
	// another folder is another upload.
	FolderPath string
	ParentID   *int64
	File       FileVersion
}

// uploadedSQL finds a file's entries through the history_uploaded index.
const uploadedSQL = `SELECT ` + historyCols + ` FROM history
	WHERE account = ? AND env = ? AND local_path = ? AND verified = 1
	  AND folder_path = ? AND parent_id IS ?
	  AND size = ? AND file_mtime = ? AND file_ctime = ? AND file_id = ?
	ORDER BY id DESC LIMIT 1`

// FindUploaded returns the newest verified history entry of the same
// account and environment for the same path, destination and file version
// (size, modification and change times, file id all equal), and false
// when there is none: the file is then to be uploaded. A file whose
// version is unknown (zero modification time) is never found.
func (d *DB) FindUploaded(q UploadedQuery) (HistoryEntry, bool, error) {
	if q.File.ModTime.IsZero() {
		return HistoryEntry{}, false, nil
	}
	row := d.r.QueryRow(uploadedSQL,
		q.Account, q.Env, q.LocalPath, q.FolderPath, nullInt(q.ParentID),
		q.File.Size, nanos(q.File.ModTime), nanos(q.File.ChangeTime), q.File.ID)
	e, err := scanHistory(row)
	if errors.Is(err, sql.ErrNoRows) {
		return HistoryEntry{}, false, nil
	}
	if err != nil {
		return HistoryEntry{}, false, fmt.Errorf("look for an earlier upload of %s: %w", q.LocalPath, err)
	}
	return e, true, nil
}
