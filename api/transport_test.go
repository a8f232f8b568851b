package api

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// stallingServer accepts connections on loopback, reads the request headers
// and then never reads again nor answers, like a hung server. Close ends it.
type stallingServer struct {
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	conn []net.Conn
}

func newStallingServer(t *testing.T) *stallingServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &stallingServer{ln: ln}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conn = append(s.conn, c)
			s.mu.Unlock()
			// Read a little (the headers), then stop reading.
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
		}
	}()
	t.Cleanup(s.Close)
	return s
}

func (s *stallingServer) URL() string { return "http://" + s.ln.Addr().String() }

func (s *stallingServer) Close() {
	_ = s.ln.Close()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conn {
		_ = c.Close()
	}
	s.conn = nil
}

// TestUploadToStalledServerTimesOut: a server that stops reading in the
// middle of the body must not hang the upload: net/http's
// ResponseHeaderTimeout only starts after the whole body is written, so the
// write idle timeout is what ends it — with a retryable timeout error.
func TestUploadToStalledServerTimesOut(t *testing.T) {
	srv := newStallingServer(t)
	hc := &http.Client{Transport: NewTransport(Timeouts{WriteIdle: 300 * time.Millisecond, ResponseHeader: time.Minute})}
	c := newTestClient(t, srv.URL(), hc)
	path := testfs.WriteTemp(t, "big.bin", patterned(48<<20)) // more than loopback socket buffers hold

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // only a safety net
	defer cancel()
	_, err := c.Upload(ctx, validToken(t), UploadRequest{Path: path})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrTimeout), "a write that makes no progress is a timeout: %v", err)
	assert.True(t, Retryable(err))
	assert.ErrorIs(t, err, ErrSendStalled, "what the window and the worker branch on")
	assert.Equal(t, "dStor stopped taking the file partway and took no more of it in time — check your connection; retrying may work", Human(err))
	assert.NoError(t, ctx.Err(), "the idle timeout ended the upload, not the test's safety net")
}

// TestStalledAnswerTimesOut: a small file fits in the socket buffers, so
// the stall is noticed by the (configurable) wait for the answer's headers.
func TestStalledAnswerTimesOut(t *testing.T) {
	srv := newStallingServer(t)
	hc := &http.Client{Transport: NewTransport(Timeouts{ResponseHeader: 300 * time.Millisecond})}
	c := newTestClient(t, srv.URL(), hc)
	path := testfs.WriteTemp(t, "small.txt", []byte("hello world\n"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := c.Upload(ctx, validToken(t), UploadRequest{Path: path})
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrTimeout), "%v", err)
	assert.NoError(t, ctx.Err())
	assert.ErrorIs(t, err, ErrSentNoAnswer, "what the window and the worker branch on")
	assert.Equal(t, "the whole file was sent, but dStor did not answer in time, so the upload is not counted as done — check your connection; retrying may work", Human(err))
}

// TestWriteIdleConnWritesEverything: the wrapper hands every byte on, in
// slices, whatever the size of one Write.
func TestWriteIdleConnWritesEverything(t *testing.T) {
	data := patterned(3*writeSlice + 17)
	w, got := pipedWriteIdleConn(t, len(data))
	n, err := w.Write(data)
	require.NoError(t, err)
	assert.Equal(t, len(data), n)
	assert.Equal(t, data, <-got)
}

// pipedWriteIdleConn is a writeIdleConn on one end of a pipe, and the first
// n bytes read from the other end, once they are read.
func pipedWriteIdleConn(t *testing.T, n int) (*writeIdleConn, <-chan []byte) {
	a, b := net.Pipe()
	t.Cleanup(func() {
		_ = a.Close()
		_ = b.Close()
	})
	got := make(chan []byte, 1)
	go func() {
		buf, _ := io.ReadAll(io.LimitReader(b, int64(n)))
		got <- buf
	}()
	return &writeIdleConn{Conn: a, idle: time.Minute}, got
}

func TestNewTransportKeepsDefaults(t *testing.T) {
	def := newTransport()
	tr := NewTransport(Timeouts{})
	assert.Equal(t, def.ResponseHeaderTimeout, tr.ResponseHeaderTimeout)
	assert.Equal(t, def.TLSHandshakeTimeout, tr.TLSHandshakeTimeout)
	assert.Equal(t, def.DisableCompression, tr.DisableCompression)
	assert.NotNil(t, tr.DialContext)
	tr = NewTransport(Timeouts{ResponseHeader: time.Second, TLSHandshake: 2 * time.Second})
	assert.Equal(t, time.Second, tr.ResponseHeaderTimeout)
	assert.Equal(t, 2*time.Second, tr.TLSHandshakeTimeout)
}
