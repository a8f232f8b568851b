package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Live check limits.
const (
	// liveProbeBytes is how much of a file a live check asks for: enough
	// to see the gateway serve it, too little to cost anything.
	liveProbeBytes = 1024
	// liveReadOn is how far past liveProbeBytes a live check reads a
	// gateway's 200 answer that ignored the range and did not say its
	// length, to see that it ends where the file does.
	liveReadOn = 64 << 10
	// LiveCheckTimeout bounds one live check: a gateway that has not
	// answered by then counts as not reachable yet.
	LiveCheckTimeout = 20 * time.Second
	// maxLiveRedirects is how many redirects a live check follows, as
	// many as net/http's own client and browsers do.
	maxLiveRedirects = 10
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
// (one ranged GET, following the gateway's redirects as a browser that
// opens the link does) and returns how long the answer took. A link that
// answers 200 or 206 with those bytes (or an empty file) is live, unless
// the answer says it serves something of another size than the file's
// (a 206's Content-Range total, a 200's Content-Length, or the length of
// a 200 that says none, read up to 64 KiB past the probe): an error or
// portal page answered with 200, or another file. Anything else is a
// *NotLiveError saying why — an error status, another size, no answer
// within LiveCheckTimeout, a connection that fails, a redirect that
// leads nowhere — or the context's
// error when ctx ends first.
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
	resp, err := c.liveClient().Do(req)
	if err != nil {
		return 0, c.notLive(ctx, failedHost(u.Host, err), err)
	}
	defer func() { _ = resp.Body.Close() }()
	host := resp.Request.URL.Host // where the redirects led
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return 0, &NotLiveError{Status: resp.StatusCode, Reason: fmt.Sprintf("the gateway answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	// An error or portal page answered 200, or another file, is no sign
	// that the link serves this one.
	served, known := servedSize(resp)
	if known && served != size {
		return 0, otherThanTheFile(resp.StatusCode, served, size, false)
	}
	if resp.StatusCode == http.StatusOK && !known && resp.Header.Get("Content-Encoding") == "" {
		// The whole thing comes, its length unsaid: read on, as far as
		// the file's size (at most liveReadOn past the probe), and one
		// byte more, to see that it ends where the file does.
		end := min(size, want+liveReadOn)
		n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, end+1))
		switch {
		case err != nil:
			return 0, c.notLive(ctx, host, fmt.Errorf("the answer ended after %d bytes: %w", n, err))
		case n < end || n > size:
			return 0, otherThanTheFile(resp.StatusCode, n, size, n > end)
		}
		return time.Since(start), nil
	}
	n, err := io.Copy(io.Discard, io.LimitReader(resp.Body, want))
	if err != nil || n < want {
		return 0, c.notLive(ctx, host, fmt.Errorf("the answer ended after %d of %d bytes: %w", n, want, err))
	}
	return time.Since(start), nil
}

// liveClient is c's HTTP client for live checks: it follows a gateway's
// redirects (a path gateway sending a link on to its subdomain form, http
// to https, another host), which the API's requests never do; a live
// check sends no secret, only the link a person shares.
func (c *Client) liveClient() *http.Client {
	hc := *c.hc
	hc.CheckRedirect = followGatewayRedirect
	return &hc
}

// followGatewayRedirect lets a live check follow a redirect to a web
// address, at most maxLiveRedirects of them, never from https down to
// plain http; otherwise it stops the check with a *NotLiveError saying why.
func followGatewayRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return &NotLiveError{Reason: "the gateway redirected the link to an address that is not a web link"}
	}
	if req.URL.Scheme == "http" && slices.ContainsFunc(via, func(r *http.Request) bool { return r.URL.Scheme == "https" }) {
		// A gateway's link may carry its access token in the query:
		// never sent on unencrypted once it was asked for over https.
		return &NotLiveError{Reason: "the gateway redirected the link from https to plain http, which would send it unencrypted"}
	}
	if len(via) > maxLiveRedirects {
		return &NotLiveError{Reason: fmt.Sprintf("the gateway redirected the link more than %d times", maxLiveRedirects)}
	}
	return nil
}

// failedHost is the host a live check's request err failed at: the one
// a redirect led to, or host, the link's own.
func failedHost(host string, err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			return u.Host
		}
	}
	return host
}

// otherThanTheFile is the error of a live check whose gateway served n
// bytes (at least n, when more) for a file of size bytes.
func otherThanTheFile(status int, n, size int64, more bool) *NotLiveError {
	if more {
		return &NotLiveError{Status: status, Reason: fmt.Sprintf("the gateway served more than this file's %d bytes", size)}
	}
	return &NotLiveError{Status: status, Reason: fmt.Sprintf("the gateway served %d bytes, not this file's %d", n, size)}
}

// servedSize is the size of what a gateway's answer to a live check says
// it serves: a 206's Content-Range total, or a 200's Content-Length (the
// whole thing, the range ignored); ok is false when it does not say (no
// length, a total of "*", an encoded body whose length is not the file's:
// such a body is not counted either).
func servedSize(resp *http.Response) (int64, bool) {
	if resp.StatusCode == http.StatusPartialContent {
		cr := resp.Header.Get("Content-Range")
		i := strings.LastIndexByte(cr, '/')
		if !strings.HasPrefix(cr, "bytes ") || i < 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(strings.TrimSpace(cr[i+1:]), 10, 64)
		return n, err == nil && n >= 0
	}
	if resp.Header.Get("Content-Encoding") != "" || resp.ContentLength < 0 {
		return 0, false
	}
	return resp.ContentLength, true
}

// notLive is the error of a check that got no usable answer.
func (c *Client) notLive(ctx context.Context, host string, err error) error {
	var nl *NotLiveError
	if errors.As(err, &nl) {
		return nl // a redirect that leads nowhere
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &NotLiveError{Reason: "the gateway did not answer in time"}
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return &NotLiveError{Reason: Human(transportError(ctx, "check the link", host, err))}
}
