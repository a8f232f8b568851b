package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
)

// ErrOlderVersionRunning matches an *OlderVersionRunningError.
var ErrOlderVersionRunning = errors.New("an older dStor Uploader is still using this data folder")

// OlderVersionRunningError reports a history of an older schema than this
// build's that [Open] did not migrate because another process holds one of
// the locks an older version holds while it uses the data folder (its
// window's claim, an account's queue lock): the older process would go on
// with a schema it does not know (its Cancel all failing, or marking
// nothing). Nothing in the database was changed.
type OlderVersionRunningError struct {
	Dir  string // the data folder
	Lock string // the lock file found held
	Have int    // the schema version of the history file
}

// Error says what to do, as the command line prints it.
func (e *OlderVersionRunningError) Error() string {
	return fmt.Sprintf("an older dStor Uploader is still using the data folder %s (a window or a command), "+
		"and this version must update the upload history there (schema %d to %d), which the older one cannot use after: "+
		"close it, then start this version again (nothing was changed)", e.Dir, e.Have, CurrentSchemaVersion)
}

// Is makes errors.Is(err, ErrOlderVersionRunning) hold.
func (e *OlderVersionRunningError) Is(target error) bool { return target == ErrOlderVersionRunning }

// WindowLockFile is the lock file in the data folder whose holder is its
// window (package instance's claim); an older version's window holds it
// too.
const WindowLockFile = "window.lock"

// UpgradeLockFile is the lock file in the data folder a process of this
// version holds while it looks for an older one and migrates the history,
// so that two new processes starting at once do not both look and migrate.
// Exported for the tests of other packages that play such a process
// (UpdateUnderWay).
const UpgradeLockFile = "upgrade.lock"

// Waits of the upgrade (variables so a test can shorten them):
// upgradeWait bounds the wait for another new process's migration;
// olderWait is how long a lock found held is looked at again before it is
// taken for an older process's (the command line's look at another
// account's queue, or a launch's at the window, holds one for a moment;
// and a new window claims its folder just before it opens the history).
var (
	upgradeWait = UpgradeWait
	olderWait   = 2 * time.Second
)

// ErrUpdateTooLong matches an *UpdateTooLongError.
var ErrUpdateTooLong = errors.New("another dStor Uploader has been updating the upload history for too long")

// UpdateTooLongError reports that another process was still updating the
// upload history in the data folder Dir after this one had waited For
// (UpgradeWait): a command's open (the upgrade lock) and a window's start
// (package instance) give up then, and say what to do rather than wait on.
type UpdateTooLongError struct {
	Dir string
	For time.Duration
}

// Error says what to do, as the command line prints it.
func (e *UpdateTooLongError) Error() string {
	return fmt.Sprintf("another dStor Uploader has been updating the upload history in %s for %v: "+
		"let it finish or close it, then try again", e.Dir, e.For)
}

// Is makes errors.Is(err, ErrUpdateTooLong) hold.
func (e *UpdateTooLongError) Is(target error) bool { return target == ErrUpdateTooLong }

// UpgradeWait bounds a wait for another process's update of the history:
// this package's for the upgrade lock, and a window's that starts while a
// command updates it (package instance).
const UpgradeWait = 5 * time.Minute

// upgradeHold is what a process migrating the history holds: the upgrade
// lock and the lock files of older versions, so that none of them starts
// using the data folder until the migration is over.
type upgradeHold struct {
	gate  *filelock.Kept
	older []*os.File
}

// release lets every lock go; safe on nil.
func (h *upgradeHold) release() {
	if h == nil {
		return
	}
	for _, f := range h.older {
		_ = filelock.Drop(f)
	}
	h.older = nil
	if h.gate != nil {
		_ = h.gate.Close()
		h.gate = nil
	}
}

// holdForUpgrade, when the history's schema is older than this build's,
// takes what its migration must hold (upgradeHold) and returns it: the
// upgrade lock, waited for while another new process migrates, then every
// lock file an older version holds while it uses the data folder. An
// older process holding one is an *OlderVersionRunningError once
// olderWait has passed. nil and no error when there is nothing to migrate
// (another process migrated it while this one waited, or the schema is
// current or newer, which migrate refuses) or the history is new (version
// 0: this version makes it).
func (d *DB) holdForUpgrade() (*upgradeHold, error) {
	dir := filepath.Dir(d.path)
	var deadline time.Time // olderWait after a lock was first found held
	for {
		// A new history (0) holds nothing of an older version's.
		have, err := userVersion(d.w)
		if err != nil || have == 0 || have >= CurrentSchemaVersion {
			return nil, err
		}
		gate, err := takeUpgradeLock(dir, d.sayUpgrade)
		if err != nil {
			return nil, err
		}
		h := &upgradeHold{gate: gate}
		if have, err = userVersion(d.w); err != nil || have >= CurrentSchemaVersion {
			h.release()
			return nil, err // migrated while this one waited
		}
		lock, err := h.holdOlderLocks(dir)
		if err == nil {
			return h, nil
		}
		h.release()
		if !errors.Is(err, filelock.ErrLocked) {
			return nil, err
		}
		if deadline.IsZero() {
			deadline = time.Now().Add(olderWait)
		}
		if !time.Now().Before(deadline) {
			return nil, &OlderVersionRunningError{Dir: dir, Lock: lock, Have: have}
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// takeUpgradeLock takes the upgrade lock of the data folder dir, waiting
// upgradeWait at most for another process's, calling waiting each time
// it finds that lock held again, lockRetry after it was found held (an
// open that finds the history updated already holds it for a moment),
// and held exclusively, as an update holds it (another open of this
// process's included): launches' looks (UpdateUnderWay) hold it shared,
// for as long as their goroutine takes on a loaded machine, and are no
// update to say.
func takeUpgradeLock(dir string, waiting func()) (*filelock.Kept, error) {
	path := filepath.Join(dir, UpgradeLockFile)
	deadline := time.Now().Add(upgradeWait)
	for held := false; ; held = true {
		_ = makePrivateFile(path) // else Take makes it, or says why it cannot
		k, err := filelock.Take(path)
		if !errors.Is(err, filelock.ErrLocked) {
			if err != nil {
				return nil, fmt.Errorf("take the upgrade lock: %w", err) // each of Take's errors names the path
			}
			return k, nil
		}
		if held && filelock.HeldExclusively(path) {
			waiting()
		}
		if onUpgradeWait != nil {
			onUpgradeWait()
		}
		if time.Now().After(deadline) {
			return nil, &UpdateTooLongError{Dir: dir, For: upgradeWait}
		}
		time.Sleep(lockRetry)
	}
}

// UpdateUnderWay reports whether another process is updating the upload
// history in the data folder dir (it holds the upgrade lock), holding the
// window's lock meanwhile (holdOlderLocks): a window starting then waits
// for the update, rather than for a window that is not there. It looks
// with a shared lock (filelock.HoldShared), which an update never takes:
// two launches looking at once do not take each other's look for one.
func UpdateUnderWay(dir string) bool {
	f, err := filelock.HoldShared(filepath.Join(dir, UpgradeLockFile))
	if errors.Is(err, filelock.ErrLocked) {
		return true
	}
	if duringLook != nil && f != nil {
		duringLook()
	}
	_ = filelock.Drop(f)
	return false
}

// duringLook, when set (by a test), runs while UpdateUnderWay holds the
// upgrade lock: a look that lasts, as on a loaded machine.
var duringLook func()

// onUpgradeWait, when set (by a test), runs each time takeUpgradeLock
// finds the upgrade lock taken.
var onUpgradeWait func()

// holdOlderLocks takes every lock file of dir an older version holds
// while it uses the data folder: the window's, and each queue's in the
// locks folder. The first held by another process is returned with
// filelock.ErrLocked; those of this process are passed over.
func (h *upgradeHold) holdOlderLocks(dir string) (string, error) {
	paths := []string{filepath.Join(dir, WindowLockFile)}
	// A file where the locks folder belongs holds no older version's lock
	// (the queues' LockQueue names it, with what to do).
	entries, err := os.ReadDir(filepath.Join(dir, LocksFolder))
	if err != nil && !errors.Is(err, os.ErrNotExist) && filelock.NotAFolder(filepath.Join(dir, LocksFolder)) == nil {
		return "", fmt.Errorf("look for the locks of an older dStor Uploader: %w", err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".lock") {
			paths = append(paths, filepath.Join(dir, LocksFolder, e.Name()))
		}
	}
	for _, p := range paths {
		f, err := filelock.Hold(p)
		if err != nil {
			return p, fmt.Errorf("hold %s: %w", p, err)
		}
		if f != nil {
			h.older = append(h.older, f)
		}
	}
	return "", nil
}
