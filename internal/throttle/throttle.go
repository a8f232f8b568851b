// Package throttle slows the uploads an http.Client sends down to a given
// rate, so that a busy queue shows real progress, speeds and times left:
// for screenshots (built with -tags screenshots) and tests. The shipped
// binary does not contain it.
package throttle

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"
)

// Transport sends the body of every POST to an …/add URL (an upload) at
// BytesPerSecond through Base; other requests go through unchanged.
type Transport struct {
	Base           http.RoundTripper
	BytesPerSecond int64
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.Body != nil && strings.HasSuffix(r.URL.Path, "/add") {
		r2 := r.Clone(r.Context())
		r2.Body = &slowBody{ctx: r.Context(), rc: r.Body, bps: t.BytesPerSecond}
		return t.Base.RoundTrip(r2)
	}
	return t.Base.RoundTrip(r)
}

// slowBody reads at most 16 KiB at a time and waits after each read for as
// long as the bytes take at bps, until the request's context ends.
type slowBody struct {
	ctx context.Context
	rc  io.ReadCloser
	bps int64
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(p) > 16<<10 {
		p = p[:16<<10]
	}
	n, err := b.rc.Read(p)
	d := time.Duration(int64(n) * int64(time.Second) / b.bps)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-b.ctx.Done():
		return n, b.ctx.Err()
	}
	return n, err
}

func (b *slowBody) Close() error { return b.rc.Close() }
