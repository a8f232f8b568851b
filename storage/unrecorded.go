package storage

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// What a file of uploads not recorded is called in the data folder
// (unrecorded-uploads-20261206T172500Z.txt): a person finds it by its
// name, and CarryUnrecorded by its prefix and extension.
const (
	unrecordedPrefix = "unrecorded-uploads-"
	unrecordedExt    = ".txt"
	unrecordedEnd    = "# end of the list"
	unrecordedTime   = "20060102T150405Z" // the time in the name, UTC
	// unrecordedTempSettle is how old a hidden temporary file of uploads
	// not recorded must be before a start takes it for one a killed quit
	// left: a younger one may be a quit's, still writing or about to
	// rename it (which takes milliseconds).
	unrecordedTempSettle = time.Minute
	// carriedMarkKept is how long the history keeps the mark of a file of
	// uploads not recorded it carried (unrecordedMark) once no carry has
	// found that file for so long and it is gone: a copy put back later
	// than that (a backup, a sync client) is carried again.
	carriedMarkKept = 30 * 24 * time.Hour
	// carriedMarkPrefix begins the key of every such mark.
	carriedMarkPrefix = "carried "
)

// NotCarriedError is CloseCarryingOver's failure: what the database it
// closed could not record (Uploads, their links; Queued, the files not
// uploaded; Added, the files and folders added not listed) could not be
// written into the history at Path either (Err). When SavedIn is set they
// are in that file of the data folder, which the next start puts into the
// history (CarryUnrecorded); else SaveErr says why that file could not be
// written, and the Uploads are recorded nowhere: the caller names them.
type NotCarriedError struct {
	Path    string
	Gone    *ReplacedError // why the history could not record them; nil when it was still in place
	Uploads []JobFinish
	Queued  []JobRow
	Added   []WalkRow
	SavedIn string
	SaveErr error
	Err     error
}

// Error says what could not be written where, and where it is kept.
func (e *NotCarriedError) Error() string {
	s := fmt.Sprintf("the uploads not recorded could not be written into %s: %v", e.Path, e.Err)
	if e.SavedIn != "" {
		return s + "; they are kept in " + e.SavedIn + " for the next start"
	}
	return fmt.Sprintf("%s; nor kept in a file of the data folder: %v", s, e.SaveErr)
}

// Unwrap is why the carry-over failed.
func (e *NotCarriedError) Unwrap() error { return e.Err }

// notCarried is the *NotCarriedError of a carry-over of d's c and done
// that failed with err, once what they hold is saved in a file of d's
// data folder (when it can be); gone is why d could not record them.
func (d *DB) notCarried(gone error, c carried, done []JobFinish, err error) error {
	e := &NotCarriedError{Path: d.path, Uploads: done, Queued: c.jobs, Added: c.walks, Err: err}
	errors.As(gone, &e.Gone)
	if len(done)+len(c.jobs)+len(c.walks) == 0 {
		return err
	}
	e.SavedIn, e.SaveErr = saveUnrecorded(filepath.Dir(d.path), e, time.Now())
	return e
}

// unrecordedLine is one line of a file of uploads not recorded after its
// comments: an upload (Uploaded, its Job and File), a job not uploaded
// (Job alone) or a file or folder added not listed (Added).
type unrecordedLine struct {
	Uploaded *HistoryEntry `json:"uploaded,omitempty"`
	Job      *JobRow       `json:"job,omitempty"`
	File     *FileVersion  `json:"file_version,omitempty"`
	Added    *WalkRow      `json:"added,omitempty"`
}

// saveUnrecorded writes what e could not carry into a new file of dir,
// private to its owner, whole or not at all (a temporary file renamed),
// and returns its path.
func saveUnrecorded(dir string, e *NotCarriedError, now time.Time) (string, error) {
	b, err := unrecordedText(e, now)
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, "."+unrecordedPrefix+"*.tmp")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(b)
	if serr := tmp.Sync(); err == nil {
		err = serr
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = restrictToOwner(tmp.Name())
	}
	var path string
	if err == nil {
		path, err = renameToUnused(tmp.Name(), filepath.Join(dir, unrecordedPrefix+now.UTC().Format(unrecordedTime)))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return "", err
	}
	return path, nil
}

// renameToUnused renames tmp to base+unrecordedExt, or base-2, base-3…
// when a file of that name is there, and returns the name it took. Each
// step is a rename that never replaces a file (renameNoReplace): another
// quit taking the same name at once takes the next one.
func renameToUnused(tmp, base string) (string, error) {
	for i := 1; i < 100; i++ {
		path := base + unrecordedExt
		if i > 1 {
			path = base + "-" + strconv.Itoa(i) + unrecordedExt
		}
		if err := renameNoReplace(tmp, path); !errors.Is(err, fs.ErrExist) {
			return path, err
		}
	}
	return "", fmt.Errorf("no unused name for %s%s", base, unrecordedExt)
}

// unrecordedText is the file saveUnrecorded writes: comments a person
// reads (each upload's CID and name, then what to do), one JSON line per
// upload, job and added path for the next start, and an end line, so a
// file cut short is told from a whole one.
func unrecordedText(e *NotCarriedError, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# dStor Uploader could not record these uploads in its upload history %s (%s).\n", e.Path, now.UTC().Format(time.RFC3339))
	b.WriteString("# The next start of dStor Uploader puts them into the history (and the files not uploaded back into the queue), then removes this file.\n")
	b.WriteString("# Each upload's link is its CID (the first word of its comment line) on your dStor gateway: https://GATEWAY/ipfs/CID\n")
	lines := make([]unrecordedLine, 0, len(e.Uploads)+len(e.Queued)+len(e.Added))
	for _, f := range e.Uploads {
		fmt.Fprintf(&b, "# %s  %s\n", f.History.Hash, strconv.QuoteToGraphic(f.History.Name))
		lines = append(lines, unrecordedLine{Uploaded: &f.History, Job: &f.Row, File: &f.History.File})
	}
	for i := range e.Queued {
		lines = append(lines, unrecordedLine{Job: &e.Queued[i]})
	}
	for i := range e.Added {
		lines = append(lines, unrecordedLine{Added: &e.Added[i]})
	}
	for _, l := range lines {
		j, err := json.Marshal(l)
		if err != nil {
			return nil, fmt.Errorf("write the uploads not recorded: %w", err)
		}
		b.Write(j)
		b.WriteByte('\n')
	}
	b.WriteString(unrecordedEnd + "\n")
	return b.Bytes(), nil
}

// UnrecordedFileError is a file of uploads not recorded (Path) that
// CarryUnrecorded could not put into the history (Err): it is kept as it
// is, for the person to read or to be carried at a later start.
type UnrecordedFileError struct {
	Path string
	Err  error
}

// Error names the file, says it is kept, and why it was not carried.
func (e *UnrecordedFileError) Error() string {
	return fmt.Sprintf("the uploads not recorded in %s could not be put into the upload history (it is kept): %v", e.Path, e.Err)
}

// Unwrap is why the file could not be carried.
func (e *UnrecordedFileError) Unwrap() error { return e.Err }

// CarriedNotRemovedError is a file of uploads not recorded (Path) whose
// uploads are in the history (put there now, or by an earlier start when
// Before) but which could not be removed (Err, the remove's error): a
// later start does not carry it again, and only tries to remove it, so
// the person may remove it by hand, nothing in it is lost.
type CarriedNotRemovedError struct {
	Path   string
	Before bool
	Err    error
}

// Error says the file's uploads are in the history and that only the
// file is left.
func (e *CarriedNotRemovedError) Error() string {
	if e.Before {
		return fmt.Sprintf("the uploads not recorded in %s are in the upload history since an earlier start, but the file is still not removed: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("the uploads not recorded in %s are in the upload history now, but the file could not be removed: %v", e.Path, e.Err)
}

// Unwrap is why the file could not be removed.
func (e *CarriedNotRemovedError) Unwrap() error { return e.Err }

// CarryUnrecorded puts into the history the files of uploads not
// recorded (saved by a CloseCarryingOver that failed) in d's data folder,
// oldest first: each in one transaction (rows there already, by id, are
// left as they are), then removes it, and forgets the marks of files
// carried long ago (forgetOldCarriedMarks); a whole temporary file a quit
// killed before its rename left is renamed into place first
// (placeUnrecordedTemps), a torn one kept. It returns the files carried, and
// for each file it could not read or carry an *UnrecordedFileError, for
// each file carried but not removed a *CarriedNotRemovedError (joined):
// such a file is kept. The window and the command line call it once the
// history is open.
func (d *DB) CarryUnrecorded() (carried []string, err error) {
	dir := filepath.Dir(d.path)
	errs := placeUnrecordedTemps(dir)
	paths, err := filepath.Glob(filepath.Join(dir, unrecordedPrefix+"*"+unrecordedExt))
	if err != nil {
		return nil, fmt.Errorf("look for uploads not recorded: %w", err)
	}
	slices.Sort(paths)
	for _, p := range paths {
		ok, err := d.carryUnrecordedFile(p)
		if _, in := errors.AsType[*CarriedNotRemovedError](err); err != nil && !in {
			err = &UnrecordedFileError{Path: p, Err: err}
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			carried = append(carried, p)
		}
	}
	if err := d.forgetOldCarriedMarks(dir, time.Now()); err != nil {
		errs = append(errs, err)
	}
	return carried, errors.Join(errs...)
}

// placeUnrecordedTemps renames each whole temporary file of uploads not
// recorded in dir (a quit killed between its write and its rename left
// it) to the name the quit would have given it (its time the file's), for
// CarryUnrecorded to carry. A torn one is kept as it is, and is an
// *UnrecordedFileError; one gone since it was found (another process
// renamed it) is left to that process, and one changed within
// unrecordedTempSettle to the quit that may be writing it.
func placeUnrecordedTemps(dir string) []error {
	temps, err := filepath.Glob(filepath.Join(dir, "."+unrecordedPrefix+"*.tmp"))
	if err != nil {
		return []error{fmt.Errorf("look for uploads not recorded: %w", err)}
	}
	var errs []error
	for _, tmp := range temps {
		if fi, err := os.Stat(tmp); err == nil && time.Since(fi.ModTime()) < unrecordedTempSettle {
			continue // a quit's, now: it renames it itself
		}
		if err := placeUnrecordedTemp(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, &UnrecordedFileError{Path: tmp, Err: err})
		}
	}
	return errs
}

// placeUnrecordedTemp renames the temporary file tmp, once read whole, to
// an unused name of a file of uploads not recorded.
func placeUnrecordedTemp(tmp string) error {
	if _, _, _, err := readUnrecorded(tmp); err != nil {
		return err
	}
	fi, err := os.Stat(tmp)
	if err != nil {
		return err
	}
	_, err = renameToUnused(tmp, filepath.Join(filepath.Dir(tmp), unrecordedPrefix+fi.ModTime().UTC().Format(unrecordedTime)))
	return err
}

// carryUnrecordedFile puts the file of uploads not recorded at path into
// d's history, then removes it. It reports true when its transaction put
// the file's rows there, and false, and no error, when the file is gone
// since it was found or was carried before: another process (a window
// starting, a command) carried it into the same history, and only that
// one says so, or an earlier start did and said so. The history
// keeps a mark of each file carried (its name and the SHA-256 of its
// bytes, written with its rows, and the time a carry last found it): a
// file carried before but still there
// (its remove denied, or a crash before it) is only removed again, so a
// job it holds that meanwhile ran and was cleared is not queued twice. A
// file carried that cannot be removed is a *CarriedNotRemovedError.
func (d *DB) carryUnrecordedFile(path string) (bool, error) {
	c, done, sum, err := readUnrecorded(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	mark := unrecordedMark(path, sum)
	var before bool
	if err := d.withTx("carry the uploads not recorded into the history", func(tx *sql.Tx) error {
		seen := time.Now().UTC().Format(time.RFC3339)
		res, err := tx.Exec(`UPDATE settings SET value = ? WHERE key = ?`, seen, mark)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if before = n > 0; before || err != nil {
			return err
		}
		if err := carryOver(tx, c, done, &CarriedOver{}); err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?)`, mark, seen)
		return err
	}); err != nil {
		return false, err
	}
	if len(done) > 0 && !before {
		d.noteHistoryWritten()
	}
	if d.afterCarryTx != nil {
		d.afterCarryTx(path)
	}
	err = os.Remove(path)
	if err == nil || errors.Is(err, fs.ErrNotExist) { // gone: removed here, or by another process that read it too
		return !before, nil
	}
	return false, &CarriedNotRemovedError{Path: path, Before: before, Err: err}
}

// unrecordedMark is the key of the settings row that marks the file of
// uploads not recorded at path, whose bytes have the SHA-256 sum, as
// carried into the history. A row of the settings table, not a table of
// its own, so an older version opens the history as it is.
func unrecordedMark(path string, sum []byte) string {
	return carriedMarkPrefix + filepath.Base(path) + " sha256:" + hex.EncodeToString(sum)
}

// markedFile is the name of the file the mark key (unrecordedMark) is of.
func markedFile(key string) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(key, carriedMarkPrefix), " sha256:")
	return name
}

// forgetOldCarriedMarks deletes the marks of files of uploads not
// recorded carried into d's history (unrecordedMark) whose file is gone
// from dir and that no carry found for carriedMarkKept or more before
// now: a carry that finds a file there (carrying it, or carried before)
// writes its time into the mark, so a file still there, or removed
// lately by a start that found it carried, is never carried twice.
func (d *DB) forgetOldCarriedMarks(dir string, now time.Time) error {
	old, err := d.oldCarriedMarks(dir, now)
	if err != nil || len(old) == 0 {
		return err
	}
	return d.withTx("forget the marks of files of uploads not recorded carried long ago", func(tx *sql.Tx) error {
		for key, seen := range old {
			// Only as read: a carry that found the file since wrote its time.
			if _, err := tx.Exec(`DELETE FROM settings WHERE key = ? AND value = ?`, key, seen); err != nil {
				return err
			}
		}
		return nil
	})
}

// oldCarriedMarks are the marks forgetOldCarriedMarks deletes, each with
// the time it holds as read. A mark whose time does not read is kept.
func (d *DB) oldCarriedMarks(dir string, now time.Time) (map[string]string, error) {
	// The keys from "carried " up to "carried!" (the next byte): a range
	// of the primary key, not a scan of the table.
	rows, err := d.r.Query(`SELECT key, value FROM settings WHERE key >= ? AND key < ?`, carriedMarkPrefix, "carried!")
	if err != nil {
		return nil, fmt.Errorf("read the marks of files of uploads not recorded: %w", err)
	}
	defer func() { _ = rows.Close() }()
	old := map[string]string{}
	for rows.Next() {
		var key, seen string
		if err := rows.Scan(&key, &seen); err != nil {
			return nil, fmt.Errorf("read the marks of files of uploads not recorded: %w", err)
		}
		at, err := time.Parse(time.RFC3339, seen)
		if err != nil || now.Sub(at) < carriedMarkKept {
			continue
		}
		if _, err := os.Lstat(filepath.Join(dir, markedFile(key))); errors.Is(err, fs.ErrNotExist) {
			old[key] = seen
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the marks of files of uploads not recorded: %w", err)
	}
	return old, nil
}

// maxUnrecordedLine is the longest line readUnrecorded reads: far longer
// than any line saveUnrecorded writes (a row of a job or an upload).
const maxUnrecordedLine = 16 << 20

// readUnrecorded reads a file saveUnrecorded wrote: its jobs and added
// paths, its uploads, and the SHA-256 of its bytes. A line that is no
// comment and no whole record, or a file without its end line (cut
// short), is an error.
func readUnrecorded(path string) (carried, []JobFinish, []byte, error) {
	f, err := openDeletable(path)
	if err != nil {
		return carried{}, nil, nil, err
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	c, done, err := readUnrecordedLines(io.TeeReader(f, h))
	if err != nil {
		return carried{}, nil, nil, err
	}
	return c, done, h.Sum(nil), nil
}

// readUnrecordedLines reads the lines of a file of uploads not recorded
// from r, to its end.
func readUnrecordedLines(r io.Reader) (carried, []JobFinish, error) {
	var c carried
	var done []JobFinish
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, maxUnrecordedLine)
	ended := false
	n := 1 // the line read, or being read when the scan stops
	for ; sc.Scan(); n++ {
		line := sc.Text()
		if ended {
			return carried{}, nil, fmt.Errorf("line %d: text after the end line", n)
		}
		if line == unrecordedEnd {
			ended = true
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := readUnrecordedLine(line, &c, &done); err != nil {
			return carried{}, nil, fmt.Errorf("line %d: %v", n, err)
		}
	}
	switch err := sc.Err(); {
	case errors.Is(err, bufio.ErrTooLong):
		return carried{}, nil, fmt.Errorf("line %d is longer than %d MiB: no line of such a file is", n, maxUnrecordedLine>>20)
	case err != nil:
		return carried{}, nil, err
	}
	if !ended {
		return carried{}, nil, errors.New("the file is cut short (its end line is missing)")
	}
	return c, done, nil
}

// readUnrecordedLine adds the record of one JSON line to c or done.
func readUnrecordedLine(line string, c *carried, done *[]JobFinish) error {
	var l unrecordedLine
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&l); err != nil {
		return err
	}
	switch {
	case l.Uploaded != nil && l.Job != nil && l.Added == nil && l.Uploaded.Hash != "" && l.Job.ID != "":
		if l.File != nil {
			l.Uploaded.File = *l.File
		}
		*done = append(*done, JobFinish{Row: *l.Job, History: *l.Uploaded})
	case l.Uploaded == nil && l.Job != nil && l.Added == nil && l.File == nil && l.Job.ID != "":
		c.jobs = append(c.jobs, *l.Job)
	case l.Uploaded == nil && l.Job == nil && l.Added != nil && l.File == nil && l.Added.ID != "" && l.Added.Path != "":
		c.walks = append(c.walks, *l.Added)
	default:
		return errors.New("not an upload, a job or a path added")
	}
	return nil
}
