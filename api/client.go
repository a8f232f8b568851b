package api

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dstor-uploader/dstor-uploader/internal/numtext"
)

// Client talks to one dStor environment. It exists so the window, the
// command line and the worker share one implementation of tokens, uploads
// and error handling. A Client is safe for concurrent use; it keeps no
// per-request state.
type Client struct {
	env       Environment
	hc        *http.Client
	userAgent string
	now       func() time.Time // the clock, replaceable in tests
	limit     *rateLimit       // what all uploads may send per second (SetUploadRate)

	tokenTimeout  time.Duration // tokenRequestTimeout, shorter in tests
	answerIdle    time.Duration // answerIdleTimeout, shorter in tests
	answerTotal   time.Duration // AnswerTotalTimeout, shorter in tests
	errorBodyWait time.Duration // maxErrorBodyWait, shorter in tests

	offset atomic.Int64 // ServerOffset, in nanoseconds

	secretsMu sync.Mutex
	secrets   []string // the API key and password this client sent, redacted from every message
}

// Network tuning of the default transport (see NewClient).
const (
	dialTimeout         = 15 * time.Second
	tlsHandshakeTimeout = 15 * time.Second
	// responseHeaderTimeout runs from the end of the request body to the
	// answer's headers: long enough for dStor to finish adding a large file,
	// short enough to notice a hung server.
	responseHeaderTimeout = 2 * time.Minute
	// expectContinueTimeout is how long an upload waits for "100 Continue"
	// before sending the body anyway (see expectContinueMin).
	expectContinueTimeout = time.Second
	maxIdleConnsPerHost   = 16
	writeBufferSize       = 64 << 10
	// tokenRequestTimeout bounds a whole temp-token exchange (a few hundred
	// bytes each way), whatever http.Client the caller passed.
	tokenRequestTimeout = time.Minute
	// answerIdleTimeout bounds the wait for more of an upload's answer
	// once its headers arrived, so a server that stops mid-answer cannot
	// hang a job; an answer whose bytes keep coming, however slowly, is
	// read on.
	answerIdleTimeout = time.Minute
)

// AnswerTotalTimeout bounds reading an upload's answer as a whole, so a
// server that trickles one without end cannot hold an upload slot for
// ever. An add's answer is a few hundred bytes: at one byte a second, a
// slower trickle than any proxy gives, it arrives in a few minutes, far
// within this. It is exported so the window can say how long an answer
// cut by it ran (ErrAnswerTooLong).
const AnswerTotalTimeout = 30 * time.Minute

// Bounds on how much of an answer is read.
const (
	maxTokenAnswer = 64 << 10 // {"access_token": "<JWT>"}
	maxErrorBody   = 64 << 10 // enough to find a message in an error page
	// maxErrorBodyWait bounds reading an error answer's body (at most
	// maxErrorBody): the status says what happened, so a server that
	// trickles its error page cannot hold an upload slot for long.
	maxErrorBodyWait = 5 * time.Second
	maxAddAnswer     = 4 << 20 // NDJSON of one file is tiny; be generous
)

// tempTokenPath is where both token forms live, under APIBase.
const tempTokenPath = "/v1/dev/temp-token"

// NewClient returns a client for env, which must pass Validate.
//
// A nil httpClient gets a transport tuned for large uploads: keep-alive
// with up to 16 idle connections per host, no compression (files are sent
// as they are), no overall timeout (an upload may take hours) but a 15 s
// dial and TLS handshake timeout and a 2 min wait for the answer's headers,
// the environment's proxy settings, and HTTP/1.1 (one upload per
// connection, no HTTP/2 flow-control window throttling a single stream).
//
// Redirects are never followed — not even with a caller's httpClient (its
// CheckRedirect is replaced in a copy) — so an API key or token cannot be
// forwarded to another host or downgraded to http.
func NewClient(env Environment, httpClient *http.Client) (*Client, error) {
	if err := env.Validate(); err != nil {
		return nil, fmt.Errorf("dStor environment %s: %w", quoteShort(env.Name), err)
	}
	var hc http.Client
	if httpClient == nil {
		hc.Transport = newTransport()
	} else {
		hc = *httpClient
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{
		env:           env,
		hc:            &hc,
		userAgent:     defaultUserAgent(),
		now:           time.Now,
		limit:         newRateLimit(),
		tokenTimeout:  tokenRequestTimeout,
		answerIdle:    answerIdleTimeout,
		answerTotal:   AnswerTotalTimeout,
		errorBodyWait: maxErrorBodyWait,
	}, nil
}

// newTransport is the default transport described at NewClient.
func newTransport() *http.Transport {
	dialer := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           withWriteIdleTimeout(dialer.DialContext, writeIdleTimeout),
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: expectContinueTimeout,
		MaxIdleConns:          4 * maxIdleConnsPerHost,
		MaxIdleConnsPerHost:   maxIdleConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		DisableCompression:    true,
		WriteBufferSize:       writeBufferSize,
	}
}

// defaultUserAgent names the app and its version, so dStor's logs can tell
// this client apart.
func defaultUserAgent() string {
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "dstor-uploader/" + v + " (" + runtime.GOOS + "; " + runtime.GOARCH + ")"
}

// Environment is the environment the client was made for.
func (c *Client) Environment() Environment { return c.env }

// CloseIdleConnections closes the kept-alive connections, for a clean
// shutdown or before switching environments.
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// TokenFromAPIKey exchanges an API key for a temporary access token
// (GET <APIBase>/v1/dev/temp-token with header api-key). A non-zero
// expiresAt asks for that expiry (header x-expiration, unix seconds);
// zero leaves dStor's default (one year).
func (c *Client) TokenFromAPIKey(ctx context.Context, apiKey string, expiresAt time.Time) (Token, error) {
	if err := ValidateAPIKey(apiKey); err != nil {
		return Token{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.tokenTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.env.APIBase+tempTokenPath, nil)
	if err != nil {
		return Token{}, fmt.Errorf("%s: build request: %w", OpAPIKey, err)
	}
	req.Header.Set("api-key", apiKey)
	c.remember(apiKey)
	if !expiresAt.IsZero() {
		req.Header.Set("x-expiration", strconv.FormatInt(expiresAt.Unix(), 10))
	}
	return c.getToken(ctx, OpAPIKey, req, apiKey)
}

// TokenFromLogin exchanges an email and password for a temporary access
// token (POST <APIBase>/v1/dev/temp-token with a JSON body).
func (c *Client) TokenFromLogin(ctx context.Context, email, password string) (Token, error) {
	if err := ValidateEmail(email); err != nil {
		return Token{}, err
	}
	if password == "" {
		return Token{}, &ValidationError{Field: "password", Message: "enter your password"}
	}
	if !utf8.ValidString(password) {
		// JSON carries only UTF-8: json.Marshal would send U+FFFD for
		// these bytes, a password dStor refuses as wrong.
		return Token{}, &ValidationError{Field: "password", Problem: ProblemNotText,
			Message: "the password is not UTF-8 text (typed in a terminal, or read from a file, of another encoding?), so it cannot be sent as it is — give it in UTF-8"}
	}
	body, err := json.Marshal(struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}{email, password})
	if err != nil {
		return Token{}, fmt.Errorf("%s: encode request: %w", OpLogin, err)
	}
	ctx, cancel := context.WithTimeout(ctx, c.tokenTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.env.APIBase+tempTokenPath, bytes.NewReader(body))
	if err != nil {
		return Token{}, fmt.Errorf("%s: build request: %w", OpLogin, err)
	}
	req.Header.Set("Content-Type", "application/json")
	c.remember(password)
	return c.getToken(ctx, OpLogin, req, password)
}

// getToken sends a temp-token request and reads {"access_token": "..."}.
// ctx is the request's context (bounded by tokenRequestTimeout); secrets
// are redacted from any server message.
func (c *Client) getToken(ctx context.Context, op string, req *http.Request, secrets ...string) (Token, error) {
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	host := req.URL.Host
	// reqCtx lets an error answer's read be cut short (errorBodyWait).
	reqCtx, stopReq := context.WithCancel(ctx)
	defer stopReq()
	resp, err := c.hc.Do(req.WithContext(reqCtx))
	if err != nil {
		return Token{}, transportError(ctx, op, host, err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body := readErrorBody(resp.Body, c.errorBodyWait, stopReq)
		return Token{}, statusError(op, host, resp.StatusCode, resp.Header, body, c.now(), false, secrets...)
	}
	body, err := readAnswer(resp.Body, maxTokenAnswer)
	if err != nil {
		return Token{}, answerReadError(ctx, op, host, resp.StatusCode, err)
	}
	received := c.now()
	raw, err := parseTokenAnswer(resp.Header.Get("Content-Type"), body)
	if err != nil {
		// The body is not quoted: a malformed answer may still hold a token.
		e := &Error{Kind: KindMalformed, Status: resp.StatusCode, Op: op, Host: host, Err: err}
		if looksLikeHTML(resp.Header.Get("Content-Type"), body) {
			e.Message = sanitize(htmlSummary(string(body)), secrets...)
		}
		return Token{}, e
	}
	tok := ParseToken(raw)
	rememberForLog(raw)
	tok.ServerOffset = measureOffset(resp.Header.Get("Date"), tok.IssuedAt, received)
	tok.ServerTimeKnown = serverTimeKnown(resp.Header.Get("Date"), tok.IssuedAt)
	c.offset.Store(int64(tok.ServerOffset))
	return tok, nil
}

// remember keeps a secret this client sent, so that any later message from
// dStor (an upload's error echoing the key, say) is redacted of it too, not
// only the answer to the request that carried it.
func (c *Client) remember(secret string) {
	c.secretsMu.Lock()
	defer c.secretsMu.Unlock()
	for _, s := range c.secrets {
		if s == secret {
			return
		}
	}
	c.secrets = append(c.secrets, secret)
	rememberForLog(secret)
}

// secretsWith is every secret this client sent, plus extra.
func (c *Client) secretsWith(extra ...string) []string {
	c.secretsMu.Lock()
	defer c.secretsMu.Unlock()
	return append(append([]string(nil), c.secrets...), extra...)
}

// errNoServerTime reports an answer without a usable Date header.
var errNoServerTime = errors.New("dStor's answer does not say its time")

// MeasureServerClock asks dStor for its time (a HEAD request to the API
// base, without credentials: any answer carries a Date header) and returns
// its clock minus this computer's (see Token.ServerOffset), which
// ServerOffset then returns too. It lets a caller judge a stored token,
// whose issuing answer is long gone, on dStor's clock.
func (c *Client) MeasureServerClock(ctx context.Context) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.tokenTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, c.env.APIBase+"/", nil)
	if err != nil {
		return 0, fmt.Errorf("ask dStor's time: build request: %w", err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, transportError(ctx, "ask dStor's time", req.URL.Host, err)
	}
	_ = resp.Body.Close() // HEAD: no body
	date := resp.Header.Get("Date")
	if _, err := http.ParseTime(date); err != nil {
		return 0, errNoServerTime
	}
	offset := measureOffset(date, time.Time{}, c.now())
	c.offset.Store(int64(offset))
	return offset, nil
}

// ServerOffset is dStor's clock minus this computer's, as the last token
// answer showed it (see Token.ServerOffset); 0 before any. A caller that
// asks for an expiry (TokenFromAPIKey's expiresAt) adds it to its own
// clock, so the token lives as long as meant on dStor's.
func (c *Client) ServerOffset() time.Duration { return time.Duration(c.offset.Load()) }

// parseTokenAnswer finds the token in a temp-token answer. access_token is
// documented; accessToken, token and a "data" wrapper are accepted too.
func parseTokenAnswer(contentType string, body []byte) (string, error) {
	if looksLikeHTML(contentType, body) {
		return "", errors.New("the answer is an HTML page, not JSON")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return "", errors.New("the answer is not a JSON object")
	}
	if data, ok := fields["data"]; ok {
		var inner map[string]json.RawMessage
		if json.Unmarshal(data, &inner) == nil {
			for k, v := range inner {
				if _, dup := fields[k]; !dup {
					fields[k] = v
				}
			}
		}
	}
	for _, k := range []string{"access_token", "accessToken", "token"} {
		var s string
		if v, ok := fields[k]; ok && json.Unmarshal(v, &s) == nil && strings.TrimSpace(s) != "" {
			s = strings.TrimSpace(s)
			if !isHeaderToken(s) {
				return "", errors.New("the token in the answer has characters that cannot be sent in a header")
			}
			return s, nil
		}
	}
	return "", errors.New("the answer has no access_token")
}

// isHeaderToken reports whether s can follow "Bearer " in a header:
// printable ASCII without spaces.
func isHeaderToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return s != ""
}

// readErrorBody reads the start of an error answer (readPrefix) for at
// most wait, then calls stop, which must end a read still going (the
// request's cancel): the status stands with what arrived by then.
func readErrorBody(r io.Reader, wait time.Duration, stop func()) []byte {
	timer := time.AfterFunc(wait, stop)
	defer timer.Stop()
	return readPrefix(r, maxErrorBody)
}

// answerTooLargeError reports an answer longer than this client reads.
type answerTooLargeError struct{ limit int64 }

func (e *answerTooLargeError) Error() string {
	return "the answer is larger than " + numtext.Size(e.limit)
}

// readAnswer reads a whole success answer of at most limit bytes.
func readAnswer(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &answerTooLargeError{limit: limit}
	}
	return b, nil
}

// readPrefix reads at most limit bytes of an error answer, ignoring read
// errors: the status already says what happened.
func readPrefix(r io.Reader, limit int64) []byte {
	b, _ := io.ReadAll(io.LimitReader(r, limit))
	return b
}

// answerReadError classifies a failure to read a success answer's body.
func answerReadError(ctx context.Context, op, host string, status int, err error) *Error {
	var tooLarge *answerTooLargeError
	if errors.As(err, &tooLarge) {
		return &Error{Kind: KindMalformed, Status: status, Op: op, Host: host, Err: err}
	}
	e := transportError(ctx, op, host, err)
	if e.ConnectionBroke() {
		// The answer had begun: say so, since the request (an upload) may
		// well have been carried out.
		e.Err = &answerCutError{err: err}
	}
	return e
}
