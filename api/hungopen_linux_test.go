package api

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil/openfiles"
)

// TestAnOpenGivenUpOnClosesItsFileWhenItReturns: an upload that ended
// (Close, Cancel, Ctrl+C) while the open of its file hung, as on a share
// that stopped answering, returns at once (canceled, not a file error);
// when the share answers and the open left behind gets the file after
// all, the file is closed, not leaked (a handle left open for the life of
// the process keeps a Windows user from deleting or moving the file).
// Linux: the process's open files are in /proc/self/fd. The collector is
// held meanwhile: an *os.File dropped unclosed is closed by its finalizer
// at some later collection, which would hide the leak.
func TestAnOpenGivenUpOnClosesItsFileWhenItReturns(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	stacks := make([]byte, 1<<20)
	for _, folder := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "late.bin")
		require.NoError(t, os.WriteFile(path, []byte("late"), 0o600))
		req := UploadRequest{Path: path}
		if folder {
			req.Beneath = dir
		}
		hung, released := make(chan struct{}, 1), make(chan struct{})
		var once sync.Once
		release := func() { once.Do(func() { close(released) }) }
		restore := readhook.SetOpen(func(p string) {
			if p == path {
				hung <- struct{}{}
				<-released
			}
		})
		ctx, cancel := context.WithCancel(t.Context())
		go func() { <-hung; cancel() }()
		f, _, err := openForUploadUntil(ctx, req)
		assert.Nil(t, f)
		assert.ErrorIs(t, err, ErrCanceled, "the upload's end, not the file's fault")
		assert.NotErrorIs(t, err, ErrFileChanged)

		release()
		// Until the open left behind returned, the file is not open yet;
		// from then until it is closed, it is.
		assert.Eventually(t, func() bool { return !running(stacks, "api.openForUploadUntil.func") && !openfiles.Holds(t, path) },
			20*time.Second, 5*time.Millisecond, "the file opened after the upload ended is closed (folder's file: %v)", folder)
		restore()
	}
}

// running reports whether a goroutine runs a function whose name holds
// fn, with buf to hold the stacks.
func running(buf []byte, fn string) bool {
	return bytes.Contains(buf[:runtime.Stack(buf, true)], []byte(fn))
}
