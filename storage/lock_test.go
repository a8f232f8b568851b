package storage

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLockQueueIsExclusivePerAccount(t *testing.T) {
	d := openTestDB(t)
	l1, err := d.LockQueue("testnet", "a@example.com")
	require.NoError(t, err)

	_, err = d.LockQueue("testnet", "a@example.com")
	assert.ErrorIs(t, err, ErrQueueInUse)
	assert.Contains(t, err.Error(), "already running")

	other, err := d.LockQueue("testnet", "b@example.com")
	require.NoError(t, err, "another account's queue is independent")
	require.NoError(t, other.Release())

	require.NoError(t, l1.Release())
	require.NoError(t, l1.Release(), "twice is fine")
	l2, err := d.LockQueue("testnet", "a@example.com")
	require.NoError(t, err, "free again after release")
	require.NoError(t, l2.Release())
}

// TestLockQueueByAccountID: a queue locked under a name and the account id
// its tokens name keeps out a queue under another name of the same id
// (one account signed in with its email and with its API key), all or
// none, and leaves other accounts alone.
func TestLockQueueByAccountID(t *testing.T) {
	d := openTestDB(t)
	const id = "352457c0-80b4-5683-b8a8-04f59e9e06d2"
	byEmail, err := d.LockQueue("testnet", "a@example.com", id)
	require.NoError(t, err)
	_, err = d.LockQueue("testnet", id, id)
	require.ErrorIs(t, err, ErrQueueInUse, "the same account by its id")
	_, err = d.LockQueue("testnet", "other@example.com", id)
	require.ErrorIs(t, err, ErrQueueInUse, "the same account under another email")
	other, err := d.LockQueue("testnet", "other@example.com", "another-id")
	require.NoError(t, err, "another account")
	require.NoError(t, other.Release())
	require.NoError(t, byEmail.Release())

	byKey, err := d.LockQueue("testnet", id, id, "")
	require.NoError(t, err, "a name given twice or empty is locked once")
	_, err = d.LockQueue("testnet", "a@example.com", id)
	require.ErrorIs(t, err, ErrQueueInUse)
	l, err := d.LockQueue("testnet", "a@example.com")
	require.NoError(t, err, "a failed lock holds none of its names")
	require.NoError(t, l.Release())
	require.NoError(t, byKey.Release())
}

// TestLockQueueFreedWhenHolderDies: a killed process never leaves a stale
// lock behind.
func TestLockQueueFreedWhenHolderDies(t *testing.T) {
	if os.Getenv("DSTOR_TEST_HOLD_LOCK") != "" {
		d, err := Open(os.Getenv("DSTOR_TEST_HOLD_LOCK"))
		if err != nil {
			os.Exit(3)
		}
		if _, err := d.LockQueue("testnet", "a@example.com"); err != nil {
			os.Exit(4)
		}
		os.Stdout.WriteString("locked\n")
		time.Sleep(time.Minute)
		os.Exit(0)
	}
	dir := t.TempDir()
	d, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { d.Close() })

	cmd := exec.Command(os.Args[0], "-test.run=^TestLockQueueFreedWhenHolderDies$")
	cmd.Env = append(os.Environ(), "DSTOR_TEST_HOLD_LOCK="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	buf := make([]byte, 7)
	_, err = out.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "locked\n", string(buf))

	_, err = d.LockQueue("testnet", "a@example.com")
	require.ErrorIs(t, err, ErrQueueInUse)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	l, err := d.LockQueue("testnet", "a@example.com")
	require.NoError(t, err)
	require.NoError(t, l.Release())
}

// TestQueueLockFolderRemovedMeanwhile: the locks folder removed between
// its making and the lock (a cleaner of old files, its last file gone) is
// made again: the run is not refused with a "no such file" error, which
// is neither "in use" nor a reason to stop.
func TestQueueLockFolderRemovedMeanwhile(t *testing.T) {
	d := openTestDB(t)
	dir := filepath.Join(filepath.Dir(d.Path()), "locks")
	removals := 2
	beforeTake = func() {
		if removals > 0 {
			removals--
			require.NoError(t, os.RemoveAll(dir))
		}
	}
	t.Cleanup(func() { beforeTake = nil })
	l, err := d.LockQueue("testnet", "a@example.com", "352457c0")
	require.NoError(t, err)
	assert.Zero(t, removals, "the folder was removed twice")
	_, err = d.LockQueue("testnet", "352457c0")
	require.ErrorIs(t, err, ErrQueueInUse)
	require.NoError(t, l.Release())
}

// TestALockAnotherUserOwnsSaysToChownIt: a queue lock another user owns
// is named with that user and the sudo chown that gives it back, -R for
// the locks folder, the path one word for the shell.
func TestALockAnotherUserOwnsSaysToChownIt(t *testing.T) {
	for _, tc := range []struct {
		what   string
		folder bool
		want   string
	}{
		{"/data/locks", true, "sudo chown -R $USER /data/locks"},
		{"/data/locks/ab.lock", false, "sudo chown $USER /data/locks/ab.lock"},
		{"/home/a b/locks", true, "sudo chown -R $USER '/home/a b/locks'"},
	} {
		e := &LockNotYoursError{What: tc.what, Folder: tc.folder, Owner: "root"}
		assert.Equal(t, tc.want, e.ChownCommand(), tc.what)
		assert.Equal(t, "cannot take the upload queue's lock: "+tc.what+" belongs to the user root (left by a run under sudo?) — "+
			"make it yours again ("+tc.want+"), then try again", e.Error())
	}
}

// TestQueueLockHeldForAMomentIsWaitedFor: a queue lock another holder has
// for a moment only (the command line's look at whether another account's
// queue is in use takes its lock and gives it back; a run finishing as
// this one starts) refused the run that came at that instant with
// ErrQueueInUse, though no run held the queue; and two runs of one account
// taking its names in another order could refuse each other, neither
// running. Two goroutines take and give back the same queue's lock, each
// many times, each take at once with the other's: none is ever refused.
//
// Each holds the lock for a moment as those holders do: it takes it again
// only once the other's take has ended. Taking it back at once, as soon
// as given back, is no moment's hold (no holder in dStor Uploader does
// it): the other, trying every lockRetry, could meet it held at every try
// until lockWait ran out, and did under Wine with the machine busy (8
// takes of 16,000 refused, after 3 to 11 tries, each try there taking up
// to a quarter of a second).
func TestQueueLockHeldForAMomentIsWaitedFor(t *testing.T) {
	const id = "352457c0-80b4-5683-b8a8-04f59e9e06d2"
	for _, tc := range []struct {
		name  string
		names [2][]string
	}{
		{"one name", [2][]string{{"a@example.com"}, {"a@example.com"}}},
		{"its names in another order", [2][]string{{"a@example.com", id}, {id, "a@example.com"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := openTestDB(t)
			const rounds = 200
			var refused atomic.Int32
			var ready, wg sync.WaitGroup
			start := make(chan struct{})
			// ended[i] has a token for each take of goroutine i that ended.
			ended := [2]chan struct{}{make(chan struct{}, rounds), make(chan struct{}, rounds)}
			for i, names := range tc.names {
				ready.Add(1)
				wg.Go(func() {
					ready.Done()
					<-start // both at once
					for round := range rounds {
						if round > 0 {
							<-ended[1-i] // the other's take of the round before
						}
						l, err := d.LockQueue("testnet", names[0], names[1:]...)
						if err != nil {
							assert.ErrorIs(t, err, ErrQueueInUse)
							refused.Add(1)
						} else {
							assert.NoError(t, l.Release())
						}
						ended[i] <- struct{}{}
					}
				})
			}
			ready.Wait()
			close(start)
			wg.Wait()
			assert.Zero(t, refused.Load(), "takes of %d refused while the other held the lock for a moment only", 2*rounds)
		})
	}
}
