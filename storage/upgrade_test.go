package storage

import (
	"bufio"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
)

// olderSchemaFolder makes a data folder whose history is at schema
// version, as an older build left it, with a row in it.
func olderSchemaFolder(t *testing.T, version int) string {
	t.Helper()
	dir := t.TempDir()
	olderSchemaIn(t, dir, version)
	return dir
}

// olderSchemaIn makes the history in the data folder dir at schema
// version, as an older build left it, with a row in it.
func olderSchemaIn(t *testing.T, dir string, version int) {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(dir, DBFileName))
	require.NoError(t, err)
	raw.SetMaxOpenConns(1)
	require.NoError(t, migrate(raw, migrations[:version]))
	_, err = raw.Exec(`INSERT INTO settings (key, value) VALUES ('language', 'de')`)
	require.NoError(t, err)
	require.NoError(t, raw.Close())
}

// historyAsItIs is the history file's schema version, schema and settings
// rows, read without migrating it.
func historyAsItIs(t *testing.T, dir string) (int, string) {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(dir, DBFileName))
	require.NoError(t, err)
	defer raw.Close()
	v, err := userVersion(raw)
	require.NoError(t, err)
	var schema, rows string
	require.NoError(t, raw.QueryRow(`SELECT group_concat(sql, ';') FROM (SELECT sql FROM sqlite_schema ORDER BY name)`).Scan(&schema))
	require.NoError(t, raw.QueryRow(`SELECT group_concat(key || '=' || value) FROM settings`).Scan(&rows))
	return v, schema + "\n" + rows
}

// olderHolderEnv names, for the child TestHelperHoldsALockAsAnOlderVersion,
// the lock file it holds.
const olderHolderEnv = "DSTOR_TEST_HOLD_AS_OLDER"

// TestHelperHoldsALockAsAnOlderVersion is the child of the tests below: a
// process that holds a lock file as an older version's window or queue
// holds it (filelock.Take), says "held", and lets it go when its standard
// input closes.
func TestHelperHoldsALockAsAnOlderVersion(t *testing.T) {
	path := os.Getenv(olderHolderEnv)
	if path == "" {
		return // not the child
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		os.Exit(2)
	}
	k, err := filelock.Take(path)
	if err != nil {
		os.Exit(3)
	}
	os.Stdout.WriteString("held\n")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = k.Close()
	os.Exit(0)
}

// holdAsOlderProcess starts a child process holding the lock file at path
// and returns once it holds it; the returned func ends the child, which
// lets the lock go.
func holdAsOlderProcess(t *testing.T, path string) (end func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldsALockAsAnOlderVersion$", "-test.count=1")
	cmd.Env = append(os.Environ(), olderHolderEnv+"="+path)
	in, err := cmd.StdinPipe()
	require.NoError(t, err)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	var once sync.Once
	end = func() {
		once.Do(func() {
			_ = in.Close()
			_ = cmd.Wait()
		})
	}
	t.Cleanup(end)
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err, "the child did not say it holds the lock")
	require.Equal(t, "held\n", line)
	return end
}

// TestOpenLeavesAnOlderSchemaAloneWhileAnOlderProcessUsesTheFolder: a
// history of an older schema is not migrated while another process holds
// the window's lock or an account's queue lock in its data folder, as a
// window or an upload of an older version does: Open is refused with an
// *OlderVersionRunningError and the file keeps its version, schema and
// rows. Once that process has ended, Open migrates it.
func TestOpenLeavesAnOlderSchemaAloneWhileAnOlderProcessUsesTheFolder(t *testing.T) {
	for _, lock := range []string{WindowLockFile, filepath.Join(LocksFolder, "0123456789abcdef01234567.lock")} {
		t.Run(filepath.Base(lock), func(t *testing.T) {
			dir := olderSchemaFolder(t, 19)
			_, before := historyAsItIs(t, dir)
			end := holdAsOlderProcess(t, filepath.Join(dir, lock))

			d, err := Open(dir)
			if err == nil {
				_ = d.Close()
			}
			require.ErrorIs(t, err, ErrOlderVersionRunning)
			older, ok := err.(*OlderVersionRunningError)
			require.True(t, ok, "the typed error itself: %T %v", err, err)
			assert.Equal(t, 19, older.Have)
			assert.Equal(t, filepath.Join(dir, lock), older.Lock)
			assert.Contains(t, err.Error(), "close it, then start this version again")
			v, after := historyAsItIs(t, dir)
			assert.Equal(t, 19, v, "user_version untouched")
			assert.Equal(t, before, after, "schema and rows untouched")

			end()
			d, err = Open(dir)
			require.NoError(t, err)
			t.Cleanup(func() { _ = d.Close() })
			v, err = d.SchemaVersion()
			require.NoError(t, err)
			assert.Equal(t, CurrentSchemaVersion, v)
		})
	}
}

// TestOpenMigratesUnderThisProcesssOwnLocks: the window claims its data
// folder (the window lock) before it opens the history, and a process may
// hold its queue's lock when it opens a history again: locks this process
// holds are not an older version's, and an older schema is migrated.
func TestOpenMigratesUnderThisProcesssOwnLocks(t *testing.T) {
	dir := olderSchemaFolder(t, 19)
	for _, lock := range []string{WindowLockFile, filepath.Join(LocksFolder, "0123456789abcdef01234567.lock")} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, lock)), 0o700))
		k, err := filelock.Take(filepath.Join(dir, lock))
		require.NoError(t, err)
		t.Cleanup(func() { _ = k.Close() })
	}
	d, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() })
	v, err := d.SchemaVersion()
	require.NoError(t, err)
	assert.Equal(t, CurrentSchemaVersion, v)
	assert.FileExists(t, filepath.Join(dir, UpgradeLockFile))

	fresh := t.TempDir()
	n, err := Open(fresh)
	require.NoError(t, err)
	require.NoError(t, n.Close())
	assert.NoFileExists(t, filepath.Join(fresh, UpgradeLockFile), "a new history holds nothing of an older version's")
}

// TestTwoOpensOfAnOlderSchemaMigrateItOnce: two processes of this version
// opening an older history at once (here two opens in one process, whose
// locks are as apart as two processes': flock and LockFileEx lock an open
// file): the second waits for the first's migration, which it does not
// take for an older process's use of the folder, then opens the migrated
// history. The last step runs once; both opens succeed.
func TestTwoOpensOfAnOlderSchemaMigrateItOnce(t *testing.T) {
	dir := olderSchemaFolder(t, 19)
	// Lock files an older version left, free: the first open holds them
	// while it migrates.
	require.NoError(t, os.WriteFile(filepath.Join(dir, WindowLockFile), nil, 0o600))
	was := olderWait
	olderWait = 0 // a lock held is an older process's at once
	t.Cleanup(func() { olderWait = was })

	last := &migrations[len(migrations)-1]
	up := last.up
	t.Cleanup(func() { last.up = up })
	var runs atomic.Int32
	migrating, proceed := make(chan struct{}), make(chan struct{})
	last.up = func(tx *sql.Tx) error {
		if runs.Add(1) == 1 {
			close(migrating)
			<-proceed
		}
		return up(tx)
	}
	waiting := make(chan struct{})
	var waitOnce sync.Once
	onUpgradeWait = func() { waitOnce.Do(func() { close(waiting) }) }
	t.Cleanup(func() { onUpgradeWait = nil })

	opened := make(chan error, 2)
	open := func() {
		d, err := Open(dir)
		if err == nil {
			err = d.Close()
		}
		opened <- err
	}
	go open()
	<-migrating
	go open()
	select {
	case <-waiting:
	case err := <-opened:
		close(proceed)
		<-opened
		require.FailNow(t, "the second open returned while the first migrated", "%v", err)
	case <-time.After(time.Minute):
		require.FailNow(t, "the second open neither waited nor returned")
	}
	close(proceed)
	require.NoError(t, <-opened)
	require.NoError(t, <-opened)
	assert.Equal(t, int32(1), runs.Load(), "the last step ran once")
	v, _ := historyAsItIs(t, dir)
	assert.Equal(t, CurrentSchemaVersion, v)
}

// TestOpenSaysBeforeItUpdatesAnOlderHistory: OpenWith calls
// BeforeUpgrade once before it updates a history of an older schema
// (whose version is still the older one then); not for a history already
// current, nor for a new one.
func TestOpenSaysBeforeItUpdatesAnOlderHistory(t *testing.T) {
	dir := olderSchemaFolder(t, 19)
	var calls []int // the history's version at each call
	say := OpenOptions{BeforeUpgrade: func() {
		v, _ := historyAsItIs(t, dir)
		calls = append(calls, v)
	}}
	openWith := func(dir string) {
		t.Helper()
		d, err := OpenWith(dir, say)
		require.NoError(t, err)
		require.NoError(t, d.Close())
	}
	openWith(dir)
	assert.Equal(t, []int{19}, calls, "once, before the update")

	calls = nil
	openWith(dir)
	assert.Empty(t, calls, "a current history")
	openWith(t.TempDir())
	assert.Empty(t, calls, "a new history")
}

// TestOpenWaitingForAnotherUpdateSaysSo: a second open of a history that
// another process of this version is updating calls BeforeUpgrade once it
// finds the update still under way a moment on (a command waiting 10 s on
// a large history says why, as the one updating it does), and not again
// once the history is up to date; the one updating calls it once too.
func TestOpenWaitingForAnotherUpdateSaysSo(t *testing.T) {
	dir := olderSchemaFolder(t, 19)
	last := &migrations[len(migrations)-1]
	up := last.up
	t.Cleanup(func() { last.up = up })
	migrating, proceed := make(chan struct{}), make(chan struct{})
	var once sync.Once
	last.up = func(tx *sql.Tx) error {
		once.Do(func() { close(migrating); <-proceed })
		return up(tx)
	}
	waiting := make(chan struct{})
	var looks atomic.Int32
	onUpgradeWait = func() { // the second look finds it held still
		if looks.Add(1) == 2 {
			close(waiting)
		}
	}
	t.Cleanup(func() { onUpgradeWait = nil })

	var first, second atomic.Int32
	opened := make(chan error, 2)
	open := func(calls *atomic.Int32) {
		d, err := OpenWith(dir, OpenOptions{BeforeUpgrade: func() { calls.Add(1) }})
		if err == nil {
			err = d.Close()
		}
		opened <- err
	}
	go open(&first)
	<-migrating
	go open(&second)
	select {
	case <-waiting:
	case <-time.After(time.Minute):
		close(proceed)
		require.FailNow(t, "the second open did not wait for the update")
	}
	said := second.Load()
	close(proceed)
	require.NoError(t, <-opened)
	require.NoError(t, <-opened)
	assert.Equal(t, int32(1), said, "the second open said so while it waited")
	assert.Equal(t, int32(1), second.Load(), "once")
	assert.Equal(t, int32(1), first.Load(), "the update said once")
}

// TestALookAtTheUpgradeLockIsNotTakenForAnUpdate: a window launched beside
// another looks whether a command updates the history
// (UpdateUnderWay) by holding the upgrade lock for a moment. An open that
// found it held at that instant said "Updating the upload history…"
// (BeforeUpgrade) although no process was updating it, and then, an older
// version still using the folder, that it changed nothing. The open says so
// only once the lock is still held when it looks again.
func TestALookAtTheUpgradeLockIsNotTakenForAnUpdate(t *testing.T) {
	dir := olderSchemaFolder(t, 19)
	holdAsOlderProcess(t, filepath.Join(dir, WindowLockFile))
	was := olderWait
	olderWait = 0 // the older window's lock is its at once
	t.Cleanup(func() { olderWait = was })
	// Left by an earlier update's try (a lock file stays); held for a
	// moment (another open that finds the history updated already; a
	// launch's look, UpdateUnderWay, holds it shared since).
	require.NoError(t, os.WriteFile(filepath.Join(dir, UpgradeLockFile), nil, 0o600))
	look, err := filelock.Hold(filepath.Join(dir, UpgradeLockFile))
	require.NoError(t, err)
	require.NotNil(t, look)
	looks := 0
	onUpgradeWait = func() {
		looks++
		if looks == 1 {
			require.NoError(t, filelock.Drop(look)) // the look is over
		}
	}
	t.Cleanup(func() { onUpgradeWait = nil })

	said := 0
	d, err := OpenWith(dir, OpenOptions{BeforeUpgrade: func() { said++ }})
	if err == nil {
		_ = d.Close()
	}
	require.ErrorIs(t, err, ErrOlderVersionRunning)
	assert.Equal(t, 1, looks, "the open met the look once")
	assert.Zero(t, said, "no update was said: none was under way, and this open's was refused")
}

// TestALongLookAtTheUpgradeLockIsNotTakenForAnUpdate: a launch's look
// (UpdateUnderWay) that held the upgrade lock past lockRetry (10 ms: the
// launch's goroutine not run meanwhile, on a loaded machine) was taken by
// an open for an update under way: "Updating the upload history…" said
// (BeforeUpgrade), and then, an older version still using the folder,
// that nothing was changed. A look now holds the lock shared, which an
// update never does, and the open says nothing however long it lasts.
func TestALongLookAtTheUpgradeLockIsNotTakenForAnUpdate(t *testing.T) {
	dir := olderSchemaFolder(t, 19)
	holdAsOlderProcess(t, filepath.Join(dir, WindowLockFile))
	was := olderWait
	olderWait = 0 // the older window's lock is its at once
	t.Cleanup(func() { olderWait = was })
	require.NoError(t, os.WriteFile(filepath.Join(dir, UpgradeLockFile), nil, 0o600))
	looking, release := make(chan struct{}), make(chan struct{})
	duringLook = func() { close(looking); <-release }
	t.Cleanup(func() { duringLook = nil })
	looked := make(chan bool, 1)
	go func() { looked <- UpdateUnderWay(dir) }()
	<-looking
	looks := 0
	onUpgradeWait = func() {
		if looks++; looks == 3 {
			close(release) // the look is over, three waits on
		}
	}
	t.Cleanup(func() { onUpgradeWait = nil })

	said := 0
	d, err := OpenWith(dir, OpenOptions{BeforeUpgrade: func() { said++ }})
	if err == nil {
		_ = d.Close()
	}
	require.ErrorIs(t, err, ErrOlderVersionRunning)
	assert.False(t, <-looked, "the look found no update")
	assert.Equal(t, 3, looks, "the open met the look three times")
	assert.Zero(t, said, "no update was said: none was under way, and this open's was refused")
}
