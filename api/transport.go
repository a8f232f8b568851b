package api

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// writeIdleTimeout is the longest a request body may make no progress: if
// the connection accepts no byte for this long (a server that stopped
// reading, a dead link), the upload fails with a timeout and is retried.
// net/http has no such bound: ResponseHeaderTimeout only starts once the
// whole body is written, so without it an upload to a stalled server
// blocks for as long as the server stalls.
const writeIdleTimeout = time.Minute

// writeSlice is the most handed to one Write call under one deadline, so a
// large write on a slow but moving link is never cut by the idle timeout.
const writeSlice = 64 << 10

// Timeouts overrides the network timeouts of NewTransport; a zero field
// keeps the default described at NewClient.
type Timeouts struct {
	// ResponseHeader is the wait for an answer's headers once the request
	// is sent (default 2 min).
	ResponseHeader time.Duration
	// WriteIdle is the longest a request may send no byte (default 1 min).
	WriteIdle time.Duration
	// Dial bounds connecting, and TLSHandshake the handshake (default 15 s
	// each).
	Dial, TLSHandshake time.Duration
}

// NewTransport returns the transport NewClient uses by default, with some
// timeouts changed: for tests (a stalled server noticed in a second) and for
// settings. Pass it to NewClient in an http.Client.
func NewTransport(t Timeouts) *http.Transport {
	tr := newTransport()
	if t.ResponseHeader > 0 {
		tr.ResponseHeaderTimeout = t.ResponseHeader
	}
	if t.TLSHandshake > 0 {
		tr.TLSHandshakeTimeout = t.TLSHandshake
	}
	dial := dialTimeout
	if t.Dial > 0 {
		dial = t.Dial
	}
	idle := writeIdleTimeout
	if t.WriteIdle > 0 {
		idle = t.WriteIdle
	}
	dialer := &net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}
	tr.DialContext = withWriteIdleTimeout(dialer.DialContext, idle)
	return tr
}

// withWriteIdleTimeout wraps a dial function so every connection it makes
// fails a write that makes no progress for idle (see writeIdleTimeout).
func withWriteIdleTimeout(dial func(ctx context.Context, network, addr string) (net.Conn, error), idle time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil || idle <= 0 {
			return c, err
		}
		return &writeIdleConn{Conn: c, idle: idle}, nil
	}
}

// writeIdleConn sets a fresh write deadline before each slice of a write,
// so only a write that stops making progress times out. Reads are not
// touched: the transport's own timeouts and the answer's (answerIdleTimeout,
// AnswerTotalTimeout) bound them. It also tells the upload being sent on
// it when it is closed (whenClosed).
type writeIdleConn struct {
	net.Conn
	idle time.Duration

	mu      sync.Mutex
	closed  bool
	closing func() // whenClosed's; nil once called or forgotten
	watches int    // whenClosed calls so far: which one closing is
}

// whenClosed has closing called once the connection is closed, at once
// when it is already. When dStor drops the connection mid-upload,
// net/http closes it, then waits for the body's Read in progress before
// Do returns: an upload body whose file read does not return is told to
// give that read up here (uploadBody.halt). A request sent later on the
// same connection replaces closing; forget drops it (not a later one),
// so a connection kept for reuse does not hold a finished upload.
func (c *writeIdleConn) whenClosed(closing func()) (forget func()) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		closing()
		return func() {}
	}
	c.watches++
	c.closing = closing
	watch := c.watches
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		if c.watches == watch {
			c.closing = nil
		}
		c.mu.Unlock()
	}
}

// Close closes the connection, after telling whenClosed's function.
func (c *writeIdleConn) Close() error {
	c.mu.Lock()
	c.closed = true
	closing := c.closing
	c.closing = nil
	c.mu.Unlock()
	if closing != nil {
		closing()
	}
	return c.Conn.Close()
}

// dialedConn is the writeIdleConn under conn, a connection net/http got
// for a request (itself, or under its TLS layer); nil when it is not one
// of ours (a caller's transport).
func dialedConn(conn net.Conn) *writeIdleConn {
	for conn != nil {
		switch c := conn.(type) {
		case *writeIdleConn:
			return c
		case interface{ NetConn() net.Conn }:
			conn = c.NetConn()
		default:
			return nil
		}
	}
	return nil
}

// ReadFrom is how net/http sends a request body on a plain connection
// (io.Copy prefers it). Without it the body went through io.Copy's own
// 32 KiB buffer, so an upload took twice the write calls (and deadline
// updates) of writeSlice-sized writes; the buffer is pooled, not allocated
// per request.
func (c *writeIdleConn) ReadFrom(r io.Reader) (int64, error) {
	bp := copyBufPool.Get().(*[writeSlice]byte)
	defer copyBufPool.Put(bp)
	return io.CopyBuffer(writeOnly{c}, r, bp[:])
}

// copyBufPool holds the buffers of writeIdleConn.ReadFrom.
var copyBufPool = sync.Pool{New: func() any { return new([writeSlice]byte) }}

// writeOnly hides ReadFrom from io.CopyBuffer, which would call it again.
type writeOnly struct{ w io.Writer }

func (w writeOnly) Write(p []byte) (int, error) { return w.w.Write(p) }

func (c *writeIdleConn) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		part := p[:min(len(p), writeSlice)]
		if err := c.Conn.SetWriteDeadline(time.Now().Add(c.idle)); err != nil {
			return n, err
		}
		m, err := c.Conn.Write(part)
		n += m
		p = p[m:]
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
