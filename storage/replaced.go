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
//
// So too when its -shm (SQLite's index of the -wal, shared by the
// processes that use the history, with their locks) was: a process started
// since makes a new one, and the two then write into one -wal, each by its
// own index, unseen by the other (SharedMemory).
type ReplacedError struct {
	Path    string // the database file's path
	Deleted bool   // nothing is at Path any more: deleted or moved (else another file is)
	Journal bool   // the file is at Path, but its -wal (or -shm, when SharedMemory) was deleted or replaced
	// SharedMemory is that the journal deleted or replaced is the -shm.
	SharedMemory bool
}

// JournalFile is the journal file deleted or replaced, for the sentences
// that name it: Path's -wal, or its -shm when SharedMemory.
func (e *ReplacedError) JournalFile() string {
	if e.SharedMemory {
		return e.Path + "-shm"
	}
	return e.Path + "-wal"
}

// Error says what happened to the file and what to do.
func (e *ReplacedError) Error() string {
	if e.Journal {
		return fmt.Sprintf("the journal of the upload history %s (%s) was deleted or replaced by another program while dStor Uploader was using it, "+
			"so nothing more can be recorded in the history — keep the links already shown, start dStor Uploader again "+
			"(the history keeps what was recorded before) and find what deleted the file (a cleanup or sync tool)", e.Path, e.JournalFile())
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
// its journal (-wal) or the -wal's index (-shm) was (journalAt). It costs
// one stat of the path and one of each journal file (on Windows, one open
// of the path for its attributes). Every
// write transaction calls it before its commit, and a command calls it once
// its work is done, so a file deleted after its last commit is not taken
// for one that kept it. Once it has found the file gone it says so for
// good, even if a file is put back at the path; but a finding of the -wal
// alone is followed by a look at the -shm, which may go later
// (shmGoneSince).
//
// A look at the path that fails otherwise (no permission to the folder, a
// sharing violation from another program) tells nothing: CheckFile then
// returns nil and leaves the error to the write itself.
func (d *DB) CheckFile() error {
	if e := d.replaced.Load(); e != nil {
		return d.shmGoneSince(e)
	}
	same, err := d.file.isAt(d.path)
	e := replacedBy(d.path, same, err)
	if e == nil && d.walKnown {
		if betweenFileLooks != nil {
			betweenFileLooks()
		}
		same, err = d.wal.isAt(d.realPath + "-wal")
		e = journalReplacedBy(d.realPath, same, err)
	}
	if (e == nil || e.Journal) && d.shmKnown {
		// Looked at even when the -wal went: a cleanup deleting both
		// leaves the next process a new index too (SharedMemory).
		same, err = d.shm.isAt(d.realPath + "-shm")
		if shm := journalReplacedBy(d.realPath, same, err); shm != nil {
			e = shm
			e.SharedMemory = true
		}
	}
	if e != nil && e.Journal {
		// The file may have gone with its journal since it was looked at
		// (a cleanup deleting all three): that is what to say, not that
		// the history keeps what was recorded.
		same, err := d.file.isAt(d.path)
		if again := replacedBy(d.path, same, err); again != nil {
			e = again
		}
	}
	if e == nil {
		return nil
	}
	d.replaced.CompareAndSwap(nil, e)
	return d.replaced.Load()
}

// CheckIndex is CheckFile for a caller that stops only once the -shm is
// gone (ReplacedError.SharedMemory): the command line's upload queue,
// which looks before each upload it starts, so that the next one does not
// start once the -shm is deleted. It costs one stat of the -shm, and
// CheckFile's looks only once that is not the one SQLite mapped (or
// nothing where the -shm is not watched: Windows refuses to delete it):
// CheckFile's three stats before every start were 1.6–1.9 % of the
// command line's CPU on 2,000 small files (perf; 7–8 µs of CPU a look
// against 2.2–2.9 µs for this one, worker's BenchmarkLookAtTheHistory,
// both at a load of 14). A database file or -wal deleted or replaced while
// the -shm is there is not looked for (nil): the next write's CheckFile
// finds it. Once a look found the history gone it says so, as CheckFile
// (after a -wal's loss, one stat of the -shm still: shmGoneSince).
func (d *DB) CheckIndex() error {
	if e := d.replaced.Load(); e != nil {
		return d.shmGoneSince(e)
	}
	if !d.shmKnown {
		return nil
	}
	if same, err := d.shm.isAt(d.realPath + "-shm"); journalReplacedBy(d.realPath, same, err) == nil {
		return nil
	}
	return d.CheckFile() // what went with it, the file first
}

// shmGoneSince is e, the finding kept, or the -shm's once e is the -wal's
// alone and the -shm has been deleted or replaced since (one stat of it).
// After a -wal's loss the command line's run goes on (what the -wal held
// was moved into the file: saveWALOfAGoneJournal) and reads its queue
// through d's index; a -shm deleted then makes the processes' indexes
// diverge as when it goes first, so that must be found too: it stops the
// command line's queue and the reads that decide what is left to upload
// (indexUntrusted). Kept for good, as CheckFile's first finding was.
func (d *DB) shmGoneSince(e *ReplacedError) *ReplacedError {
	if !e.Journal || e.SharedMemory || !d.shmKnown {
		return e
	}
	same, err := d.shm.isAt(d.realPath + "-shm")
	shm := journalReplacedBy(d.realPath, same, err)
	if shm == nil {
		return e
	}
	shm.SharedMemory = true
	d.replaced.CompareAndSwap(e, shm)
	return d.replaced.Load()
}

// betweenFileLooks, when a test sets it, runs in CheckFile between its
// look at the database file and its look at the -wal: where a cleanup
// deleting all three lands on a busy machine.
var betweenFileLooks func()

// replacedBy is what a look at the database file's path says: same tells
// whether the file there is the one opened, err why the look failed. Only
// a file that is not there (lookSaysGone), or another file there, is a
// *ReplacedError.
func replacedBy(path string, same bool, err error) *ReplacedError {
	switch {
	case lookSaysGone(err):
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

// noteWAL notes the journal (-wal) the writing connection opened, and the
// -wal's index (-shm) it mapped, for CheckFile. SQLite keeps both open, and
// at their paths, as long as that connection is, which d keeps for its
// whole life; where they are not to be watched (journalAt) or not there,
// nothing is noted and CheckFile looks at the database file alone. Its path is beside the file where it really
// is: SQLite follows the links to a database (one moved to a larger disk,
// linked from the data folder) and keeps the journal there, where a look
// beside the link found none and so watched nothing.
func (d *DB) noteWAL() {
	d.realPath = d.path
	if p, err := filepath.EvalSymlinks(d.path); err == nil {
		d.realPath = p
	}
	d.wal, d.walKnown = journalAt(d.realPath + "-wal")
	d.shm, d.shmKnown = journalAt(d.realPath + "-shm")
}

// saveWALOfAGoneJournal moves what the journal holds into the database
// file, once, when err says the journal was deleted or replaced: the pages
// SQLite wrote there before (which no process but this one can read) are
// then in the history file at once, safe from a kill or a power cut, and
// readable by the other processes. Nothing is written after, so nothing is
// left for another time.
//
// Not when the journal gone is the -shm: d's index of the -wal may then
// no longer tell what is in it (a process started since may have moved it
// into the file and written it again from its start), and a checkpoint
// through it would write wrong pages into the file, or empty the -wal
// those processes write; what d recorded before is in the -wal, which
// they read (openKeeper). Unless the -wal went with it and no process has
// opened the history since (walAlone).
func (d *DB) saveWALOfAGoneJournal(err error) {
	var gone *ReplacedError
	if errors.As(err, &gone) && gone.Journal && (!gone.SharedMemory || d.walAlone()) {
		d.walSaved.Do(func() { _, _ = d.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)") })
	}
}

// walAlone reports whether the -wal d writes was deleted or replaced along
// with the -shm (a cleanup of both) and no -shm is at the path: no process
// has opened the history since (each makes one, and keeps it while d holds
// the file's shared lock). What d recorded is then in the -wal d holds
// open and nowhere else, and moving it into the file writes over nothing
// another process wrote: seen lost otherwise (TestAnotherProcessAfterTheSharedMemoryIsDeletedLosesNothing).
// Once a process has opened the history since, it wrote on the file
// without what d's -wal holds, and d's pages would break its own.
func (d *DB) walAlone() bool {
	if !d.walKnown {
		return false
	}
	if same, err := d.wal.isAt(d.realPath + "-wal"); same || (err != nil && !lookSaysGone(err)) {
		return false
	}
	_, err := os.Lstat(d.realPath + "-shm")
	return errors.Is(err, os.ErrNotExist)
}

// indexUntrusted is the *ReplacedError of d's -shm, once CheckFile found it
// deleted or replaced, for the reads that decide what is left to upload
// (QueuedJobs, JobCounts, UnreportedDone): they go through d's index of
// the -wal, which a process started since no longer shares; it may have
// moved the -wal into the file and written it again from its first frame,
// so such a read may answer rows that are not there, miss rows that are
// ("damaged"), or both. A queue that took them waited for jobs no read
// brought, forever. nil while the -shm is there, or was not watched; once
// the -wal alone was found gone, the -shm is looked at (shmGoneSince).
func (d *DB) indexUntrusted() error {
	if e := d.replaced.Load(); e != nil {
		if e = d.shmGoneSince(e); e.SharedMemory {
			return e
		}
	}
	return nil
}
