package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// DBFileName is the database file inside the data directory, named once so
// that backups, support instructions and tests agree on it.
const DBFileName = "dstor-uploader.db"

// CurrentSchemaVersion is the schema version this build migrates databases
// to (PRAGMA user_version), exported so diagnostics can print it next to
// [DB.SchemaVersion].
const CurrentSchemaVersion = 23

// busyTimeout is how long a connection waits for another process's write lock
// (the CLI and the window may share the database) before reporting busy.
// A variable so a test can make it an hour.
var busyTimeout = 10 * time.Second

// SetBusyTimeoutForTest makes databases opened from now on wait d for
// another connection's write lock instead of 10 s, and returns what puts
// the previous wait back. It is for tests of other packages that hold the
// lock on purpose (testutil.HoldWriteLock) while they wait for an event:
// with an hour there, a write gives up only when the test never lets the
// lock go, not when a loaded machine is slow to get to it. Call it before
// the database is opened, and what it returns once it is closed (with
// t.Cleanup, registered first); the app never calls it.
func SetBusyTimeoutForTest(d time.Duration) (restore func()) {
	was := busyTimeout
	busyTimeout = d
	return func() { busyTimeout = was }
}

// readerConns caps the read pool: enough for the UI, the worker and an export
// at once without holding many file descriptors.
const readerConns = 4

// DB is the app's SQLite database: upload history, the persisted queue and
// settings. It is the single place that touches the file so that the one
// writer rule, WAL mode and the migrations are always applied.
//
// Two pools share the file. Every write goes through one connection
// (SetMaxOpenConns(1)), so writes from many goroutines are serialised in Go
// rather than failing with SQLITE_BUSY, and each write transaction starts
// with BEGIN IMMEDIATE so it never has to upgrade a read lock. Reads use a
// separate small pool of query_only connections; WAL lets them run while a
// write is in progress and see the last committed state.
//
// A DB is safe for concurrent use; call [DB.Close] when done.
type DB struct {
	path      string
	w         *sql.DB
	r         *sql.DB
	stmts     stmtCache // prepared writes (stmts.go)
	closeOnce sync.Once
	closeErr  error
	// commits counts the write transactions committed (Commits).
	commits atomic.Int64
	// file is the database file as it was opened, and replaced what
	// CheckFile found once the path names another file or none (replaced.go).
	file     fileID
	replaced atomic.Pointer[ReplacedError]
	// wal is the journal (-wal) the writer opened, beside realPath (the
	// database file where it really is, past links), when walKnown, and
	// shm the -wal's index (-shm) it mapped, when shmKnown (noteWAL);
	// walSaved, that its pages were moved into the file once it was found
	// deleted or replaced (saveWALOfAGoneJournal).
	wal      fileID
	shm      fileID
	realPath string
	walKnown bool
	shmKnown bool
	walSaved sync.Once
	// beforeUpgrade is OpenOptions.BeforeUpgrade; upgradeSaid, that it
	// was called (sayUpgrade).
	beforeUpgrade func()
	upgradeSaid   bool
	// afterCarryTx, when a test sets it, runs once a file of uploads not
	// recorded is carried (carryUnrecordedFile), before its remove: a
	// test puts another process's carry there.
	afterCarryTx func(path string)
	// keeper is a read-only connection holding the history's shared lock
	// from the open on, where the -shm is watched (openKeeper).
	keeper *sql.DB

	// The search index's upkeep (search.go): indexLoop indexes new history
	// entries once none was written for a while.
	lastHistoryWrite atomic.Int64 // Unix nanoseconds; the open counts as a write
	refolded         atomic.Bool  // refold_to was found 0 (refoldHistoryBatch)
	indexWake        chan struct{}
	indexStop        chan struct{}
	indexDone        chan struct{}
}

// Open opens (creating when needed) dir/dstor-uploader.db in WAL mode with
// foreign keys, synchronous=NORMAL and a busy timeout, makes sure the file and
// its -wal/-shm companions are private to their owner (mode 0600; on Windows
// an access list for the user alone), and migrates the schema to
// [CurrentSchemaVersion]. A database from a newer app version is refused with
// an error wrapping [ErrSchemaTooNew]. One of an older schema is migrated
// only when no other process holds a lock an older version holds in the
// data folder (its window's, a queue's): when one does, Open fails with an
// *OlderVersionRunningError (ErrOlderVersionRunning) and changes nothing.
// Two processes of this version opening it at once migrate it once: the
// second waits for the first.
//
// A full disk, a damaged file or another program keeping the file locked
// fail with a *DiskFullError, *DamagedError or *BusyError whose sentence
// says what to do; a damaged file is left as it is. A lock held by another
// program is reported within openBusyTimeout, not after busyTimeout.
func Open(dir string) (*DB, error) { return OpenWith(dir, OpenOptions{}) }

// OpenOptions are what OpenWith does besides what Open does.
type OpenOptions struct {
	// BeforeUpgrade, when set, is called once before the history, of an
	// older schema, is updated to this version's, once the locks that
	// update needs are held, or once this open finds another process of
	// this version still updating it a moment (lockRetry) after it first
	// found the upgrade lock held (a launch's look holds it for a moment
	// too: UpdateUnderWay): on a large history it
	// takes seconds (migrateV20: about 10 s for 100,000 rows on a loaded
	// machine), which the command line and the window say rather than
	// look hung. It is not called for a new history or a current one, nor
	// when another process of this version updated it before this open
	// looked.
	BeforeUpgrade func()
}

// OpenWith is Open, doing what o asks too.
func OpenWith(dir string, o OpenOptions) (*DB, error) {
	d, err := open(dir, o)
	if err != nil {
		return nil, explainDBError(filepath.Join(dir, DBFileName), err)
	}
	return d, nil
}

// openBusyTimeout is how long Open waits for another process's write lock
// before it says another program holds the database: this app's own
// processes hold it for milliseconds at a time.
const openBusyTimeout = 2 * time.Second

func open(dir string, o OpenOptions) (*DB, error) {
	path, file, err := createDBFile(dir)
	if err != nil {
		return nil, err
	}
	d := &DB{path: path, file: file, beforeUpgrade: o.BeforeUpgrade}
	if err := d.openWriter(); err != nil {
		return nil, err
	}
	if err := d.CheckFile(); err != nil { // replaced while SQLite opened it
		_ = d.w.Close()
		return nil, err
	}
	d.noteWAL()
	if err := d.openReaders(); err != nil {
		return nil, err
	}
	d.openKeeper()
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := restrictToOwner(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			_ = d.Close()
			return nil, fmt.Errorf("open database: restrict %s%s to its owner: %w", path, suffix, err)
		}
	}
	d.indexWake = make(chan struct{}, 1)
	d.indexStop = make(chan struct{})
	d.indexDone = make(chan struct{})
	// Entries a crash or an upgrade left unindexed wait for indexQuiet
	// after the open like new ones: the opener's first work (the window's
	// first frame, a command's answer) has the cores first: with 100,000
	// unindexed entries, indexing took half the window's CPU until its
	// window showed.
	d.lastHistoryWrite.Store(time.Now().UnixNano())
	go d.indexLoop()
	d.indexWake <- struct{}{}
	return d, nil
}

// createDBFile makes the private folder dir and the database file in it,
// readable by its owner only, and returns the file's path and identity
// (for CheckFile), read from the handle it opened, so of the file that was
// at the path then: CheckFile, once SQLite has opened the path, makes sure
// SQLite opened that file too.
func createDBFile(dir string) (string, fileID, error) {
	if err := MakeDataDir(dir); err != nil {
		return "", fileID{}, err
	}
	path := filepath.Join(dir, DBFileName)
	// Looked at before it is opened: opening a named pipe could wait for a
	// writer, and SQLite's "disk I/O error" or the system's "is a
	// directory" would say nothing of what to do.
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		return "", fileID{}, fmt.Errorf("the upload history %s is %s, not a file — "+
			"move it away (or rename it), then start dStor Uploader again for a new, empty history", path, kindOf(fi.Mode()))
	}
	// Create the file ourselves so SQLite never creates it with the umask's
	// looser mode; SQLite gives -wal and -shm the main file's mode.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		if e := historyNotYours(path, err); e != nil {
			return "", fileID{}, e
		}
		return "", fileID{}, fmt.Errorf("open database %s: %w", path, err)
	}
	file, err := fileIDOf(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fileID{}, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := restrictToOwner(path); err != nil {
		return "", fileID{}, fmt.Errorf("open database: restrict %s to its owner: %w", path, err)
	}
	return path, file, nil
}

// kindOf names what mode is, for a path that should be a file.
func kindOf(mode fs.FileMode) string {
	switch {
	case mode.IsDir():
		return "a folder"
	case mode&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case mode&fs.ModeSocket != 0:
		return "a socket"
	case mode&fs.ModeDevice != 0:
		return "a device"
	default:
		return "a special file"
	}
}

// openWriter opens the one writing connection, checks that it runs in WAL
// mode, waits (openBusyTimeout at most) for another process's write lock
// and brings the schema up to date: a schema older than this build's only
// while it holds the locks an older version would hold (holdForUpgrade),
// an *OlderVersionRunningError when another process holds one. On an
// error the connection is closed.
func (d *DB) openWriter() error {
	w, err := sql.Open("sqlite", dsn(d.path, false))
	if err != nil {
		return fmt.Errorf("open database %s: %w", d.path, err)
	}
	d.w = w
	d.w.SetMaxOpenConns(1)
	d.w.SetMaxIdleConns(1)
	d.w.SetConnMaxLifetime(0)
	d.w.SetConnMaxIdleTime(0)

	if err := d.checkWAL(); err != nil {
		_ = d.w.Close()
		return err
	}
	hold, err := d.holdForUpgrade()
	if err != nil {
		_ = d.w.Close()
		return err
	}
	defer hold.release() // once migrated
	if hold != nil {
		d.sayUpgrade()
	}
	if err := d.withBusyTimeout(openBusyTimeout, func() error {
		if err := d.probeWriteLock(); err != nil {
			return err
		}
		if err := createNewSchema(d.w); err != nil {
			return err
		}
		return migrate(d.w, migrations)
	}); err != nil {
		// Explained while the files are as the error left them: closing
		// checkpoints and removes the write-ahead log, which may be
		// what reached the file size limit.
		err = explainDBError(d.path, fmt.Errorf("open database %s: %w", d.path, err))
		_ = d.w.Close()
		return err
	}
	return nil
}

// sayUpgrade calls OpenOptions.BeforeUpgrade, once an open: before this
// process updates the history, or when it first waits for another
// process updating it (the history is being updated either way).
func (d *DB) sayUpgrade() {
	if d.beforeUpgrade != nil && !d.upgradeSaid {
		d.upgradeSaid = true
		d.beforeUpgrade()
	}
}

// openReaders opens the pool of read-only connections. On an error the
// database is closed.
func (d *DB) openReaders() error {
	r, err := sql.Open("sqlite", dsn(d.path, true))
	if err != nil {
		_ = d.w.Close()
		return fmt.Errorf("open database %s for reading: %w", d.path, err)
	}
	d.r = r
	d.r.SetMaxOpenConns(readerConns)
	d.r.SetMaxIdleConns(readerConns)
	if err := d.r.Ping(); err != nil {
		_ = d.Close()
		return fmt.Errorf("open database %s for reading: %w", d.path, err)
	}
	return nil
}

// dsn builds a file: URI (so paths with '?' or '#' survive) carrying the
// per-connection pragmas. The driver applies them to every new connection.
func dsn(path string, readOnly bool) string {
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // Windows drive paths: file:///C:/...
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyTimeout.Milliseconds()))
	q.Set("_journal_mode", "WAL")
	q.Set("_foreign_keys", "1")
	q.Set("_synchronous", "NORMAL")
	if readOnly {
		q.Set("_query_only", "1")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file://" + (&url.URL{Path: p}).EscapedPath() + "?" + q.Encode()
}

// checkWAL makes sure the journal really is WAL: SQLite silently keeps the
// old mode on file systems that cannot share memory, and the one-writer,
// many-readers design depends on it.
func (d *DB) checkWAL() error {
	var mode string
	if err := d.w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
		return fmt.Errorf("open database %s: %w", d.path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("open database %s: journal mode is %q, want WAL (is it on a network file system?)", d.path, mode)
	}
	return nil
}

// emptyWALOfAGoneFile checkpoints the WAL into the file SQLite opened when
// another file now stands at its path (a backup restored over it) or none
// does, and empties it. SQLite does not checkpoint a moved file as it
// closes, so its -wal would stay at the path, and the next start would
// apply it to whatever file is there then: a damaged database. The pages go
// to the file this process opened, which no folder holds any more.
//
// Not when it is the -shm that went (see saveWALOfAGoneJournal): that
// -wal is the one the processes sharing the -shm at the path read; unless
// the -wal went with it and no process opened the history since (walAlone).
func (d *DB) emptyWALOfAGoneFile() error {
	if d.CheckFile() == nil || (d.indexGone() && !d.walAlone()) {
		return nil
	}
	if _, err := d.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("empty the WAL of the file no longer at the path: %w", err)
	}
	return nil
}

// Close stops the search index's upkeep (after the batch it is writing, if
// any), then closes both connection pools, checkpointing the WAL into the
// main file (not when its -shm was found deleted or replaced: openKeeper).
// It is safe to call more than once.
func (d *DB) Close() error {
	d.closeOnce.Do(func() {
		if d.indexStop != nil {
			close(d.indexStop)
			<-d.indexDone
		}
		var errs []error
		keepWAL := d.indexGone()
		if d.keeper != nil && !keepWAL {
			errs = append(errs, d.keeper.Close())
		}
		if d.r != nil {
			errs = append(errs, d.r.Close())
		}
		if d.w != nil {
			errs = append(errs, d.emptyWALOfAGoneFile(), d.stmts.close(), d.w.Close())
		}
		if d.keeper != nil && keepWAL {
			_ = d.keeper.Close() // read-only: it moves nothing into the file and deletes nothing
		}
		if err := errors.Join(errs...); err != nil {
			d.closeErr = fmt.Errorf("close database %s: %w", d.path, err)
		}
	})
	return d.closeErr
}

// openKeeper opens d.keeper, where the -shm is watched (noteWAL): a
// read-only connection whose one read takes the history's shared lock,
// which a connection in WAL mode keeps until it closes. Close closes it
// last when the -shm was found deleted or replaced (indexGone): SQLite,
// closing the last connection to a history no other process has open,
// moves the -wal into the file through that connection's index of it
// (the -shm) and deletes it. Through d's index, which a process started
// since the -shm went does not share, that wrote the -wal as d last saw
// it, or pages the other process wrote into the wrong places, and deleted
// what it recorded (seen: its 20 entries lost; a history "malformed").
// While the keeper holds the lock none of d's other connections is the
// last, and the keeper, read-only, writes nothing into the file: the -wal
// stays at its path for the next process, which reads it whole into a new
// index. A keeper opened only once the -shm is gone would read through
// d's index to take the lock, and fail ("file is not a database"). Where
// it cannot be had, d has none, and works as before.
func (d *DB) openKeeper() {
	if !d.shmKnown {
		return
	}
	k, err := sql.Open("sqlite", dsn(d.path, true)+"&mode=ro")
	if err != nil {
		return
	}
	k.SetMaxOpenConns(1)
	var v int
	if err := k.QueryRow("PRAGMA schema_version").Scan(&v); err != nil {
		_ = k.Close()
		return
	}
	d.keeper = k
}

// indexGone reports whether d's -shm was found deleted or replaced
// (CheckFile).
func (d *DB) indexGone() bool {
	var gone *ReplacedError
	return errors.As(d.CheckFile(), &gone) && gone.SharedMemory
}

// Path returns the database file's path, for diagnostics and "show in
// folder" actions.
func (d *DB) Path() string { return d.path }

// IndexPagesDir is where the window keeps the index pages it makes and
// uploads, in the data folder of d: the one part of that folder whose
// files are meant to be uploaded (the queue skips the rest of it).
func (d *DB) IndexPagesDir() string { return filepath.Join(filepath.Dir(d.path), IndexPagesFolder) }

// SchemaVersion returns the schema version recorded in the file (PRAGMA
// user_version), which after [Open] equals [CurrentSchemaVersion].
func (d *DB) SchemaVersion() (int, error) {
	v, err := userVersion(d.r)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}

type queryer interface {
	QueryRow(query string, args ...any) *sql.Row
}

func userVersion(q queryer) (int, error) {
	var v int
	err := q.QueryRow("PRAGMA user_version").Scan(&v)
	return v, err
}

// withBusyTimeout runs fn with the writer connection waiting at most
// timeout for a lock, then puts busyTimeout back.
func (d *DB) withBusyTimeout(timeout time.Duration, fn func() error) error {
	if _, err := d.w.Exec(fmt.Sprintf("PRAGMA busy_timeout = %d", timeout.Milliseconds())); err != nil {
		return err
	}
	err := fn()
	if _, rerr := d.w.Exec(fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout.Milliseconds())); err == nil {
		err = rerr
	}
	return err
}

// probeWriteLock takes the write lock and lets it go at once, so a lock
// another program holds is found when the database is opened rather than
// at the first upload.
func (d *DB) probeWriteLock() error {
	tx, err := d.w.Begin() // BEGIN IMMEDIATE (see dsn)
	if err != nil {
		return err
	}
	return tx.Rollback()
}

// withTx runs fn in a write transaction on the single writer connection,
// committing when fn returns nil and rolling back otherwise. A full disk,
// a damaged file or a lock held by another program come back as the typed
// errors of explainDBError. When the database file is no longer at its
// path (CheckFile, once per transaction, before the commit), the
// transaction is rolled back and a *ReplacedError returned: the commit
// would reach no history.
//
// On a full disk the write-ahead log is checkpointed and truncated (it
// may hold most of the space this database uses, and SQLite only recycles
// it after a thousand pages), then the transaction is tried once more.
func (d *DB) withTx(what string, fn func(tx *sql.Tx) error) error {
	err := explainDBError(d.path, d.runTx(what, fn))
	if errors.Is(err, ErrDiskFull) {
		if _, cerr := d.w.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); cerr == nil {
			err = explainDBError(d.path, d.runTx(what, fn))
		}
	}
	return err
}

func (d *DB) runTx(what string, fn func(tx *sql.Tx) error) error {
	if e := d.replaced.Load(); e != nil {
		// Found before: the transaction would read the history through
		// an index of the -wal that may no longer tell what is in it.
		return fmt.Errorf("%s: %w", what, e)
	}
	tx, err := d.w.BeginTx(context.Background(), nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", what, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		if gone := d.CheckFile(); gone != nil {
			// What failed read through a -shm since gone ("malformed"):
			// that it went is what to say, and to act on.
			d.saveWALOfAGoneJournal(gone)
			err = gone
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := d.CheckFile(); err != nil {
		_ = tx.Rollback()
		d.saveWALOfAGoneJournal(err)
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", what, err)
	}
	d.commits.Add(1)
	return nil
}

// Commits is how many write transactions were committed through d since
// it was opened. Each commit appends to the WAL, and a commit per file
// costs as much as the file's rows: the writers that run for every file
// share commits, and tests check that they do.
func (d *DB) Commits() int64 { return d.commits.Load() }

// migration is one schema step. Step i (0-based) takes the database from
// user_version i to i+1; steps are append-only — never edit a released one.
type migration struct {
	name string
	up   func(tx *sql.Tx) error
}

var migrations = []migration{
	{"create history, jobs and settings tables", migrateV1},
	{"add history.search_text and the paging and queue indexes", migrateV2},
	{"add the walks table (added folders not yet fully listed)", migrateV3},
	{"add history.server_name, jobs.beneath and jobs.file_id (server names kept apart, files pinned to what a walk listed)", migrateV4},
	{"add the uploaded file's identity to the history, and its lookup index (already uploaded)", migrateV5},
	{"add the history's trigram search index and stored count", migrateV6},
	{"add history.sha256 and the expected SHA-256 of jobs and walks (receipts)", migrateV7},
	{"index the jobs for paging by account and state, and mark cleared rows", migrateV8},
	{"add the history's live check (when its link last served the file, or why not)", migrateV9},
	{"add the folder and Add call of each history entry (folders shared as one)", migrateV10},
	{"add jobs.reported (a result printed by exactly one command-line run)", migrateV11},
	{"add jobs.reason and jobs.reason_arg (why a job stopped, as a code the window words)", migrateV12},
	{"index the jobs by file (a file already queued in any batch is not queued twice)", migrateV13},
	{"file every spelling of one server under one environment (its normal form)", migrateV14},
	{"add the accounts table (the dStor account id of each name rows are filed under)", migrateV15},
	{"add folder_members (the files a folder share found already uploaded)", migrateV16},
	{"add folder_shares (the order the folders' Add calls came in)", migrateV17},
	{"add walks.folder and folder_shares.stopped (a folder's Add call is its latest from when it is saved; a listing stopped before its end)", migrateV18},
	{"rename folder_shares.stopped to listing_end (why a listing ended before it listed its folder)", migrateV19},
	{"give a folder's skipped and failed rows saved without jobs.beneath the share of their folder", migrateV20},
	{"give the skipped rows saved without jobs.reason whose sentence is a skip by design that reason", migrateV21},
	{"refold the history's search text to one Unicode form, in the background (a name mixing forms is found)", migrateV22},
	{"refold the history's search text again, in the background: the Turkish İ and ı read as i", migrateV23},
}

// migrate applies the pending steps, each in its own transaction together
// with its user_version bump, so a crash mid-migration leaves the previous
// version intact. The version is re-read inside the (IMMEDIATE) transaction
// so two processes opening the database at once do not both apply a step.
func migrate(db *sql.DB, steps []migration) error {
	have, err := userVersion(db)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if have > len(steps) {
		return fmt.Errorf("schema version %d, this version knows up to %d: %w", have, len(steps), ErrSchemaTooNew)
	}
	for v := have; v < len(steps); v++ {
		step := steps[v]
		err := func() error {
			tx, err := db.Begin()
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }()
			cur, err := userVersion(tx)
			if err != nil {
				return err
			}
			if cur > v {
				return nil // another process got here first
			}
			if err := step.up(tx); err != nil {
				return err
			}
			if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
				return err
			}
			return tx.Commit()
		}()
		if err != nil {
			return fmt.Errorf("migrate schema to version %d (%s): %w", v+1, step.name, err)
		}
	}
	return nil
}

func execAll(tx *sql.Tx, stmts ...string) error {
	for _, s := range stmts {
		if _, err := tx.Exec(s); err != nil {
			return err
		}
	}
	return nil
}

// migrateV1 creates the tables. Times are Unix nanoseconds (0 = unknown),
// booleans 0/1. history.id is AUTOINCREMENT so an id held by the UI is never
// reused for another upload after a delete.
func migrateV1(tx *sql.Tx) error {
	return execAll(tx,
		`CREATE TABLE history (
			id          INTEGER PRIMARY KEY AUTOINCREMENT,
			job_id      TEXT UNIQUE,
			env         TEXT NOT NULL DEFAULT '',
			account     TEXT NOT NULL DEFAULT '',
			local_path  TEXT NOT NULL DEFAULT '',
			name        TEXT NOT NULL DEFAULT '',
			size        INTEGER NOT NULL DEFAULT 0,
			hash        TEXT NOT NULL DEFAULT '',
			verified    INTEGER NOT NULL DEFAULT 0,
			folder_path TEXT NOT NULL DEFAULT '',
			parent_id   INTEGER,
			comment     TEXT NOT NULL DEFAULT '',
			started_at  INTEGER NOT NULL DEFAULT 0,
			finished_at INTEGER NOT NULL DEFAULT 0,
			attempts    INTEGER NOT NULL DEFAULT 0
		)`,
		`CREATE TABLE jobs (
			seq         INTEGER PRIMARY KEY,
			id          TEXT NOT NULL UNIQUE,
			batch_id    TEXT NOT NULL DEFAULT '',
			env         TEXT NOT NULL DEFAULT '',
			account     TEXT NOT NULL DEFAULT '',
			local_path  TEXT NOT NULL DEFAULT '',
			name        TEXT NOT NULL DEFAULT '',
			size        INTEGER NOT NULL DEFAULT 0,
			folder_path TEXT NOT NULL DEFAULT '',
			parent_id   INTEGER,
			comment     TEXT NOT NULL DEFAULT '',
			state       TEXT NOT NULL,
			attempts    INTEGER NOT NULL DEFAULT 0,
			error       TEXT NOT NULL DEFAULT '',
			hash        TEXT NOT NULL DEFAULT '',
			verified    INTEGER NOT NULL DEFAULT 0,
			created_at  INTEGER NOT NULL DEFAULT 0,
			updated_at  INTEGER NOT NULL DEFAULT 0
		)`,
		`CREATE TABLE settings (
			key   TEXT PRIMARY KEY,
			value TEXT NOT NULL
		) WITHOUT ROWID`,
	)
}

// migrateV2 adds history.search_text — the lowercased name, hash, comment and
// folder path — and backfills it in Go (SQLite's lower() only folds ASCII),
// then the indexes that keep page 1 and search fast at 100,000 rows:
//
//   - history_newest (finished_at, id, search_text): newest-first pages walk
//     it in order with no sort, and a search filters on the index alone,
//     touching table rows only for matches and stopping after one page;
//   - jobs_state (state, seq): the worker's "next queued jobs" in order.
func migrateV2(tx *sql.Tx) error {
	if _, err := tx.Exec(`ALTER TABLE history ADD COLUMN search_text TEXT NOT NULL DEFAULT ''`); err != nil {
		return err
	}
	rows, err := tx.Query(`SELECT id, name, hash, comment, folder_path FROM history`)
	if err != nil {
		return err
	}
	type fill struct {
		id   int64
		text string
	}
	var fills []fill
	for rows.Next() {
		var id int64
		var name, hash, comment, folder string
		if err := rows.Scan(&id, &name, &hash, &comment, &folder); err != nil {
			_ = rows.Close()
			return err
		}
		fills = append(fills, fill{id, searchText(name, hash, comment, folder)})
	}
	if err := rows.Close(); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(fills) > 0 {
		st, err := tx.Prepare(`UPDATE history SET search_text = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer func() { _ = st.Close() }()
		for _, f := range fills {
			if _, err := st.Exec(f.text, f.id); err != nil {
				return err
			}
		}
	}
	return execAll(tx,
		`CREATE INDEX history_newest ON history (finished_at, id, search_text)`,
		`CREATE INDEX jobs_state ON jobs (state, seq)`,
		`CREATE INDEX jobs_batch ON jobs (batch_id)`,
	)
}

// migrateV4 adds history.server_name (the name a server's answer gave a
// file, kept apart from the local name instead of replacing it) and, for a
// file found in a chosen folder, jobs.beneath (that folder) and
// jobs.file_id (the file the walk listed), so a job uploads that file and
// nothing a symbolic link or a swap put in its place, also after a restart.
func migrateV4(tx *sql.Tx) error {
	return execAll(tx,
		`ALTER TABLE history ADD COLUMN server_name TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE jobs ADD COLUMN beneath TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE jobs ADD COLUMN file_id TEXT NOT NULL DEFAULT ''`,
	)
}

// migrateV7 adds receipts: history.sha256 (the SHA-256 of the file as it
// was sent, computed in the same pass as its CID) and, for an upload that
// must match a known checksum, jobs.expect_sha256 and walks.expect_sha256,
// so the check survives a restart; and history_hash, so `verify` finds the
// uploads of a CID without reading the whole history.
func migrateV7(tx *sql.Tx) error {
	return execAll(tx,
		`ALTER TABLE history ADD COLUMN sha256 TEXT NOT NULL DEFAULT ''`,
		`CREATE INDEX history_hash ON history (hash)`,
		`ALTER TABLE jobs ADD COLUMN expect_sha256 TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE walks ADD COLUMN expect_sha256 TEXT NOT NULL DEFAULT ''`,
	)
}

// migrateV9 adds the live check of an entry's link: when it was checked
// (live_at, 0 = never), how long the gateway took to serve the first bytes
// (live_ms) and, when it did not, why (live_error).
func migrateV9(tx *sql.Tx) error {
	return execAll(tx,
		`ALTER TABLE history ADD COLUMN live_at INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE history ADD COLUMN live_ms INTEGER NOT NULL DEFAULT 0`,
		`ALTER TABLE history ADD COLUMN live_error TEXT NOT NULL DEFAULT ''`,
	)
}

// migrateV11 adds jobs.reported: whether a command-line run printed the
// job's result, so one interrupted before it could is printed by the next.
// Jobs from before are taken as reported: their runs ended normally or
// their results cannot be told apart any more.
func migrateV11(tx *sql.Tx) error {
	return execAll(tx,
		`ALTER TABLE jobs ADD COLUMN reported INTEGER NOT NULL DEFAULT 0`,
		`UPDATE jobs SET reported = 1`,
	)
}

// migrateV12 adds jobs.reason and jobs.reason_arg: why a job failed, was
// skipped, waits or was already uploaded, as a code and its detail, so the
// window words it in its own language. Rows from before keep only their
// English sentence (jobs.error), which the window then shows as it is.
func migrateV12(tx *sql.Tx) error {
	return execAll(tx,
		`ALTER TABLE jobs ADD COLUMN reason TEXT NOT NULL DEFAULT ''`,
		`ALTER TABLE jobs ADD COLUMN reason_arg TEXT NOT NULL DEFAULT ''`,
	)
}

// nanos and fromNanos store times as Unix nanoseconds, with 0 for the zero
// time (whose UnixNano is undefined).
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func nullInt(p *int64) sql.NullInt64 {
	if p == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: *p, Valid: true}
}

func ptrInt(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}
