package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Live check limits.
const (
	// liveProbeBytes is how much of a file a live check asks for: enough
	// to see the gateway serve it, too little to cost anything.
	liveProbeBytes = 1024
	// LiveCheckTimeout bounds one live check: a gateway that has not
	// answered by then counts as not reachable yet.
	LiveCheckTimeout = 20 * time.Second
)

// ErrNotLive reports a link that did not serve its file when checked
// (CheckLive); match it with errors.Is. A later check may succeed: a new
// upload can take minutes to reach a gateway.
var ErrNotLive = errors.New("the link does not serve the file yet")

// NotLiveError says why a link was not reachable when checked.
type NotLiveError struct {
	Status int    // the gateway's HTTP status, 0 when it did not answer
	Reason string // a short sentence: "the gateway answered 404 Not Found"
}

func (e *NotLiveError) Error() string { return "not reachable yet: " + e.Reason }

// Is makes errors.Is(err, ErrNotLive) true.
func (e *NotLiveError) Is(target error) bool { return target == ErrNotLive }

// CheckLive asks link, a gateway URL, for the first bytes of its file
// (one ranged GET) and returns how long the answer took. A link that
// answers 200 or 206 with bytes (or an empty file) is live; anything else
// is a *NotLiveError saying why — an error status, no answer within
// LiveCheckTimeout, a connection that fails — or the context's error when
// ctx ends first.
func (c *Client) CheckLive(ctx context.Context, link string, size int64) (time.Duration, error) {
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return 0, &NotLiveError{Reason: "it is not a web link that can be checked"}
	}
	ctx, cancel := context.WithTimeout(ctx, LiveCheckTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return 0, fmt.Errorf("check %s: %w", u.Host, err)
	}
	want := min(size, liveProbeBytes)
	if want > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=0-%d", want-1))
	}
	req.Header.Set("User-Agent", c.userAgent)
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, c.notLive(ctx, u.Host, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return 0, &NotLiveError{Status: resp.StatusCode, Reason: fmt.Sprintf("the gateway answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, want))
	if err != nil || n < want {
		return 0, c.notLive(ctx, u.Host, fmt.Errorf("the answer ended after %d of %d bytes: %w", n, want, err))
	}
	return time.Since(start), nil
}

// notLive is the error of a check that got no usable answer.
func (c *Client) notLive(ctx context.Context, host string, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &NotLiveError{Reason: "the gateway did not answer in time"}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &NotLiveError{Reason: Human(transportError(ctx, "check the link", host, err))}
}
