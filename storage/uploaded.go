package storage

import (
	"cmp"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
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

// Uploaded holds the verified uploads of the files at or below one local
// path, with the identity each file had, loaded in one index range scan
// (UploadedIn) so that a folder of thousands of files costs one query.
type Uploaded struct {
	byPath map[string][]uploadedFile
	also   []string // the other names of the account (UploadedIn)
}

type uploadedFile struct {
	entry HistoryEntry // newest first
	file  FileVersion
}

// uploadedSQL reads the entries of an account whose local path lies in
// [lo, hi), through the history_uploaded index, newest first.
const uploadedSQL = `SELECT ` + historyCols + `, file_mtime, file_ctime, file_id FROM history
	WHERE account = ? AND env = ? AND local_path >= ? AND local_path < ?
	  AND verified = 1 AND file_mtime <> 0
	ORDER BY id DESC`

// UploadedIn loads the verified uploads of env and account of the file at
// path, or of the files below it when it is a folder (at any depth). Entries
// from before file identities were kept are left out: they never match.
// also names the same account by its other names (AccountNames: its email
// and its dStor account id), whose uploads count as the account's own.
func (d *DB) UploadedIn(env, account, path string, also ...string) (*Uploaded, error) {
	u := &Uploaded{byPath: make(map[string][]uploadedFile)}
	names := []string{account}
	for _, a := range also {
		if !slices.Contains(names, a) {
			names = append(names, a)
			u.also = append(u.also, a)
		}
	}
	for _, name := range names {
		if err := d.uploadedOf(u, env, name, path); err != nil {
			return nil, err
		}
	}
	if len(names) > 1 {
		for _, fs := range u.byPath {
			slices.SortStableFunc(fs, func(a, b uploadedFile) int { return cmp.Compare(b.entry.ID, a.entry.ID) })
		}
	}
	return u, nil
}

// uploadedOf adds to u the verified uploads of env and account at or
// below path, newest first.
func (d *DB) uploadedOf(u *Uploaded, env, account, path string) error {
	lo, hi, below := pathSpan(path)
	rows, err := d.r.Query(uploadedSQL, account, env, lo, hi)
	if err != nil {
		return fmt.Errorf("look for earlier uploads in %s: %w", path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var f uploadedFile
		var mtime, ctime int64
		e, err := scanHistory(withColumns{rows, []any{&mtime, &ctime, &f.file.ID}})
		if err != nil {
			return fmt.Errorf("look for earlier uploads in %s: %w", path, err)
		}
		if e.LocalPath != path && !strings.HasPrefix(e.LocalPath, below) {
			continue
		}
		f.entry = e
		f.file.Size, f.file.ModTime, f.file.ChangeTime = e.Size, fromNanos(mtime), fromNanos(ctime)
		u.byPath[e.LocalPath] = append(u.byPath[e.LocalPath], f)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("look for earlier uploads in %s: %w", path, err)
	}
	return nil
}

// pathSpan is the range [lo, hi) of the local paths equal to path or
// below it, and below, the prefix of the paths below it. No UTF-8 byte is
// 0xff, so every such path sorts in [path, below+"\xff"); siblings that
// share the prefix ("/a/b2" for "/a/b") sort there too, and the caller
// leaves out what neither equals path nor starts with below.
func pathSpan(path string) (lo, hi, below string) {
	below = path
	if !strings.HasSuffix(below, string(filepath.Separator)) {
		below += string(filepath.Separator)
	}
	return path, below + "\xff", below
}

// Find returns the newest upload of the same account (under any of the
// names UploadedIn was given) and environment for
// the same path, destination and file version (size, modification and
// change times, file id all equal), and false when there is none: the
// file is then to be uploaded. A file whose version is unknown (zero
// modification time) is never found.
func (u *Uploaded) Find(q UploadedQuery) (HistoryEntry, bool) {
	if u == nil || q.File.ModTime.IsZero() {
		return HistoryEntry{}, false
	}
	for _, f := range u.byPath[q.LocalPath] {
		e := f.entry
		if e.Env == q.Env && (e.Account == q.Account || slices.Contains(u.also, e.Account)) && e.FolderPath == q.FolderPath &&
			sameParent(e.ParentID, q.ParentID) && f.file.Size == q.File.Size &&
			f.file.ModTime.Equal(q.File.ModTime) && f.file.ChangeTime.Equal(q.File.ChangeTime) &&
			f.file.ID == q.File.ID {
			return e, true
		}
	}
	return HistoryEntry{}, false
}

func sameParent(a, b *int64) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// withColumns scans the columns after historyCols into extra.
type withColumns struct {
	sc    interface{ Scan(...any) error }
	extra []any
}

func (w withColumns) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra...)...) }

// newestFromSQL reads the entries of env whose local path is one of two,
// by any account: the accounts are found by a loose scan of
// history_uploaded (one seek per account, as SQLite does not skip along
// an index without statistics), then each account's entries of the two
// paths by a seek in it.
const newestFromSQL = `WITH RECURSIVE accounts_seen(signed_as) AS (
		SELECT min(account) FROM history
		UNION ALL
		SELECT (SELECT min(account) FROM history WHERE account > accounts_seen.signed_as) FROM accounts_seen WHERE accounts_seen.signed_as IS NOT NULL)
	SELECT ` + historyCols + ` FROM accounts_seen CROSS JOIN history
	WHERE history.account = accounts_seen.signed_as AND history.env = ? AND history.local_path IN (?, ?)`

// NewestUploadFrom returns the newest upload to env (by any account, as
// HistoryOfContent finds them) from path or from also, which names the
// same file as another upload may have recorded it (a file found in a
// folder is recorded under the folder's real path), and false when there
// is none: so verify can say that a file whose content matches no upload
// changed since it was uploaded from there.
func (d *DB) NewestUploadFrom(env, path, also string) (HistoryEntry, bool, error) {
	entries, err := queryAll(d.r, scanHistory, newestFromSQL, env, path, also)
	if err != nil {
		return HistoryEntry{}, false, fmt.Errorf("look for uploads from %s: %w", path, err)
	}
	if len(entries) == 0 {
		return HistoryEntry{}, false, nil
	}
	return slices.MinFunc(entries, newestFirst), true, nil
}

// FileUpload is an upload whose file identity the history recorded: its
// entry's id and the path it was uploaded from, as recorded.
type FileUpload struct {
	ID        int64
	LocalPath string
}

// UploadsByFile returns the uploads to env (by any account, as
// NewestUploadFrom) that recorded their file's identity, by that
// identity (file_id), read in one scan of the history: so that verify
// can find the uploads of a file made by another spelling of its path (a
// link on it), one map for all the files it verifies. Entries from
// before identities were kept are not in it.
func (d *DB) UploadsByFile(env string) (map[string][]FileUpload, error) {
	by := map[string][]FileUpload{}
	err := d.eachFileUpload(func(f fileUploadRow) error {
		by[f.id] = append(by[f.id], f.up)
		return nil
	}, `SELECT file_id, id, local_path FROM history WHERE env = ? AND file_id != ''`, env)
	if err != nil {
		return nil, err
	}
	return by, nil
}

// UploadsOfFile returns the uploads to env that recorded the file
// identity id, as UploadsByFile would give them for id: also one scan
// (no index holds identities), for a few files cheaper than the map of
// all (a third to a tenth of its time at 100,000 uploads).
func (d *DB) UploadsOfFile(env, id string) ([]FileUpload, error) {
	var ups []FileUpload
	err := d.eachFileUpload(func(f fileUploadRow) error {
		ups = append(ups, f.up)
		return nil
	}, `SELECT file_id, id, local_path FROM history WHERE env = ? AND file_id = ? AND file_id != ''`, env, id)
	return ups, err
}

// eachFileUpload calls fn with each row of query (file_id, id,
// local_path of history rows).
func (d *DB) eachFileUpload(fn func(fileUploadRow) error, query string, args ...any) error {
	err := eachRow(d.r, func(sc rowScanner) (fileUploadRow, error) {
		var f fileUploadRow
		return f, sc.Scan(&f.id, &f.up.ID, &f.up.LocalPath)
	}, fn, query, args...)
	if err != nil {
		return fmt.Errorf("look for uploads by file: %w", err)
	}
	return nil
}

// fileUploadRow is one row UploadsByFile reads.
type fileUploadRow struct {
	id string
	up FileUpload
}

// historyByIDsSQL reads the history entries whose ids the JSON array ?
// lists, newest first (newestFirst: finished last, then the highest id):
// each looked up by its id, then these matches alone sorted.
var historyByIDsSQL = `SELECT ` + historyCols + ` FROM history WHERE id` + inJSON + ` ORDER BY finished_at DESC, id DESC`

// newestOfSQL reads the newest of the history entries whose ids the JSON
// array ? lists (historyByIDsSQL, one row kept).
var newestOfSQL = historyByIDsSQL + ` LIMIT 1`

// NewestOf returns the newest (newestFirst: finished last, then the
// highest id) of the history entries ids that are still there, and false
// when none is: verify's pick among the uploads of one file
// (UploadsByFile) whose paths lead to it, which may be more than one
// statement binds variables (inJSON).
func (d *DB) NewestOf(ids ...int64) (HistoryEntry, bool, error) {
	if len(ids) == 0 {
		return HistoryEntry{}, false, nil
	}
	e, err := queryOne(d.r, scanHistory, fmt.Sprintf("read the newest of %d uploads", len(ids)), newestOfSQL, jsonList(ids))
	if errors.Is(err, ErrNotFound) {
		return HistoryEntry{}, false, nil
	}
	return e, err == nil, err
}
