package testutil

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

// UploadHold is an http.Handler in front of a sandbox that holds upload
// requests once it is armed (after letting pass of them through): it reads
// a held request's first body byte, closes Started (the client is then
// provably mid-upload: its runtime is up and a request body is on the
// wire) and keeps the request open until Release or until the client goes
// away. Requests before it is armed, and every other path, pass straight
// through.
type UploadHold struct {
	h           http.Handler
	pass        int64
	armed       atomic.Bool
	seen        atomic.Int64
	started     chan struct{}
	release     chan struct{}
	startOnce   sync.Once
	releaseOnce sync.Once
}

// NewUploadHold holds h's uploads after the first pass once armed.
func NewUploadHold(h http.Handler, pass int) *UploadHold {
	return &UploadHold{h: h, pass: int64(pass), started: make(chan struct{}), release: make(chan struct{})}
}

// Arm starts holding; Disarm lets new requests through again.
func (uh *UploadHold) Arm()    { uh.armed.Store(true) }
func (uh *UploadHold) Disarm() { uh.armed.Store(false) }

// Started is closed when the first held request's body has started.
func (uh *UploadHold) Started() <-chan struct{} { return uh.started }

// Release lets every held request go on; it may be called more than once.
func (uh *UploadHold) Release() { uh.releaseOnce.Do(func() { close(uh.release) }) }

func (uh *UploadHold) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/api/v0/add" || !uh.armed.Load() || uh.seen.Add(1) <= uh.pass {
		uh.h.ServeHTTP(w, r)
		return
	}
	first := make([]byte, 1)
	if _, err := io.ReadFull(r.Body, first); err != nil {
		http.Error(w, "no body", http.StatusBadRequest)
		return
	}
	uh.startOnce.Do(func() { close(uh.started) })
	select {
	case <-uh.release:
	case <-r.Context().Done():
		return
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(first), r.Body), r.Body}
	uh.h.ServeHTTP(w, r)
}
