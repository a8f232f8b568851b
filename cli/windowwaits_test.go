package cli

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

// TestWindowOpensWhileACommandUpdatesTheHistory: a window launched while a
// command updates (migrates) the history of an older version waited for
// that update, up to 5 minutes, before any window showed: a person who
// double-clicked saw nothing and double-clicked again. The window now opens
// at once, while the update is under way, with Options.Claimed, which
// gives it the data folder once the update is over; a person who quits
// meanwhile (its ctx ends) leaves the folder unclaimed.
func TestWindowOpensWhileACommandUpdatesTheHistory(t *testing.T) {
	for _, quit := range []bool{false, true} {
		name := map[bool]string{false: "the update ends", true: "the person quits"}[quit]
		t.Run(name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv(storage.HomeEnv, home)
			end := testutil.HoldAsUpdating(t, home)
			var endedByBound atomic.Bool
			bound := time.AfterFunc(20*time.Second, func() { // a bound on the wait, not a wait for an event
				endedByBound.Store(true)
				end()
			})
			t.Cleanup(func() { bound.Stop() })

			opened := false
			openWindow = func(opts ui.Options) error {
				opened = true
				assert.False(t, endedByBound.Load(), "the window opened only once the update was over")
				require.NotNil(t, opts.Claimed, "the window is told that its claim waits")
				assert.Nil(t, opts.Handoffs)
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				if quit {
					cancel()
				} else {
					end()
				}
				handoffs, open, err := opts.Claimed(ctx)
				require.NoError(t, err)
				assert.Equal(t, !quit, open)
				assert.Equal(t, !quit, handoffs != nil, "the later launches' files come to this window")
				return nil
			}
			windowFaked(t)
			code, out, errOut := runCLI(t, "")
			assert.True(t, opened)
			assert.Equal(t, 0, code, errOut)
			assert.Empty(t, out)
			assert.Empty(t, errOut)

			end()
			srv, handed, err := instance.Claim(t.Context(), home, instance.Request{})
			require.NoError(t, err)
			assert.False(t, handed, "the window let its data folder go as it closed")
			require.NoError(t, srv.Close())
		})
	}
}
