package thumbnail

import (
	"context"
	"os"
	"runtime/debug"
	"testing"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil/openfiles"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMakeClosesAFileItsOpenGotAfterItsContextEnded: History gives a
// thumbnail up (its time bound, or the window's quit) while the open of
// its picture hangs on a drive that stopped answering, and leaves Make
// behind (ui's offLocal). When the open returns after all, Make itself
// closes the file on its way out (it reads no pixel for a context that
// ended), so no handle is left to stop the person moving or deleting the
// picture (Windows), and nothing waits for the collector: it is held
// here, so a finalizer cannot close the file for Make. Linux:
// /proc/self/fd.
func TestMakeClosesAFileItsOpenGotAfterItsContextEnded(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	src := write(t, "late.png", encoded(t, "png", picture(64, 48)))
	ctx, cancel := context.WithCancel(t.Context())
	opening, answer := make(chan struct{}), make(chan struct{})
	made := make(chan error, 1)
	go func() {
		_, err := Make(ctx, func(path string) (*os.File, error) {
			close(opening)
			<-answer // the drive stopped answering
			return os.Open(path)
		}, src)
		made <- err
	}()
	<-opening
	cancel() // given up: the caller goes on without it
	require.False(t, openfiles.Holds(t, src.Path), "not open while the open hangs")
	close(answer) // the drive answers
	select {
	case err := <-made:
		assert.ErrorIs(t, err, context.Canceled, "no thumbnail for a context that ended")
	case <-time.After(20 * time.Second): // a bound on a hang
		t.Fatal("Make did not return once its open did")
	}
	assert.False(t, openfiles.Holds(t, src.Path), "the file the late open got is closed")
}
