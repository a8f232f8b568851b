package api

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckLive(t *testing.T) {
	body := patterned(5000)
	var gotRange string
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/ipfs/ok", func(w http.ResponseWriter, r *http.Request) {
		gotRange = r.Header.Get("Range")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
	mux.HandleFunc("/ipfs/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/ipfs/missing", http.NotFound)
	mux.HandleFunc("/ipfs/stall", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c := newTestClient(t, srv.URL, nil)

	took, err := c.CheckLive(t.Context(), srv.URL+"/ipfs/ok?filename=a.bin", int64(len(body)))
	require.NoError(t, err)
	assert.Positive(t, took)
	assert.Equal(t, "bytes=0-1023", gotRange, "one ranged GET of the first bytes")

	_, err = c.CheckLive(t.Context(), srv.URL+"/ipfs/empty", 0)
	assert.NoError(t, err, "an empty file is served by an empty answer")

	_, err = c.CheckLive(t.Context(), srv.URL+"/ipfs/missing", 10)
	var nl *NotLiveError
	require.ErrorAs(t, err, &nl)
	assert.ErrorIs(t, err, ErrNotLive)
	assert.Equal(t, http.StatusNotFound, nl.Status)
	assert.Equal(t, "not reachable yet: the gateway answered 404 Not Found", err.Error())

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err = c.CheckLive(ctx, srv.URL+"/ipfs/stall", 10)
	require.ErrorAs(t, err, &nl)
	assert.Contains(t, err.Error(), "did not answer in time")

	_, err = c.CheckLive(t.Context(), "ipfs://Qm", 10)
	assert.ErrorIs(t, err, ErrNotLive)

	closed := httptest.NewServer(mux)
	closed.Close()
	_, err = c.CheckLive(t.Context(), closed.URL+"/ipfs/ok", 10)
	require.ErrorAs(t, err, &nl)
	assert.Contains(t, err.Error(), "cannot reach")

	canceled, stop := context.WithCancel(t.Context())
	stop()
	_, err = c.CheckLive(canceled, srv.URL+"/ipfs/ok", 10)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrNotLive)
}
