package storage

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
)

// ErrQueueInUse means another process (the window, or a command-line upload
// or resume) is running the same account's upload queue on this data
// directory; running it twice would upload the same files twice.
var ErrQueueInUse = errors.New("another dStor Uploader (the window or a command-line upload) is already running this account's upload queue; let it finish or close it, then try again")

// QueueLock is held by whoever runs an account's upload queue, so that two
// processes never pick up the same interrupted job.
type QueueLock struct {
	fs []*os.File
}

// LockQueue takes the queue lock of env+account in the database's
// directory, failing at once with ErrQueueInUse when another process holds
// it. The operating system releases it if the process dies, so a crash never
// leaves a stale lock behind.
//
// also names the same account by other names, each locked the same way
// (all or none): the dStor account id its tokens name, so that the account
// filed under its email (a password sign-in) and under that id (its API
// key) never runs two queues at once. Empty names, and account itself, are
// skipped.
func (d *DB) LockQueue(env, account string, also ...string) (*QueueLock, error) {
	l := &QueueLock{}
	names := []string{account}
	for _, a := range also {
		if a != "" && !slices.Contains(names, a) {
			names = append(names, a)
		}
	}
	for _, name := range names {
		f, err := d.lockOne(env, name)
		if err != nil {
			l.Release()
			return nil, err
		}
		l.fs = append(l.fs, f)
	}
	return l, nil
}

// lockOne takes the lock file of env+account.
func (d *DB) lockOne(env, account string) (*os.File, error) {
	sum := sha256.Sum256([]byte(env + "|" + account))
	dir := filepath.Join(filepath.Dir(d.Path()), "locks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the lock directory: %w", err)
	}
	p := filepath.Join(dir, hex.EncodeToString(sum[:12])+".lock")
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the queue lock: %w", err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Release lets another process run the queue; safe to call twice.
func (l *QueueLock) Release() error {
	if l == nil {
		return nil
	}
	var errs []error
	for _, f := range l.fs {
		errs = append(errs, unlock(f), f.Close())
	}
	l.fs = nil
	return errors.Join(errs...)
}

// tryLock takes the queue lock on f without waiting: ErrQueueInUse when
// another holder has it.
func tryLock(f *os.File) error {
	err := filelock.TryLock(f)
	if errors.Is(err, filelock.ErrLocked) {
		return ErrQueueInUse
	}
	if err != nil {
		return fmt.Errorf("lock the queue: %w", err)
	}
	return nil
}

func unlock(f *os.File) error { return filelock.Unlock(f) }
