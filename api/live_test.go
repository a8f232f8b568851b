package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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

	took, err := c.CheckLive(t.Context(), srv.URL+"/ipfs/ok?filename=a.bin", LiveWant{Size: int64(len(body))})
	require.NoError(t, err)
	assert.Positive(t, took)
	assert.Equal(t, "bytes=0-1023", gotRange, "one ranged GET of the first bytes")

	_, err = c.CheckLive(t.Context(), srv.URL+"/ipfs/empty", LiveWant{Size: 0})
	assert.NoError(t, err, "an empty file is served by an empty answer")

	_, err = c.CheckLive(t.Context(), srv.URL+"/ipfs/missing", LiveWant{Size: 10})
	var nl *NotLiveError
	require.ErrorAs(t, err, &nl)
	assert.ErrorIs(t, err, ErrNotLive)
	assert.Equal(t, http.StatusNotFound, nl.Status)
	assert.Equal(t, "not reachable yet: the gateway answered 404 Not Found", err.Error())

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	_, err = c.CheckLive(ctx, srv.URL+"/ipfs/stall", LiveWant{Size: 10})
	require.ErrorAs(t, err, &nl)
	assert.Contains(t, err.Error(), "did not answer in time")

	_, err = c.CheckLive(t.Context(), "ipfs://Qm", LiveWant{Size: 10})
	assert.ErrorIs(t, err, ErrNotLive)

	closed := httptest.NewServer(mux)
	closed.Close()
	_, err = c.CheckLive(t.Context(), closed.URL+"/ipfs/ok", LiveWant{Size: 10})
	require.ErrorAs(t, err, &nl)
	assert.Contains(t, err.Error(), "cannot reach")

	canceled, stop := context.WithCancel(t.Context())
	stop()
	_, err = c.CheckLive(canceled, srv.URL+"/ipfs/ok", LiveWant{Size: 10})
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrNotLive)
}

// TestCheckLiveOfAnotherFile: a gateway that answers 200 or 206 with
// something else than the file (an HTML error or portal page, another
// file) does not make the link live: the size it says it serves must be
// the file's, when it says one.
func TestCheckLiveOfAnotherFile(t *testing.T) {
	const size = 5000
	body := patterned(size)
	tests := []struct {
		name    string
		serve   http.HandlerFunc
		size    int64
		live    bool
		wantErr string
	}{
		{name: "the file, ranged", serve: func(w http.ResponseWriter, r *http.Request) {
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
		}, size: size, live: true},
		{name: "the file whole, range ignored", serve: func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(body)
		}, size: size, live: true},
		{name: "the file whole, no length said (chunked)", serve: func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(body[:100])
			http.NewResponseController(w).Flush()
			_, _ = w.Write(body[100:])
		}, size: size, live: true},
		{name: "the file whole, encoded anyway", serve: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w) // counted once decoded
			_, _ = zw.Write(body)
			_ = zw.Close()
		}, size: size, live: true},
		{name: "a longer file, encoded anyway", serve: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			zw := gzip.NewWriter(w)
			_, _ = zw.Write(patterned(size + 1))
			_ = zw.Close()
		}, size: size, wantErr: "the gateway served more than this file's 5000 bytes"},
		{name: "said encoded, not encoded", serve: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(body)
		}, size: size, wantErr: "the gateway's answer said it was gzip-encoded, but was not"},
		{name: "encoded as this check cannot read", serve: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "br")
			_, _ = w.Write(body)
		}, size: size, wantErr: `the gateway encoded its answer as "br", which this check cannot read`},
		{name: "an empty file", serve: func(http.ResponseWriter, *http.Request) {}, size: 0, live: true},
		{name: "an HTML page with 200", serve: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<!doctype html><title>Gateway</title><p>content not found, try later</p>" + strings.Repeat(" ", 2000)))
		}, size: size, wantErr: "the gateway served 2072 bytes, not this file's 5000"},
		{name: "a short HTML page with 200", serve: func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("<p>not found</p>"))
		}, size: size, wantErr: "the gateway served 16 bytes, not this file's 5000"},
		{name: "an HTML page with 200 for an empty file", serve: func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte("<p>not found</p>"))
		}, size: 0, wantErr: "the gateway served 16 bytes, not this file's 0"},
		{name: "a longer file, its length unsaid", serve: func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write(patterned(size + 1))
			http.NewResponseController(w).Flush()
		}, size: size - 4000, wantErr: "the gateway served more than this file's 1000 bytes"},
		{name: "another file, ranged", serve: func(w http.ResponseWriter, r *http.Request) {
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(patterned(9000)))
		}, size: size, wantErr: "the gateway served 9000 bytes, not this file's 5000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.serve)
			t.Cleanup(srv.Close)
			c := newTestClient(t, srv.URL, nil)
			_, err := c.CheckLive(t.Context(), srv.URL+"/ipfs/x", LiveWant{Size: tt.size})
			if tt.live {
				assert.NoError(t, err)
				return
			}
			var nl *NotLiveError
			require.ErrorAs(t, err, &nl)
			assert.Equal(t, http.StatusOK, nl.Status/100*100)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// TestCheckLiveFollowsTheGatewaysRedirects: a link whose gateway redirects
// (a path gateway sending it on to its subdomain form, http to https,
// another host) is live when the address it leads to serves the file, as
// a browser that opens the link follows it; a redirect that leads nowhere
// is "not reachable yet" with a sentence, never net/http's text.
func TestCheckLiveFollowsTheGatewaysRedirects(t *testing.T) {
	const size = 5000
	body := patterned(size)
	var gotRange string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/page" {
			_, _ = w.Write([]byte("<p>sign in to see this file</p>" + strings.Repeat(" ", 2000)))
			return
		}
		gotRange = r.Header.Get("Range")
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}))
	t.Cleanup(other.Close)
	mux := http.NewServeMux()
	mux.HandleFunc("/ipfs/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/ipfs/x?filename=a.bin", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/ipfs/here", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/served", http.StatusFound)
	})
	mux.HandleFunc("/served", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
	mux.HandleFunc("/ipfs/page", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/page", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/ipfs/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ipfs/loop", http.StatusFound)
	})
	mux.HandleFunc("/ipfs/app", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "ipfs://QmZULkCELmmk5XNfCgTnCyFgAVxBRBXyDHGGMVoLFLiXEN")
		w.WriteHeader(http.StatusFound)
	})
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	mux.HandleFunc("/ipfs/gone", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, gone.URL+"/ipfs/x", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c := newTestClient(t, srv.URL, nil)

	for _, path := range []string{"/ipfs/elsewhere", "/ipfs/here"} {
		_, err := c.CheckLive(t.Context(), srv.URL+path, LiveWant{Size: size})
		assert.NoError(t, err, "%s: a redirect to the file is live", path)
	}
	assert.Equal(t, "bytes=0-1023", gotRange, "the range goes on with the redirect")

	tests := []struct{ path, want string }{
		{"/ipfs/page", "not reachable yet: the gateway served 2031 bytes, not this file's 5000"},
		{"/ipfs/loop", "not reachable yet: the gateway redirected the link more than 10 times"},
		{"/ipfs/app", "not reachable yet: the gateway redirected the link to an address that is not a web link"},
		{"/ipfs/gone", "not reachable yet: cannot reach " + strings.TrimPrefix(gone.URL, "http://") + " — check your connection"},
	}
	for _, tt := range tests {
		_, err := c.CheckLive(t.Context(), srv.URL+tt.path, LiveWant{Size: size})
		var nl *NotLiveError
		require.ErrorAs(t, err, &nl, tt.path)
		assert.Equal(t, tt.want, err.Error(), tt.path)
	}
}

// TestCheckLiveNeverFollowsHTTPSDownToHTTP: a gateway's link may carry its
// access token in the query, so a live check asked over https does not
// follow the gateway's redirect to plain http (browsers would), and says
// why; an https link redirected to https on another host is followed.
func TestCheckLiveNeverFollowsHTTPSDownToHTTP(t *testing.T) {
	const size = 5000
	body := patterned(size)
	var plainAsked, secureAsked atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainAsked.Add(1)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}))
	t.Cleanup(plain.Close)
	secure := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureAsked.Add(1)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}))
	t.Cleanup(secure.Close)
	gateway := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		to := secure.URL
		if r.URL.Path == "/ipfs/down" {
			to = plain.URL
		}
		http.Redirect(w, r, to+"/ipfs/x?"+r.URL.RawQuery, http.StatusFound)
	}))
	t.Cleanup(gateway.Close)
	hc := gateway.Client()
	hc.Transport.(*http.Transport).TLSClientConfig.RootCAs.AddCert(secure.Certificate())
	c := newTestClient(t, gateway.URL, hc)

	_, err := c.CheckLive(t.Context(), gateway.URL+"/ipfs/down?token=secret", LiveWant{Size: size})
	var nl *NotLiveError
	require.ErrorAs(t, err, &nl)
	assert.Equal(t, "not reachable yet: the gateway redirected the link from https to plain http, which would send it unencrypted", err.Error())
	assert.Zero(t, plainAsked.Load(), "nothing was asked over plain http")

	_, err = c.CheckLive(t.Context(), gateway.URL+"/ipfs/on?token=secret", LiveWant{Size: size})
	require.NoError(t, err, "https to https elsewhere is followed")
	assert.Equal(t, int32(1), secureAsked.Load())
}
