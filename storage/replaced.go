package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrDatabaseReplaced matches a *ReplacedError.
var ErrDatabaseReplaced = errors.New("the database file was deleted or replaced while it was open")

// ReplacedError reports that the database file was deleted, or another
// file put in its place (a backup restored, a sync tool's rename), while
// it was open. SQLite goes on writing to the file it opened, which is in
// no folder any more (or no longer the one at its path): nothing written
// to it from then on reaches the history, so no write may count as done.
// So too when only its journal (the -wal) was deleted or replaced: what
// SQLite writes there reaches the file at the path only if this process
// ends well, and other processes cannot read the history meanwhile.
type ReplacedError struct {
	Path    string // the database file's path
	Deleted bool   // nothing is at Path any more: deleted or moved (else another file is)
	Journal bool   // the file is at Path, but its -wal was deleted or replaced
}

// Error says what happened to the file and what to do.
func (e *ReplacedError) Error() string {
	if e.Journal {
		return fmt.Sprintf("the journal of the upload history %s (%s-wal) was deleted or replaced by another program while dStor Uploader was using it, "+
			"so nothing more can be recorded in the history — keep the links already shown, start dStor Uploader again "+
			"(the history keeps what was recorded before) and find what deleted the file (a cleanup or sync tool)", e.Path, e.Path)
	}
	if e.Deleted {
		return fmt.Sprintf("the upload history %s was deleted or moved away while dStor Uploader was using it, "+
			"so nothing more can be recorded in it and what was recorded since it was opened is not at that path — "+
			"keep the links already shown, start dStor Uploader again (it makes a new, empty history there) "+
			"and find what deleted or moved the file (a cleanup or sync tool)", e.Path)
	}
	return fmt.Sprintf("the upload history %s was replaced by another file (a backup restored, a sync tool) while dStor Uploader was using it, "+
		"so nothing more can be recorded in it and what was recorded since it was opened may be missing from the file there now — "+
		"keep the links already shown and start dStor Uploader again, which then uses the file there now", e.Path)
}

// Is makes errors.Is(err, ErrDatabaseReplaced) hold.
func (e *ReplacedError) Is(target error) bool { return target == ErrDatabaseReplaced }

// CheckFile reports, as a *ReplacedError, whether the database file was
// deleted or replaced by another file since d opened it: what d wrote since
// is then in no history (or in a file no longer at its path); or whether
// its journal (-wal) was (walAt). It costs one stat of the path and one of
// the journal's (on Windows, one open of the path for its attributes). Every
// write transaction calls it before its commit, and a command calls it once
// its work is done, so a file deleted after its last commit is not taken
// for one that kept it. Once it has found the file gone it says so for
// good, even if a file is put back at the path.
//
// A look at the path that fails otherwise (no permission to the folder, a
// sharing violation from another program) tells nothing: CheckFile then
// returns nil and leaves the error to the write itself.
func (d *DB) CheckFile() error {
	if e := d.replaced.Load(); e != nil {
		return e
	}
	same, err := d.file.isAt(d.path)
	e := replacedBy(d.path, same, err)
	if e == nil && d.walKnown {
		same, err = d.wal.isAt(d.realPath + "-wal")
		e = journalReplacedBy(d.realPath, same, err)
	}
	if e == nil {
		return nil
	}
	d.replaced.CompareAndSwap(nil, e)
	return d.replaced.Load()
}

// replacedBy is what a look at the database file's path says: same tells
// whether the file there is the one opened, err why the look failed. Only
// a file that is not there, or another file there, is a *ReplacedError.
func replacedBy(path string, same bool, err error) *ReplacedError {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return &ReplacedError{Path: path, Deleted: true}
	case err != nil, same:
		return nil
	}
	return &ReplacedError{Path: path}
}

// journalReplacedBy is what a look at the journal's path (the path of
// the database file where it really is, and "-wal") says, as replacedBy:
// nothing there, or another file, is a *ReplacedError of the journal,
// naming the database there, so the journal named is the one deleted.
func journalReplacedBy(path string, same bool, err error) *ReplacedError {
	if e := replacedBy(path, same, err); e != nil {
		return &ReplacedError{Path: path, Journal: true}
	}
	return nil
}

// noteWAL notes the journal (-wal) the writing connection opened, for
// CheckFile. SQLite keeps it open, and at its path, as long as that
// connection is, which d keeps for its whole life; where it is not to be
// watched (walAt) or not there, nothing is noted and CheckFile looks at
// the database file alone. Its path is beside the file where it really
// is: SQLite follows the links to a database (one moved to a larger disk,
// linked from the data folder) and keeps the journal there, where a look
// beside the link found none and so watched nothing.
func (d *DB) noteWAL() {
	d.realPath = d.path
	if p, err := filepath.EvalSymlinks(d.path); err == nil {
		d.realPath = p
	}
	d.wal, d.walKnown = walAt(d.realPath + "-wal")
}

// saveWALOfAGoneJournal moves what the journal holds into the database
// file, once, when err says the journal was deleted or replaced: the pages
// SQLite wrote there before (which no process but this one can read) are
// then in the history file at once, safe from a kill or a power cut, and
// readable by the other processes. Nothing is written after, so nothing is
// left for another time.
func (d *DB) saveWALOfAGoneJournal(err error) {
	var gone *ReplacedError
	if errors.As(err, &gone) && gone.Journal {
		d.walSaved.Do(func() { _, _ = d.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)") })
	}
}
