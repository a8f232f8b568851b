package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
)

// hungRead makes the upload's read of the file named name stop answering
// once at least from bytes of it were read, as a network share or a USB
// disk that stopped answering mid-read does. started is closed when a
// read hangs; release lets it go on (the test's cleanup releases it too).
func hungRead(t *testing.T, name string, from int64) (started <-chan struct{}, release func()) {
	t.Helper()
	begun := make(chan struct{})
	released := make(chan struct{})
	var once, hung sync.Once
	release = func() { once.Do(func() { close(released) }) }
	restore := readhook.Set(func(path string, read int64) {
		if filepath.Base(path) == name && read >= from {
			hung.Do(func() { close(begun) })
			<-released
		}
	})
	t.Cleanup(func() { release(); restore() })
	return begun, release
}

// TestUploadEndsWhenDStorEndsTheRequestWhileTheFileDoesNotAnswer: dStor
// ends an upload early (a 408, or a connection it drops) while the read
// of the file's second block does not return (a drive that stopped
// answering), and nothing cancels the upload: the upload returned only
// once the drive answered, holding its queue slot (and the CLI) with it.
func TestUploadEndsWhenDStorEndsTheRequestWhileTheFileDoesNotAnswer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		end   func(w http.ResponseWriter)
		kind  Kind
		human string
	}{
		{"408 before the whole file", func(w http.ResponseWriter) {
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusRequestTimeout)
		}, KindTimeout, "dStor did not answer in time"},
		{"connection dropped", func(w http.ResponseWriter) {
			if conn, _ := hijack(t, w); conn != nil {
				_ = conn.Close()
			}
		}, KindUnreachable, "broke — check your connection; retrying may work"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "nas.bin")
			require.NoError(t, os.WriteFile(path, patterned(3*ChunkSize), 0o600))
			started, release := hungRead(t, "nas.bin", 2*ChunkSize)
			closes := closesOf(t, "nas.bin")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.ReadFull(r.Body, make([]byte, 64<<10))
				select { // the read of the second block hangs first
				case <-started:
				case <-r.Context().Done():
					return
				}
				tc.end(w)
			}))
			t.Cleanup(srv.Close)
			c := newTestClient(t, srv.URL, nil)

			done := make(chan error, 1)
			go func() {
				_, err := c.Upload(context.Background(), validToken(t), UploadRequest{Path: path})
				done <- err
			}()
			<-started
			err := returned(t, done, release, "the upload waited for a read of its file after dStor ended the request")
			var e *Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.kind, e.Kind, "%v", err)
			assert.True(t, Retryable(err), "worth another attempt: %v", err)
			assert.Contains(t, Human(err), tc.human)
			leftToTheRead(t, closes, release)
		})
	}
}

// closesOf reports each close of the file named name by an upload.
func closesOf(t *testing.T, name string) <-chan struct{} {
	t.Helper()
	closes := make(chan struct{}, 8)
	t.Cleanup(readhook.SetClosed(func(path string) {
		if filepath.Base(path) == name {
			closes <- struct{}{}
		}
	}))
	return closes
}

// TestUploadLeavesItsFileToAReadThatDoesNotAnswer: Cancel (the upload's
// ctx ended) while the read of its file does not return. The upload gave
// up on the read, then closed the file under it; on Windows that close
// waits for the read in progress (internal/poll.FD.Close), so Cancel, the
// queue's Close and the window's quit hung there all the same. Now the
// upload returns with the file still open, and the read left behind
// closes it once it returns. An upload that left nothing behind closes
// its file before it returns.
func TestUploadLeavesItsFileToAReadThatDoesNotAnswer(t *testing.T) {
	f := newFakeDStor(t)
	c := f.client(nil)
	dir := t.TempDir()
	local := filepath.Join(dir, "local.bin")
	require.NoError(t, os.WriteFile(local, patterned(3*ChunkSize), 0o600))
	nas := filepath.Join(dir, "nas.bin")
	require.NoError(t, os.WriteFile(nas, patterned(3*ChunkSize), 0o600))

	localCloses := closesOf(t, "local.bin")
	_, err := c.Upload(context.Background(), validToken(t), UploadRequest{Path: local})
	require.NoError(t, err)
	select {
	case <-localCloses:
	default:
		t.Fatal("an upload that left no read behind returned with its file still open")
	}

	started, release := hungRead(t, "nas.bin", ChunkSize)
	closes := closesOf(t, "nas.bin")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Upload(ctx, validToken(t), UploadRequest{Path: nas})
		done <- err
	}()
	<-started
	cancel()
	err = returned(t, done, release, "Cancel waited for a read of a file on a drive that stopped answering")
	assert.ErrorIs(t, err, context.Canceled)
	leftToTheRead(t, closes, release)
}

// returned is what an upload sent on done returned while its read hangs;
// when it has not within 20 s (a bound on a hang, not a wait for an
// event), the test fails with hung, once the read is let go.
func returned(t *testing.T, done <-chan error, release func(), hung string) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		release()
		<-done
		t.Fatal(hung)
		return nil
	}
}

// leftToTheRead checks that an upload that returned while its read hangs
// did not close the file under that read, then lets the read go and
// waits for it to close the file.
func leftToTheRead(t *testing.T, closes <-chan struct{}, release func()) {
	t.Helper()
	select {
	case <-closes:
		t.Fatal("the upload closed its file while a read of it was still in progress: on Windows that close waits for the read")
	default:
	}
	release()
	select {
	case <-closes:
	case <-time.After(20 * time.Second):
		t.Fatal("the read left behind returned, but nothing closed the file")
	}
}
