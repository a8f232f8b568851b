package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"

	"modernc.org/sqlite"

	"github.com/dstor-uploader/dstor-uploader/internal/diskspace"
	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
	"github.com/dstor-uploader/dstor-uploader/internal/numtext"
)

// The database's own failures that a person has to act on, told apart
// from SQLite's codes so the window and the command line can say what to
// do instead of "disk I/O error (4874)".
var (
	// ErrDiskFull matches a *DiskFullError.
	ErrDiskFull = errors.New("the disk is full")
	// ErrDatabaseDamaged matches a *DamagedError.
	ErrDatabaseDamaged = errors.New("the database is damaged")
	// ErrDatabaseBusy matches a *BusyError.
	ErrDatabaseBusy = errors.New("the database is locked by another program")
	// ErrDatabaseReadOnly matches a *ReadOnlyError.
	ErrDatabaseReadOnly = errors.New("the database cannot be written")
	// ErrFileSizeLimit matches a *FileSizeLimitError.
	ErrFileSizeLimit = errors.New("the database has reached the file size limit")
)

// minFreeSpace is the free space a person is asked to make when the
// database's disk is full: room for the write-ahead log of a long queue
// and for the history to grow for a while. A disk smaller than four times
// that is asked for a quarter of its size (roomWanted).
const minFreeSpace = 64_000_000

// roomWanted is the free space wanted on a disk of size bytes (-1:
// unknown): minFreeSpace, or a quarter of a small disk, which could never
// give 64 MB.
func roomWanted(size int64) int64 {
	if size > 0 {
		return min(minFreeSpace, size/4)
	}
	return minFreeSpace
}

// roomToAskFor is the space a person is asked to free on a full disk of
// size bytes with free bytes left (-1: unknown): what roomWanted lacks, at
// least 1 MB (or all of roomWanted when that is less), rounded up to whole
// megabytes (kilobytes below one, bytes below a kilobyte: a figure
// numtext.Size writes exactly), so the sentence asks for no less than is
// needed and no more than the disk holds.
func roomToAskFor(free, size int64) int64 {
	want := roomWanted(size)
	need := max(want-max(free, 0), min(1_000_000, want))
	unit := int64(1)
	for _, u := range []int64{1_000_000, 1_000} {
		if need >= u {
			unit = u
			break
		}
	}
	return (need + unit - 1) / unit * unit
}

// DiskFullError reports that the database could not be written because
// the disk holding it is full, or could not be read because the disk of
// SQLite's temporary files (a large sort) is.
type DiskFullError struct {
	Dir  string // the data folder, or that temporary folder
	Free int64  // bytes free on its disk; -1 when unknown
	Need int64  // bytes to free at least; 0 for the temporary folder
	// TempVar is set when Dir is the temporary folder: the environment
	// variable that, set before dStor Uploader starts, puts the temporary
	// files elsewhere (TMPDIR; TMP on Windows). How much room a sort
	// needs there is not known, and may be more than that disk holds,
	// so no figure is asked for (Need is 0).
	TempVar string
	Err     error // SQLite's or the system's error
}

// Error names the disk and what to do: the space to free, or, for the
// temporary folder, some space or another folder; then to try again.
func (e *DiskFullError) Error() string { return e.whatToDo() + ", then try again" }

// whatToDo is Error without its "then try again", for a sentence that
// offers something else besides (a data folder that cannot be created:
// free the space, or choose another folder).
func (e *DiskFullError) whatToDo() string {
	s := "the disk holding " + e.Dir
	if e.TempVar != "" {
		s += ", the folder for temporary files,"
	}
	s += " is full"
	if e.Free >= 0 {
		s += fmt.Sprintf(" (%s free)", numtext.Size(e.Free))
	}
	if e.TempVar != "" {
		return s + ": free some space there, or set " + e.TempVar + " to a folder on a disk with room before starting dStor Uploader"
	}
	return s + fmt.Sprintf(": free at least %s there", numtext.Size(e.Need))
}

// Unwrap gives SQLite's or the system's error.
func (e *DiskFullError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDiskFull) hold.
func (e *DiskFullError) Is(target error) bool { return target == ErrDiskFull }

// FileSizeLimitError reports that the database could not be written
// because one of its files has reached the largest file this process may
// write (RLIMIT_FSIZE: ulimit -f, a service's LimitFSIZE): the system
// refuses the write (EFBIG), which SQLite reports as a bare I/O error.
type FileSizeLimitError struct {
	Path  string // the database file
	File  string // the file that reached the limit: Path or its -wal
	Limit int64  // the limit, in bytes
	Err   error  // SQLite's error
}

// Error names the file, the limit and what to do.
func (e *FileSizeLimitError) Error() string {
	return fmt.Sprintf("the upload history %s cannot grow: %s has reached %s bytes, the largest file this program may write "+
		"(its file size limit, ulimit -f) — start dStor Uploader where that limit is larger or unlimited (ulimit -f unlimited)",
		e.Path, e.File, numtext.Count(int(e.Limit), ","))
}

// Unwrap gives SQLite's error.
func (e *FileSizeLimitError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrFileSizeLimit) hold.
func (e *FileSizeLimitError) Is(target error) bool { return target == ErrFileSizeLimit }

// DamagedError reports a database file SQLite cannot read: not a database
// at all, or corrupt inside. It is never written to or replaced: the person
// decides what happens to it.
type DamagedError struct {
	Path string // the database file
	Err  error  // SQLite's error
}

// Error names the file and what to do with it.
func (e *DamagedError) Error() string {
	return fmt.Sprintf("the upload history %s is damaged and cannot be read; it was left untouched — "+
		"quit dStor Uploader, move the file aside (for example rename it to %s.damaged) and start again for a new, empty history, "+
		"or try to recover its rows first with: sqlite3 %s .recover > recovered.sql",
		e.Path, filepath.Base(e.Path), e.Path)
}

// Unwrap gives SQLite's error.
func (e *DamagedError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDatabaseDamaged) hold.
func (e *DamagedError) Is(target error) bool { return target == ErrDatabaseDamaged }

// BusyError reports a database another program keeps locked.
type BusyError struct {
	Path string // the database file
	Err  error  // SQLite's error
}

// Error names the file and what to do.
func (e *BusyError) Error() string {
	return fmt.Sprintf("another program is using the upload history %s and keeps it locked — "+
		"close it (an SQLite browser, a backup or sync tool, a stuck copy of dStor Uploader), then try again", e.Path)
}

// Unwrap gives SQLite's error.
func (e *BusyError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDatabaseBusy) hold.
func (e *BusyError) Is(target error) bool { return target == ErrDatabaseBusy }

// ReadOnlyError reports a database that cannot be written because it, its
// -wal or -shm file, or its folder is read-only: a read-only mode or
// attribute, a file made immutable (chattr +i), a disk mounted read-only.
type ReadOnlyError struct {
	Path string // the database file
	// What is the file or folder found read-only, or "the disk holding"
	// one; "" when SQLite said so and none was found.
	What string
	// Owner is the user What belongs to when that is another user than
	// this process's, who alone may make it writable (root, after a run
	// under sudo: chmod u+w cannot help); "" otherwise.
	Owner string
	Err   error // SQLite's or the system's error
}

// Error names what is read-only and what to do.
func (e *ReadOnlyError) Error() string {
	if e.Owner != "" {
		return fmt.Sprintf("the upload history %s cannot be written: %s", e.Path, e.notYours().Error())
	}
	what := e.What
	if what == "" {
		what = fmt.Sprintf("it (or its %s-wal or -shm file, or its folder)", filepath.Base(e.Path))
	}
	return fmt.Sprintf("the upload history %s cannot be written: %s is read-only — "+
		"make it writable again (chmod u+w, or chattr -i for a file made immutable; on Windows clear its Read-only attribute) "+
		"or, for a disk mounted read-only, choose a data folder on another disk, then try again", e.Path, what)
}

// ChownCommand is the command that gives What back to this process's
// user, for a What another user owns: sudo chown $USER, with -R for the
// folder (its files may be that user's too).
func (e *ReadOnlyError) ChownCommand() string { return e.notYours().ChownCommand() }

// notYours is e, of a What another user owns, in filelock's words: one
// sentence for every file a run under sudo left to root.
func (e *ReadOnlyError) notYours() *filelock.NotYoursError {
	return &filelock.NotYoursError{What: e.What, Folder: e.What == filepath.Dir(e.Path), Owner: e.Owner, Err: e.Err}
}

// Unwrap gives SQLite's or the system's error.
func (e *ReadOnlyError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrDatabaseReadOnly) hold.
func (e *ReadOnlyError) Is(target error) bool { return target == ErrDatabaseReadOnly }

// historyNotYours is the *ReadOnlyError of the database file at path that
// this process may not open (EACCES) because another user owns its folder
// (looked at first: giving it back gives back all it holds) or the file:
// root, after a run under sudo that made the data folder; nil when neither
// is another user's.
func historyNotYours(path string, err error) error {
	if !errors.Is(err, syscall.EACCES) { // not EPERM: a file made immutable
		return nil
	}
	for _, p := range []string{filepath.Dir(path), path} {
		if owner := filelock.Owner(p); owner != "" {
			return &ReadOnlyError{Path: path, What: p, Owner: owner, Err: err}
		}
	}
	return nil
}

// readOnlyPart is what of the database at path this process may not write
// (the file, its -wal or -shm, its folder, or "the disk holding" them when
// it is mounted read-only), or "" when each may be written; and the user
// it belongs to when another user's permissions keep this process out.
func readOnlyPart(path string) (what, owner string) {
	for _, p := range []string{path, path + "-wal", path + "-shm", filepath.Dir(path)} {
		switch err := notWritable(p); {
		case err == nil:
		case readOnlyDisk(err):
			return "the disk holding " + filepath.Dir(path), ""
		case errors.Is(err, syscall.EACCES): // not EPERM: a file made immutable
			return p, filelock.Owner(p)
		default:
			return p, ""
		}
	}
	return "", ""
}

// SQLite's primary result codes that explainDBError tells apart.
const (
	sqliteBusy     = 5
	sqliteLocked   = 6
	sqliteReadOnly = 8
	sqliteIOErr    = 10
	sqliteCorrupt  = 11
	sqliteFull     = 13
	sqliteCantOpen = 14
	sqliteNotADB   = 26
)

// explainDBError turns an error met on the database at path into one of
// the typed errors above when it is one of those situations, and leaves it
// as it is otherwise. An I/O error is this process's file size limit when
// a file of the database has reached it; it counts as a full disk when the disk has
// less than minFreeSpace free (SQLite reports a full disk that way when it
// cannot grow its shared-memory file).
func explainDBError(path string, err error) error {
	if err == nil || errors.Is(err, ErrDiskFull) || errors.Is(err, ErrDatabaseDamaged) || errors.Is(err, ErrDatabaseBusy) ||
		errors.Is(err, ErrDatabaseReplaced) || errors.Is(err, ErrDatabaseReadOnly) || errors.Is(err, ErrFileSizeLimit) ||
		errors.Is(err, ErrDataFolderNotMade) {
		return err
	}
	code := -1
	var se *sqlite.Error
	if errors.As(err, &se) {
		code = se.Code() & 0xff
	}
	if code == sqliteIOErr || code == sqliteFull {
		// EFBIG, which SQLite reports as a bare I/O error.
		if file, limit := fileSizeLimitReached(path); file != "" {
			return &FileSizeLimitError{Path: path, File: file, Limit: limit, Err: err}
		}
	}
	dir := filepath.Dir(path)
	free, want := diskspace.Free(dir), roomWanted(diskspace.Size(dir))
	switch {
	case code == sqliteFull || diskspace.Full(err) || code == sqliteIOErr && free >= 0 && free < want:
		if free >= want {
			// Room where the history is: the disk full is the one of
			// SQLite's temporary files (a large sort), when it has none.
			tmp, variable := sqliteTempDir()
			if tmpFree := diskspace.Free(tmp); tmpFree >= 0 && tmpFree < minFreeSpace {
				return &DiskFullError{Dir: tmp, Free: tmpFree, TempVar: variable, Err: err}
			}
		}
		return &DiskFullError{Dir: dir, Free: free, Need: roomToAskFor(free, diskspace.Size(dir)), Err: err}
	case code == sqliteCorrupt || code == sqliteNotADB:
		return &DamagedError{Path: path, Err: err}
	case code == sqliteBusy || code == sqliteLocked:
		return &BusyError{Path: path, Err: err}
	case readOnlyDisk(err):
		return &ReadOnlyError{Path: path, What: "the disk holding " + dir, Err: err}
	case code == sqliteReadOnly || code == sqliteIOErr || code == sqliteCantOpen || errors.Is(err, fs.ErrPermission):
		// An I/O error names no cause: the file or its folder being
		// read-only is looked for (rarely: only when SQLite fails). So
		// is a refused open of the file for writing (EPERM: made
		// immutable; EACCES: a read-only mode) before SQLite opens it.
		if part, owner := readOnlyPart(path); part != "" || code == sqliteReadOnly {
			return &ReadOnlyError{Path: path, What: part, Owner: owner, Err: err}
		}
	}
	return err
}
