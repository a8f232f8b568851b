package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
)

// ErrQueueInUse means another process (the window, or a command-line upload
// or resume) is running the same account's upload queue on this data
// directory; running it twice would upload the same files twice.
var ErrQueueInUse = errors.New("another dStor Uploader (the window or a command-line upload) is already running this account's upload queue; let it finish or close it, then try again")

// QueueLock is held by whoever runs an account's upload queue, so that two
// processes never pick up the same interrupted job. Its lock files are
// kept in place while it is held (filelock.Kept): one another program
// removes (a cleaner of old files in /tmp, the locks folder with it) is
// put back within lockCheckInterval, so a second run is still refused.
type QueueLock struct {
	ks   []*filelock.Kept
	stop chan struct{} // closed by Release: the watch ends
	done chan struct{} // closed when the watch has ended
}

// lockCheckInterval is how often a held queue lock looks whether its
// files are still in place.
const lockCheckInterval = 250 * time.Millisecond

// LockQueue takes the queue lock of env+account in the database's
// directory, failing with ErrQueueInUse when another process holds it.
// The operating system releases it if the process dies, so a crash never
// leaves a stale lock behind. A lock another holder gives back within
// lockWait is waited for, not refused: the command line's look at whether
// another account's queue is in use (which takes its lock and gives it
// back) or a run finishing as this one starts holds it for a moment only.
//
// also names the same account by other names, each locked the same way
// (all or none, in one order for every taker, so that two takers of the
// same names never hold one each and both give up): the dStor account id
// its tokens name, so that the account filed under its email (a password
// sign-in) and under that id (its API key) never runs two queues at once.
// Empty names, and account itself, are skipped.
func (d *DB) LockQueue(env, account string, also ...string) (*QueueLock, error) {
	names := []string{account}
	for _, a := range also {
		if a != "" && !slices.Contains(names, a) {
			names = append(names, a)
		}
	}
	dir := filepath.Join(filepath.Dir(d.Path()), LocksFolder)
	paths := make([]string, 0, len(names))
	for _, name := range names {
		sum := sha256.Sum256([]byte(env + "|" + name))
		paths = append(paths, filepath.Join(dir, hex.EncodeToString(sum[:12])+".lock"))
	}
	slices.Sort(paths)
	deadline := time.Now().Add(lockWait)
	for {
		l, err := lockAll(d.Path(), dir, paths)
		if !errors.Is(err, ErrQueueInUse) || time.Now().After(deadline) {
			return l, err
		}
		time.Sleep(lockRetry)
	}
}

// lockWait is how long LockQueue waits for a queue lock another holder
// has before it says ErrQueueInUse, trying again every lockRetry.
const (
	lockWait  = 500 * time.Millisecond
	lockRetry = 10 * time.Millisecond
)

// lockAll takes the lock files at paths, in dir, all or none, and starts
// the watch that keeps them in place.
func lockAll(db, dir string, paths []string) (*QueueLock, error) {
	l := &QueueLock{}
	for _, path := range paths {
		k, err := lockOne(db, dir, path)
		if err != nil {
			l.Release()
			return nil, err
		}
		l.ks = append(l.ks, k)
	}
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	go l.watch(dir)
	return l, nil
}

// lockOne takes the lock file at path in dir, making dir when it is
// missing, again when another program (a cleaner of old files, or another
// run's) removes it between its making and the lock. A lock file or
// folder that cannot be written is the database db's *ReadOnlyError.
func lockOne(db, dir, path string) (*filelock.Kept, error) {
	var k *filelock.Kept
	var err error
	for try := 0; try < 4; try++ {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create the lock directory: %w", lockFolderError(dir, err))
		}
		if beforeTake != nil {
			beforeTake()
		}
		_ = makePrivateFile(path) // else Take makes it, or says why it cannot
		k, err = filelock.Take(path)
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if errors.Is(err, filelock.ErrLocked) {
		return nil, ErrQueueInUse
	}
	if e, ok := errors.AsType[*filelock.NotYoursError](err); ok {
		return nil, &LockNotYoursError{What: e.What, Folder: e.Folder, Owner: e.Owner, Err: e.Err}
	}
	if errors.Is(err, fs.ErrPermission) {
		// Made immutable (EPERM), or a read-only mode or attribute of
		// this user's own (EACCES): the database's read-only sentence,
		// naming the lock file or its folder.
		for _, p := range []string{path, dir} {
			if notWritable(p) != nil {
				return nil, &ReadOnlyError{Path: db, What: p, Err: err}
			}
		}
	}
	if err != nil {
		return nil, fmt.Errorf("take the queue lock: %w", err)
	}
	return k, nil
}

// lockFolderError is err, the system's refusal of the locks folder dir,
// or, when a file is where that folder belongs, the *filelock.NotAFileError
// that names it and says to move it away.
func lockFolderError(dir string, err error) error {
	if e := filelock.NotAFolder(dir); e != nil {
		return e
	}
	return err
}

// LockNotYoursError reports a queue lock this process may not take
// because another user owns its lock file or the locks folder: root,
// after a run under sudo.
type LockNotYoursError struct {
	What   string // the lock file, or the locks folder
	Folder bool   // What is the locks folder
	Owner  string // the user What belongs to
	Err    error  // the system's error
}

// Error names what belongs to whom and the command that gives it back
// (filelock's sentence, as for the window's lock).
func (e *LockNotYoursError) Error() string {
	return "cannot take the upload queue's lock: " + e.notYours().Error()
}

// ChownCommand is the command that gives What back to this process's
// user: sudo chown $USER, with -R for the locks folder.
func (e *LockNotYoursError) ChownCommand() string { return e.notYours().ChownCommand() }

func (e *LockNotYoursError) notYours() *filelock.NotYoursError {
	return &filelock.NotYoursError{What: e.What, Folder: e.Folder, Owner: e.Owner, Err: e.Err}
}

// Unwrap gives the system's error.
func (e *LockNotYoursError) Unwrap() error { return e.Err }

// beforeTake, when set (by a test), runs in lockOne between making the
// locks folder and taking the lock file.
var beforeTake func()

// watch keeps the lock files in place until Release: the locks folder,
// when it is gone (not the data folder above it), and each file.
func (l *QueueLock) watch(dir string) {
	defer close(l.done)
	t := time.NewTicker(lockCheckInterval)
	defer t.Stop()
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
			_ = os.Mkdir(dir, 0o700) // tried again at the next tick
		}
		for _, k := range l.ks {
			k.Keep()
		}
	}
}

// Release lets another process run the queue; safe to call twice.
func (l *QueueLock) Release() error {
	if l == nil {
		return nil
	}
	if l.stop != nil {
		close(l.stop)
		<-l.done
		l.stop = nil
	}
	var errs []error
	for _, k := range l.ks {
		errs = append(errs, k.Close())
	}
	l.ks = nil
	return errors.Join(errs...)
}
