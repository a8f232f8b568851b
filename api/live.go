package api

import (
	"bytes"
	"compress/gzip"
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

// LiveWant is what a live check knows of the file its link should serve,
// so that a gateway serving as many other bytes (zeros, another file of
// the same size, a page padded to it) is not taken for one serving it.
type LiveWant struct {
	// Size is the file's size in bytes.
	Size int64
	// Hash is the link's CID, as the history recorded it. A file of at
	// most liveProbeBytes comes whole in the answer, whose own CID must
	// name the same content: a full check at no extra cost. Empty: not
	// compared.
	Hash string
	// Head is the file's first bytes, as far as the caller knows them
	// (UploadResult.Head; at most liveProbeBytes are compared): the
	// answer's first bytes must be these. Empty: a file larger than the
	// probe is checked by its size alone.
	Head []byte
}

// CheckLive asks link, a gateway URL, for the first bytes of the file of
// want (one ranged GET, following the gateway's redirects as a browser
// that opens the link does) and returns how long the answer took. A link
// that answers 200 or 206 with the file's bytes is live: the answer must
// say it serves something of the file's size (a 206's Content-Range
// total, a 200's Content-Length, or the length of a 200 that says none,
// read up to 64 KiB past the probe), and its first bytes must be the
// file's (want.Hash for a file the probe holds whole, want.Head for a
// larger one, when known; a gzip-encoded answer is decoded first). An
// error or portal page answered with 200, another file, or other bytes of
// the same size are not. Anything else is a *NotLiveError saying why — an
// error status, another size, other bytes, no answer within
// LiveCheckTimeout, a connection that fails, a gzip-encoded answer that
// cannot be decoded, a redirect that leads nowhere — or the context's error when ctx ends first.
func (c *Client) CheckLive(ctx context.Context, link string, want LiveWant) (time.Duration, error) {
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
	size := want.Size
	probe := min(size, liveProbeBytes)
	if probe > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=0-%d", probe-1))
	}
	// The bytes themselves are compared: asked for as they are, so a
	// gateway has no encoding to choose that this check cannot read.
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", c.userAgent)
	start := time.Now()
	resp, err := c.liveClient().Do(req)
	if err != nil {
		return 0, c.notLive(ctx, failedHost(u.Host, err), err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		return 0, &NotLiveError{Status: resp.StatusCode, Reason: fmt.Sprintf("the gateway answered %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	// An error or portal page answered 200, or another file, is no sign
	// that the link serves this one.
	served, known := servedSize(resp)
	if known && served != size {
		return 0, otherThanTheFile(resp.StatusCode, served, size, false)
	}
	head, err := c.servedHead(ctx, resp, probe, size, !known)
	if err != nil {
		return 0, err
	}
	took := time.Since(start)
	if want.otherThan(head) {
		return 0, &NotLiveError{Status: resp.StatusCode, Reason: "the gateway served other bytes than this file's"}
	}
	return took, nil
}

// servedHead reads the first probe bytes of the file of size bytes from
// resp, the answer to a live check, decoded when gzip-encoded. A 200 that
// did not say its length (readOn) is read on, as far as the file's size
// (at most liveReadOn past the probe), and one byte more, to see that it
// ends where the file does.
func (c *Client) servedHead(ctx context.Context, resp *http.Response, probe, size int64, readOn bool) ([]byte, error) {
	host := resp.Request.URL.Host // where the redirects led
	body, err := decodedBody(resp)
	if err != nil {
		return nil, c.notLive(ctx, host, err)
	}
	head := &firstBytes{b: make([]byte, 0, probe)}
	if resp.StatusCode == http.StatusOK && readOn {
		end := min(size, probe+liveReadOn)
		n, err := io.Copy(io.Discard, io.TeeReader(io.LimitReader(body, end+1), head))
		switch {
		case err != nil:
			return nil, c.notLive(ctx, host, fmt.Errorf("the answer ended after %d bytes: %w", n, err))
		case n < end || n > size:
			return nil, otherThanTheFile(resp.StatusCode, n, size, n > end)
		}
		return head.b, nil
	}
	n, err := io.Copy(head, io.LimitReader(body, probe))
	if err != nil || n < probe {
		return nil, c.notLive(ctx, host, fmt.Errorf("the answer ended after %d of %d bytes: %w", n, probe, err))
	}
	return head.b, nil
}

// decodedBody is the body of resp, a live check's answer, as the file's
// bytes: decoded when the gateway gzip-encoded it although the check asked
// for none (gzipAnswer), or a *NotLiveError when it used an encoding that
// cannot be read here; the body's own error when the connection broke
// before the gzip header was read.
func decodedBody(resp *http.Response) (io.Reader, error) {
	switch enc := contentCoding(resp); enc {
	case "":
		return resp.Body, nil
	case "gzip", "x-gzip":
		body := &bodyRead{r: resp.Body}
		zr, err := gzip.NewReader(body)
		if err != nil && body.err != nil {
			return nil, fmt.Errorf("the answer broke in its gzip header: %w", body.err)
		}
		if err != nil {
			return nil, &NotLiveError{Status: resp.StatusCode, Reason: "the gateway's answer said it was gzip-encoded, but was not"}
		}
		return &gzipAnswer{zr: zr, body: body, status: resp.StatusCode}, nil
	default:
		return nil, &NotLiveError{Status: resp.StatusCode,
			Reason: "the gateway encoded its answer as " + inertQuote(enc, maxAnsweredLen) + ", which this check cannot read"}
	}
}

// gzipAnswer is a live check's gzip-encoded answer, decoded. An error of
// the decoding while the answer itself was read without one (garbage
// after it, its trailer missing, a wrong checksum) is the gateway's
// encoding, a *NotLiveError that says so, not a connection that broke.
type gzipAnswer struct {
	zr     *gzip.Reader
	body   *bodyRead
	status int
}

func (g *gzipAnswer) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != nil && err != io.EOF && g.body.err == nil {
		return n, &NotLiveError{Status: g.status, Reason: "the gateway's gzip-encoded answer was corrupt, so it could not be decoded"}
	}
	return n, err
}

// bodyRead reads r, keeping its error other than io.EOF: whether the
// connection, not the encoding, failed.
type bodyRead struct {
	r   io.Reader
	err error
}

func (b *bodyRead) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// contentCoding is the encoding resp's body says it was given, lower case,
// its Content-Encoding lines read as the one list they are: "" when none
// or "identity" (which is no encoding), "gzip, identity" for "gzip" on
// one line and "identity" on the next.
func contentCoding(resp *http.Response) string {
	enc := strings.ToLower(strings.TrimSpace(strings.Join(resp.Header.Values("Content-Encoding"), ", ")))
	if enc == "identity" {
		return ""
	}
	return enc
}

// firstBytes keeps the first cap(b) bytes written to it and drops the rest.
type firstBytes struct{ b []byte }

func (f *firstBytes) Write(p []byte) (int, error) {
	f.b = append(f.b, p[:min(len(p), cap(f.b)-len(f.b))]...)
	return len(p), nil
}

// otherThan reports whether head, the first bytes a gateway served (the
// whole file when it is at most liveProbeBytes), are not the file's: the
// CID of a whole file is not one of the same content as w.Hash, or
// head does not begin as w.Head does. What cannot be compared (no Hash
// nor Head, a Hash that is no comparable CID) is not held against it.
func (w LiveWant) otherThan(head []byte) bool {
	if w.Size <= liveProbeBytes && w.Hash != "" {
		if cid, err := ComputeCID(bytes.NewReader(head)); err == nil {
			_, err := checkAnswer(w.Hash, cid)
			var mismatch *HashMismatchError
			if err == nil || errors.As(err, &mismatch) {
				return err != nil
			}
		}
	}
	n := min(len(w.Head), len(head))
	return n > 0 && !bytes.Equal(head[:n], w.Head[:n])
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
// length, a total of "*", an encoded body whose length is not the file's,
// which servedHead counts once decoded).
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
	if contentCoding(resp) != "" || resp.ContentLength < 0 {
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

// FileHead reads the first bytes of the regular file at path that a live
// check compares (LiveWant.Head), opened as `verify` opens it (below
// beneath without following a symbolic link, when beneath is set), and
// returns them with the file's identity as it was once they were read:
// a write before or during the read shows in it, so a caller that finds
// it is the version an upload recorded knows the bytes are that upload's.
func FileHead(path, beneath string) ([]byte, FileIdentity, error) {
	f, _, _, err := openToHash(UploadRequest{Path: path, Beneath: beneath})
	if err != nil {
		return nil, FileIdentity{}, err
	}
	defer func() { _ = f.Close() }() // read-only
	head := make([]byte, liveProbeBytes)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, FileIdentity{}, fileAccessError(quotePath(path), err)
	}
	_, id, err := statOpen(f)
	if err != nil {
		return nil, FileIdentity{}, fileAccessError(quotePath(path), err)
	}
	return head[:n], id, nil
}
