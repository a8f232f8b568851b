package instance

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
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
	var held []*os.File // the updating command's locks: other open files are other holders
	for _, name := range []string{storage.UpgradeLockFile, lockName} {
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_RDWR|os.O_CREATE, 0o600)
		require.NoError(t, err)
		require.NoError(t, filelock.TryLock(f))
		held = append(held, f)
	}
	var end sync.Once
	endUpdate := func() {
		end.Do(func() {
			for _, f := range held {
				_ = f.Close()
			}
		})
	}
	t.Cleanup(endUpdate)
	began := time.Now()
	waits := 0
	onUpdateWait = func() {
		waits++
		if time.Since(began) > 3*handoffWait {
			endUpdate() // the update is over, three hand-off timeouts on
		}
	}
	t.Cleanup(func() { onUpdateWait = nil })

	srv, handed, err := Claim(t.Context(), dir, Request{})
	require.NoError(t, err)
	assert.False(t, handed)
	require.NotNil(t, srv, "this window claims the folder once the update is over")
	require.NoError(t, srv.Close())
	assert.Greater(t, time.Since(began), 3*handoffWait)
	assert.Positive(t, waits)
}
