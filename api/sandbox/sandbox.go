// Package sandbox is a dStor-compatible HTTP server that runs on the loopback
// interface, so the client, the worker, the app's "Local sandbox"
// environment and `dstor-uploader sandbox` can all work offline and in tests.
//
// It follows ../shared/DSTOR_API.md: temporary tokens from an API key
// (GET /v1/dev/temp-token, header api-key or x-api-key, optional
// x-expiration) or from email and password (POST /v1/dev/temp-token), uploads
// (POST /api/v0/add, multipart, any field name) answered with the file's IPFS
// CIDv0, and a gateway (GET /ipfs/{hash}) that serves the bytes back.
//
// Content is streamed to disk and hashed in the same pass, so memory stays
// flat whatever the file size. Accounts, API keys (kept only as SHA-256) and
// the upload log live in memory; content and its metadata live under
// Config.DataDir, so a sandbox restarted on the same directory still serves
// earlier links.
//
// It answers only requests addressed to a loopback name and refuses
// sign-ins and uploads from a web page of another origin (origin.go): a
// browser runs on the same computer, and the demo key is public.
//
// Tests can make the server misbehave on purpose with InjectFault: failing
// statuses with Retry-After, delays, stalls, connections cut mid-body, wrong
// hashes, malformed JSON and HTML error pages.
package sandbox

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
)

// DefaultMaxUploadSize is the upload limit when Config.MaxUploadSize is 0:
// large enough for any test or demo, small enough that a runaway client
// cannot fill the disk.
const DefaultMaxUploadSize int64 = 10 << 30

const (
	// multipartSlack is the room allowed on top of MaxUploadSize for the
	// multipart envelope (boundaries, part headers, other small fields).
	multipartSlack = 1 << 20
	// maxHeaderBytes bounds request headers; dStor's are a few short lines.
	maxHeaderBytes = 64 << 10
	// defaultReadHeaderTimeout is Config.ReadHeaderTimeout's default.
	defaultReadHeaderTimeout = 10 * time.Second
	// shutdownTimeout is how long Close lets in-flight requests finish
	// before it cuts their connections.
	shutdownTimeout = 5 * time.Second
)

// Config sets up a Server; the zero value is a working sandbox in a
// temporary directory with a random signing key.
type Config struct {
	// DataDir holds the content store (blobs by CID and their metadata).
	// Empty means a temporary directory that Close removes.
	DataDir string
	// MaxUploadSize is the largest file accepted; above it uploads get 413.
	// 0 means DefaultMaxUploadSize.
	MaxUploadSize int64
	// Secret is the HS256 key tokens are signed with. Nil means a random
	// key, so tokens do not survive a restart (as a real server's may not).
	Secret []byte
	// Now is the clock, so tests can move time; nil means time.Now. The
	// Date header of every answer follows it, as a real server's follows
	// its own clock, so a client can tell its clock from the server's.
	Now func() time.Time
	// MaxTokenLifetime, when positive, caps every token's life (whatever
	// x-expiration asks), as a server that issues short tokens would.
	MaxTokenLifetime time.Duration
	// Logf, when set, receives one line per request (method, path, status,
	// size, duration). It never receives keys, tokens or passwords.
	Logf func(format string, args ...any)
	// ForgetUploads keeps no list of the uploads received in memory
	// (Uploads returns none). The list is for tests: a sandbox that runs
	// long (the window's Local sandbox, `dstor-uploader sandbox`) would
	// otherwise hold a record of every file it ever received, about 220
	// bytes each, 22 MB after 100,000 small files. The store keeps the
	// files and their metadata either way.
	ForgetUploads bool
	// ReadHeaderTimeout is how long Start's server waits for a request's
	// headers on a connection it accepted; 0 means 10 s, which stops
	// clients that open a connection and never finish their headers from
	// holding it forever. A test that opens many connections before it
	// sends anything on them (1,000 at once) holds the first ones longer
	// than that on a busy machine.
	ReadHeaderTimeout time.Duration
}

// Server is a dStor-compatible server. It is an http.Handler, so tests can
// mount it on httptest.NewServer, or it can listen by itself with Start.
// All methods are safe for concurrent use.
type Server struct {
	dataDir       string
	removeDir     bool // DataDir was created by New and is removed by Close
	maxUpload     int64
	secret        []byte
	now           func() time.Time
	maxTokens     time.Duration // Config.MaxTokenLifetime
	logf          func(format string, args ...any)
	forget        bool          // Config.ForgetUploads
	headerTimeout time.Duration // Config.ReadHeaderTimeout, or its default

	mu       sync.Mutex
	accounts map[string]*account // by ID
	emails   map[string]string   // lower-case email → account ID
	keys     map[[32]byte]*apiKey
	uploads  []Upload
	faults   []*faultState
	closed   bool
	srv      *http.Server
	url      string

	blobMu   sync.Mutex // serialises moving finished uploads into the store
	inflight sync.WaitGroup
	serveWG  sync.WaitGroup
	closing  chan struct{} // closed by Close; ends delays and stalls
	cleared  chan struct{} // closed and replaced by ClearFaults (under mu); ends stalls
}

// New prepares a sandbox server (it does not listen; see Start). It creates
// the data directory layout and removes temporary files a previous run left
// (not those of uploads another sandbox on the same directory receives).
func New(cfg Config) (*Server, error) {
	s := &Server{
		dataDir:       cfg.DataDir,
		maxUpload:     cfg.MaxUploadSize,
		secret:        cfg.Secret,
		now:           cfg.Now,
		maxTokens:     cfg.MaxTokenLifetime,
		logf:          cfg.Logf,
		forget:        cfg.ForgetUploads,
		headerTimeout: cmp.Or(cfg.ReadHeaderTimeout, defaultReadHeaderTimeout),
		accounts:      make(map[string]*account),
		emails:        make(map[string]string),
		keys:          make(map[[32]byte]*apiKey),
		closing:       make(chan struct{}),
		cleared:       make(chan struct{}),
	}
	if s.maxUpload < 0 {
		return nil, fmt.Errorf("sandbox: max upload size %d is negative", s.maxUpload)
	}
	if s.maxUpload == 0 {
		s.maxUpload = DefaultMaxUploadSize
	}
	if s.now == nil {
		s.now = time.Now
	}
	if len(s.secret) == 0 {
		s.secret = make([]byte, 32)
		if _, err := rand.Read(s.secret); err != nil {
			return nil, fmt.Errorf("sandbox: generate signing key: %w", err)
		}
	} else {
		s.secret = append([]byte(nil), s.secret...)
	}
	if s.dataDir == "" {
		dir, err := os.MkdirTemp("", "dstor-sandbox-*")
		if err != nil {
			return nil, fmt.Errorf("sandbox: create temporary data directory: %w", err)
		}
		s.dataDir, s.removeDir = dir, true
	}
	if err := makeDataDir(s.dataDir); err != nil {
		s.cleanupDir()
		return nil, err
	}
	removeStaleTemps(filepath.Join(s.dataDir, tmpDir))
	return s, nil
}

// makeDataDir makes the data directory's layout in dir, saying what is in
// the way when a file is where a folder must be (not mkdir's "not a
// directory").
func makeDataDir(dir string) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("sandbox: the data folder %s is a file, not a folder: give a folder (one that is missing is made)", dir)
	}
	for _, sub := range []string{blobDir, metaDir, tmpDir} {
		err := os.MkdirAll(filepath.Join(dir, sub), 0o700)
		if errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("sandbox: the data folder %s cannot be made: a folder on its path is a file", dir)
		}
		if err != nil {
			return fmt.Errorf("sandbox: create data directory: %w", err)
		}
	}
	return nil
}

// Start listens on addr (loopback only, e.g. "127.0.0.1:0" for any free
// port), serves in the background until Close, and returns the base URL,
// e.g. "http://127.0.0.1:43121".
func (s *Server) Start(addr string) (string, error) {
	host, err := loopbackHost(addr)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", errors.New("sandbox: start: server is closed")
	}
	if s.srv != nil {
		return "", fmt.Errorf("sandbox: start: already listening at %s", s.url)
	}
	_, port, _ := net.SplitHostPort(addr)
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if errors.Is(err, syscall.EADDRINUSE) {
		return "", &portInUseError{addr: addr, err: err}
	}
	if err != nil {
		return "", fmt.Errorf("sandbox: listen on %s: %w", addr, err)
	}
	s.srv = &http.Server{
		Handler:           s,
		MaxHeaderBytes:    maxHeaderBytes,
		ReadHeaderTimeout: s.headerTimeout,
		IdleTimeout:       time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	if s.logf != nil {
		s.srv.ErrorLog = log.New(logfWriter(s.logf), "sandbox: ", 0)
	}
	s.url = "http://" + ln.Addr().String()
	srv := s.srv
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		_ = srv.Serve(ln) // returns http.ErrServerClosed after Shutdown
	}()
	return s.url, nil
}

// portInUseError is a listen address another program (another sandbox,
// say) already listens on.
type portInUseError struct {
	addr string
	err  error
}

func (e *portInUseError) Error() string {
	return "sandbox: " + e.addr + " is already in use (another sandbox, or another program, listens there): stop that program, or choose another port (port 0 picks a free one)"
}

func (e *portInUseError) Unwrap() error { return e.err }

// loopbackHost checks that addr names a loopback interface and returns the
// host to listen on: the sandbox has no real security and must never be
// reachable from another machine. An error does not repeat addr: the
// sandbox command's --listen may hold a secret typed in the wrong place.
func loopbackHost(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", errors.New("sandbox: the listen address is not host:port; write one such as 127.0.0.1:8787")
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return "", errors.New("sandbox: the listen address's port is not a number from 0 to 65535; write one such as 127.0.0.1:8787")
	}
	if strings.EqualFold(host, "localhost") {
		return "127.0.0.1", nil
	}
	if api.IsLoopbackHost(host) {
		return host, nil
	}
	return "", errors.New("sandbox: refusing to listen on that address: only loopback addresses (127.0.0.1, ::1, localhost) are allowed, because the sandbox has test accounts and no real security and must not be reachable from other machines")
}

// CheckListenAddress reports why Start would refuse addr before it
// listens (not host:port, or not a loopback address), in words without
// the sandbox's prefix and without addr: the sandbox command checks its
// --listen with it before starting anything. A port already taken is
// found only by Start.
func CheckListenAddress(addr string) error {
	if _, err := loopbackHost(addr); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "sandbox: "))
	}
	return nil
}

// URL is the base URL Start returned, or "" when the server was not started
// (for example when a test mounts it on httptest.NewServer).
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// Close stops the server gracefully: new requests are refused, delays and
// stalls end, in-flight requests get a few seconds to finish, every
// goroutine the server started is waited for, and a temporary DataDir is
// removed. It is safe to call more than once.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.closing)
	srv := s.srv
	s.mu.Unlock()

	var errs []error
	if srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		err := srv.Shutdown(ctx)
		cancel()
		if err != nil {
			if cerr := srv.Close(); cerr != nil {
				errs = append(errs, fmt.Errorf("sandbox: close: %w", cerr))
			}
		}
		s.serveWG.Wait()
	}
	s.inflight.Wait()
	if err := s.cleanupDir(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// cleanupDir removes the data directory when New created it.
func (s *Server) cleanupDir() error {
	if !s.removeDir {
		return nil
	}
	if err := os.RemoveAll(s.dataDir); err != nil {
		return fmt.Errorf("sandbox: remove temporary data directory: %w", err)
	}
	return nil
}

// ServeHTTP answers one request of the dStor API, applying any injected
// fault first; it lets a test mount the sandbox on httptest.NewServer.
// Requests a web page may have sent are refused before anything else
// (refuseForeign), however the sandbox is mounted.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := &recorder{ResponseWriter: w, now: s.now}
	if refuseForeign(rec, r) {
		s.logRequest(r, rec, start, "")
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		writeError(rec, http.StatusServiceUnavailable, "closed", "the sandbox is shutting down")
		s.logRequest(r, rec, start, "")
		return
	}
	s.inflight.Add(1)
	fault := s.nextFault(r.URL.Path)
	s.mu.Unlock()
	defer s.inflight.Done()

	note := ""
	if fault != nil {
		note = fault.String()
		if s.applyFault(rec, r, fault) {
			s.logRequest(r, rec, start, note)
			return
		}
	}
	s.route(rec, r, fault)
	s.logRequest(r, rec, start, note)
}

// route dispatches to the endpoint handlers. Routing is done by hand rather
// than with ServeMux patterns so that 404 and 405 answers are JSON too.
func (s *Server) route(w http.ResponseWriter, r *http.Request, f *Fault) {
	path := r.URL.Path
	switch {
	case path == "/v1/dev/temp-token":
		switch r.Method {
		case http.MethodGet:
			s.handleTokenFromKey(w, r)
		case http.MethodPost:
			s.handleTokenFromLogin(w, r)
		default:
			methodNotAllowed(w, "GET, POST")
		}
	case path == "/api/v0/add":
		if r.Method != http.MethodPost {
			methodNotAllowed(w, "POST")
			return
		}
		s.handleAdd(w, r, f != nil && f.WrongHash)
	case strings.HasPrefix(path, "/ipfs/"):
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			methodNotAllowed(w, "GET, HEAD")
			return
		}
		s.handleGateway(w, r, strings.TrimPrefix(path, "/ipfs/"))
	default:
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint: see DSTOR_API.md for the sandbox's endpoints")
	}
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Message string `json:"message"`
	Error   string `json:"error"`
}

// writeError answers status with a JSON error body.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorBody{Message: message, Error: code})
}

// writeJSON answers status with v encoded as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone; nothing to do
}

func methodNotAllowed(w http.ResponseWriter, allow string) {
	w.Header().Set("Allow", allow)
	writeError(w, http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed here; use "+allow)
}

// logRequest writes the request line to Logf. Only the method, path and
// outcome are logged: never headers or bodies, which hold keys, tokens and
// passwords.
func (s *Server) logRequest(r *http.Request, rec *recorder, start time.Time, note string) {
	if s.logf == nil {
		return
	}
	status := rec.status
	if status == 0 && !rec.hijacked {
		status = http.StatusOK
	}
	outcome := strconv.Itoa(status)
	if rec.hijacked {
		outcome = "connection cut"
	}
	if note != "" {
		note = " [fault: " + note + "]"
	}
	s.logf("%s %q → %s (%d bytes, %s)%s", r.Method, r.URL.Path, outcome, rec.written,
		time.Since(start).Round(time.Millisecond), note)
}

// recorder remembers the status and size of an answer for the request log.
// It unwraps, so http.ResponseController can still hijack and flush.
type recorder struct {
	http.ResponseWriter
	now      func() time.Time // the server's clock, for the Date header
	status   int
	written  int64
	hijacked bool
}

// WriteHeader sends the headers with a Date from the server's clock,
// taken as the answer goes out (as a real server does), so a client
// measures the clock, not the time the request took.
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.Header().Set("Date", r.now().UTC().Format(http.TimeFormat))
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	n, err := r.ResponseWriter.Write(p)
	r.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logfWriter adapts Logf to the io.Writer that http.Server's ErrorLog needs.
type logfWriter func(format string, args ...any)

func (f logfWriter) Write(p []byte) (int, error) {
	f("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
