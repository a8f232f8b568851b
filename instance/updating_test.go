package instance

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestWindowStartedDuringAnUpdateWaitsForIt: a command updating the upload
// history of an older version holds the upgrade lock and, meanwhile, the
// window's lock (so an older window cannot start on it). A window started
// then found the window's lock held, looked for the window holding it for
// HandoffTimeout, and gave up with "another dStor Uploader window holds
// this data folder, but it could not be reached", where no window was.
// It now waits for the update, however longer than HandoffTimeout it
// takes, and claims the folder once it is over.
func TestWindowStartedDuringAnUpdateWaitsForIt(t *testing.T) {
	shortenWaits(t, 200*time.Millisecond, time.Minute)
	dir := t.TempDir()
	endUpdate := testutil.HoldAsUpdating(t, dir)
	began := time.Now()
	waits := 0
	onUpdateWait = func() {
		waits++
		if time.Since(began) > 3*handoffWait {
			endUpdate() // the update is over, three hand-off timeouts on
		}
	}
	t.Cleanup(func() { onUpdateWait = nil })

	said, saidBefore := 0, -1 // how often waiting was called; the waits before the first
	srv, handed, err := ClaimWaiting(t.Context(), dir, Request{}, func() {
		if said++; said == 1 {
			saidBefore = waits
		}
	})
	require.NoError(t, err)
	assert.False(t, handed)
	require.NotNil(t, srv, "this window claims the folder once the update is over")
	require.NoError(t, srv.Close())
	assert.Greater(t, time.Since(began), 3*handoffWait)
	assert.Positive(t, waits)
	assert.Equal(t, 1, said, "the wait is said once")
	assert.Equal(t, 1, saidBefore, "once the update is still under way after the first wait")
}

// TestUpdateLongerThanTheWaitIsSaid: a window started while a command
// updates the history waits for it up to storage.UpgradeWait; when the
// update was still under way then, it looked for a window for another
// HandoffTimeout and said "another dStor Uploader window holds this data
// folder, but it could not be reached" (and opened a window of its own,
// whose open then waited for the same update another 5 minutes). It now
// says that another dStor Uploader has been updating the history that
// long, and what to do, and claims nothing.
func TestUpdateLongerThanTheWaitIsSaid(t *testing.T) {
	shortenWaits(t, 200*time.Millisecond, time.Minute)
	was := updateWait
	updateWait = 300 * time.Millisecond
	t.Cleanup(func() { updateWait = was })
	dir := t.TempDir()
	testutil.HoldAsUpdating(t, dir)

	srv, handed, err := Claim(t.Context(), dir, Request{})
	if srv != nil {
		_ = srv.Close()
	}
	assert.Nil(t, srv)
	assert.False(t, handed)
	require.ErrorIs(t, err, storage.ErrUpdateTooLong)
	assert.Equal(t, "another dStor Uploader has been updating the upload history in "+dir+
		" for 300ms: let it finish or close it, then try again", err.Error())
}

// TestAnotherLaunchsLookIsNotTakenForAnUpdate: two launches at once (a
// file manager's "Open" of several files starts one per file) while a
// window runs on a folder that was updated once (its upgrade.lock is
// there) each ask storage.UpdateUnderWay, which holds upgrade.lock for a
// moment; the one that met the other's look called waiting, so the
// command line opened "Another dStor Uploader is updating the upload
// history…" for an update nobody ran, and closed it 50 ms later once the
// files were handed over. waiting is now called only for an update still
// under way after the first wait. (storage.UpdateUnderWay has since
// looked with a shared lock, so two looks no longer meet; the exclusive
// hold here stands for any holder of a moment, an open that finds the
// history updated already.)
func TestAnotherLaunchsLookIsNotTakenForAnUpdate(t *testing.T) {
	dir := t.TempDir()
	upgradeLock := filepath.Join(dir, storage.UpgradeLockFile)
	require.NoError(t, os.WriteFile(upgradeLock, nil, 0o600))
	cmd, _ := startHolder(t, dir)
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	look, err := filelock.Hold(upgradeLock) // the other launch's UpdateUnderWay
	require.NoError(t, err)
	require.NotNil(t, look)
	onUpdateWait = func() { _ = filelock.Drop(look) } // its look is over by the first wait
	t.Cleanup(func() { onUpdateWait = nil; _ = filelock.Drop(look) })

	said := 0
	srv, handed, err := ClaimWaiting(t.Context(), dir, Request{Paths: []string{"/f.txt"}}, func() { said++ })
	require.NoError(t, err)
	assert.Nil(t, srv)
	assert.True(t, handed, "the running window takes the files")
	assert.Zero(t, said, "no update was under way: nothing to say")
}
