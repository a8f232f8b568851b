package api

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/dstor-uploader/dstor-uploader/internal/offlocal"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
)

// UploadRequest is one file to upload and where to put it on dStor.
type UploadRequest struct {
	Path       string // local file
	Name       string // file name sent in the multipart part; default filepath.Base(Path)
	FolderPath string // x-dstor-folder-path, optional; never with ParentID
	ParentID   *int64 // x-dstor-parent-id, optional (0 = root); never with FolderPath
	Comment    string // x-dstor-comment, optional

	// Beneath, when set, is the folder the person chose that Path was
	// found in (by a walk): the file is then opened without following a
	// symbolic link at any component of Path below Beneath, and must be
	// the file the walk listed (Listed.ID, when set). Otherwise the
	// upload fails with ErrNotListedFile and sends nothing.
	Beneath string
	// Listed is the identity ListedFile gave the file when its folder was
	// walked; only its ID is compared.
	Listed FileIdentity
	// AddedAt is when a file named itself (no Beneath) was added, before
	// Listed was read. When its path now leads to another file than
	// Listed through a symbolic link made since then, the upload fails
	// with ErrNotListedFile and sends nothing; links made before (a home
	// folder that is a link, a link the person chose) are followed. Zero:
	// any link on the path counts.
	AddedAt time.Time

	// ExpectSHA256, when set (64 hex digits, see NormalizeSHA256), is the
	// SHA-256 the file must have. The file is read once for it before any
	// byte is sent, and a file that differs fails with a
	// *ChecksumMismatchError (ErrChecksumMismatch); the upload then sends
	// that same version of the file, and its own SHA-256 is compared again.
	ExpectSHA256 string

	// Progress, when set, is called as the file's bytes are handed to the
	// connection, with the bytes so far and the file's size (sent is
	// non-decreasing and ends at total). It runs on the HTTP transport's
	// goroutine, may be called often, and must return quickly; coalesce
	// before touching a UI. Bytes still in socket buffers count as sent.
	Progress func(sent, total int64)

	// Answering, when set, is called as dStor's answer arrives: once when
	// its headers come, then for each read of its body that brings bytes,
	// so a caller can tell an answer that comes slowly but steadily from a
	// server that says nothing. Same rules as Progress.
	Answering func()
}

// UploadResult is what dStor answered for an upload, checked against the
// file that was sent.
type UploadResult struct {
	Name string // the name sent (the local name, see RemoteName); never the server's
	// ServerName is the name dStor's answer gave the file when it differs
	// from Name, byte for byte, made inert without losing what sets it
	// apart (serverText: a control or formatting character escaped where
	// it stands, spaces kept, secrets redacted, at most 255 bytes); empty
	// when the answer has no name or the very name sent.
	ServerName string
	Hash       string    // CID from the answer, checked (see Upload); empty when it could not be
	Size       int64     // the answer's Size: IPFS's cumulative DAG size, not the file size
	LocalCID   string    // CIDv0 computed from the bytes sent
	SHA256     string    // SHA-256 of the bytes sent (lowercase hex), computed in the same pass as LocalCID
	Verified   bool      // Hash names the same content as LocalCID; true whenever Upload returns no error
	FileSize   int64     // bytes of the file sent
	ModTime    time.Time // the file's modification time when it was opened
	// Identity is the file as it was opened, and found again after it was
	// sent: recorded with the upload, so the same file added again can be
	// recognised as already uploaded.
	Identity FileIdentity
	// Head is the file's first bytes as sent (at most the 1 KiB a live
	// check asks for, LiveWant.Head): what the link must serve.
	Head []byte
}

// AddResponse is one object of an IPFS add answer: {"Name", "Hash",
// "Size"}.
type AddResponse struct {
	Name string
	Hash string
	Size int64
}

// Validate checks the request's fields before anything is opened or sent:
// a path, a sendable name, a valid folder path or parent id (not both) and
// comment. The file itself is checked by ValidateFile (Upload does both).
func (r UploadRequest) Validate() error {
	if strings.TrimSpace(r.Path) == "" {
		return &ValidationError{Field: "file", Message: "choose a file to upload"}
	}
	if r.Name != "" {
		if err := validateFileName(r.Name); err != nil {
			return err
		}
	}
	if err := ValidateFolderPath(r.FolderPath); err != nil {
		return err
	}
	if r.ExpectSHA256 != "" {
		if _, err := NormalizeSHA256(r.ExpectSHA256); err != nil {
			return err
		}
	}
	if r.ParentID != nil {
		if err := ValidateParentID(*r.ParentID); err != nil {
			return err
		}
		if r.FolderPath != "" {
			return &ValidationError{Field: "folder path",
				Message: "choose either a folder path or a parent folder id, not both — dStor refuses requests that set both"}
		}
	}
	return ValidateComment(r.Comment)
}

// partName is the file name sent in the multipart part.
func (r UploadRequest) partName() string {
	if r.Name != "" {
		return r.Name
	}
	return RemoteName(filepath.Base(r.Path))
}

// Upload behaviour tuning.
const (
	// expectContinueMin is the file size from which an upload asks for
	// "100 Continue" first, so a refusal (expired token, too large) arrives
	// before the file is sent rather than after.
	expectContinueMin = 1 << 20
)

// errAnswerCutShort is the cause of an add answer that ends in the middle
// of its JSON although it arrived whole, as the server framed it (its
// Content-Length, or its chunks, ended there).
var errAnswerCutShort = errors.New("the answer ends in the middle of its JSON")

// errAddFailed is the cause of a 200 answer in which IPFS's add reports
// that it failed (an error object, or the X-Stream-Error trailer).
var errAddFailed = errors.New("dStor reported an error while adding the file")

// streamErrorTrailer is the trailer in which IPFS's HTTP API reports an
// error found after a streamed answer began.
const streamErrorTrailer = "X-Stream-Error"

// errSwitchedProtocols is the cause of a "101 Switching Protocols" answer
// to an upload, which never asks to switch.
var errSwitchedProtocols = errors.New("dStor answered 101 Switching Protocols")

// notStoredError is the cause of a 2xx answer to an upload other than
// 200 OK, 201 Created and 203 (a 200 a proxy rewrote): 202 Accepted says
// the add was not carried out yet, 204 and 205 carry no answer, and 206
// and the rest are no add's answer. Whatever Hash its body holds, such an
// answer does not say that dStor stored the file.
type notStoredError struct{ status int }

func (e *notStoredError) Error() string {
	return "dStor answered " + statusLine(e.status) + ", not 200 OK"
}

// statusLine is an HTTP status with its reason phrase, "202 Accepted".
func statusLine(status int) string {
	return strings.TrimSpace(strconv.Itoa(status) + " " + http.StatusText(status))
}

// addCarriedOut reports a 2xx status that says the add was done.
func addCarriedOut(status int) bool {
	return status == http.StatusOK || status == http.StatusCreated || status == http.StatusNonAuthoritativeInfo
}

// ErrAnswerStopped is the cause of a KindTimeout when dStor sent an
// answer's headers, then nothing more of it for answerIdleTimeout. It is
// exported so callers can tell a person the answer began and stopped, not
// that dStor never answered (errors.Is on the *Error).
var ErrAnswerStopped = errors.New("dStor stopped sending its answer")

// ErrAnswerTooLong is the cause of a KindTimeout when dStor's answer was
// still arriving AnswerTotalTimeout after its headers, exported for the
// same reason as ErrAnswerStopped.
var ErrAnswerTooLong = fmt.Errorf("dStor was still sending its answer after %d minutes", AnswerTotalTimeout/time.Minute)

// errTokenPastExpiry is the cause of a KindTokenExpired raised before
// sending, from the token's own exp claim.
var errTokenPastExpiry = errors.New("the token is past its expiry time")

// Upload sends one file to dStor (POST to UploadURL, multipart/form-data,
// field "file") and checks the answer against the file's CIDv0, computed
// while the file is sent.
//
// The request, the token and the file are checked first; nothing is sent
// if any fails (*ValidationError), or if the token's known expiry has
// passed (KindTokenExpired). The file is opened once and streamed: memory
// does not grow with its size, and Content-Length is exact. Files of 1 MiB
// or more ask for "100 Continue" first, so a refusal costs no upload (a
// server that answers 417, even after the file has begun, gets the whole
// file again, once, without it). If the file
// changes while it is sent, the upload is aborted (ErrFileChanged) before
// its end, so dStor never stores a torn copy. Canceling ctx stops the
// upload mid-file (KindCanceled).
//
// Failures are *Error values (see Kind). A result without error is always
// verified: dStor's Hash is the local CIDv0, or a dag-pb sha2-256 CIDv1 with
// the same multihash (kept as answered). When the answered CID names other
// content, Upload returns the filled result together with a
// KindHashMismatch error carrying a *HashMismatchError; when the answer
// cannot be compared at all (not a CID, another codec or hash function), a
// KindUnverifiable error carrying an *UnverifiableHashError, whose Answered
// value is inert text for inspection. Neither is ever a success.
func (c *Client) Upload(ctx context.Context, tok Token, req UploadRequest) (UploadResult, error) {
	if err := req.Validate(); err != nil {
		return UploadResult{}, err
	}
	if tok.Raw == "" {
		return UploadResult{}, &ValidationError{Field: "token", Message: "sign in first: there is no token to upload with"}
	}
	if !tok.Sendable() {
		return UploadResult{}, &ValidationError{Field: "token", Message: "the saved token is damaged — sign in again"}
	}
	if tokenPastExpiry(tok, c.now()) {
		return UploadResult{}, &Error{Kind: KindTokenExpired, Op: OpUpload, Host: urlHost(c.env.UploadURL), Err: errTokenPastExpiry}
	}
	var checked *FileIdentity
	if req.ExpectSHA256 != "" {
		req.ExpectSHA256, _ = NormalizeSHA256(req.ExpectSHA256) // valid: Validate checked it
		id, err := checkExpectedSHA256(ctx, req)
		if err != nil {
			return UploadResult{}, err
		}
		checked = &id
	}
	req.Progress = nonDecreasing(req.Progress)
	res, err := c.send(ctx, tok, req, checked, true)
	if errors.Is(err, errExpectationFailed) {
		// A server (or proxy) refused "Expect: 100-continue", so it did not
		// act on the request, even if its 417 came after the wait for
		// "100 Continue" ran out and the file had begun: send the whole
		// file again, from a fresh open, without it. Once: that request
		// asks for nothing a 417 could refuse.
		res, err = c.send(ctx, tok, req, checked, false)
	}
	return res, err
}

// errExpectationFailed reports a 417 answer to "Expect: 100-continue".
var errExpectationFailed = errors.New("the server refused Expect: 100-continue")

// errUnaskedExpectation is the cause of a KindMalformed error for a 417
// answer to an upload that did not send Expect.
var errUnaskedExpectation = errors.New("dStor answered 417 Expectation Failed to an upload that sent no Expect")

// nonDecreasing keeps an upload's progress from going back when the file
// is sent again (after a 417): calls below the highest reported are
// dropped. Calls never overlap (one attempt at a time).
func nonDecreasing(progress func(sent, total int64)) func(sent, total int64) {
	if progress == nil {
		return nil
	}
	var high atomic.Int64
	return func(sent, total int64) {
		if sent < high.Load() {
			return
		}
		high.Store(sent)
		progress(sent, total)
	}
}

// send is one upload attempt of a validated request. checked, when set,
// is the version of the file whose SHA-256 was checked: the file opened
// must still be it. mayExpect allows asking for "100 Continue" (for large
// files).
func (c *Client) send(ctx context.Context, tok Token, req UploadRequest, checked *FileIdentity, mayExpect bool) (UploadResult, error) {
	at := &attempt{req: req, name: req.partName(), host: urlHost(c.env.UploadURL)}
	f, opened, err := openChecked(ctx, req, checked)
	if err != nil {
		return UploadResult{}, err
	}
	file := holdFile(f)
	defer file.release() // after body.finish: no read of it starts after that
	at.file, at.opened = file, opened

	head, tail, contentType, err := multipartEnvelope(at.name)
	if err != nil {
		return UploadResult{}, fmt.Errorf("upload %s: %w", quoteShort(at.name), err)
	}
	hasher := NewCIDHasher()
	hasher.EnableSHA256() // the receipt's checksum, in the same pass
	body := newUploadBody(ctx, file, opened, head, tail, hasher, req.Progress)
	body.limit = c.limit
	summed := false
	defer func() {
		// Stop the transport from reading the body (it may still hold it
		// after Do returns), then end the hasher (it waits for the leaves
		// being hashed).
		body.finish()
		if !summed {
			hasher.Abort()
		}
	}()

	resp, data, err := c.post(ctx, tok, at, body, contentType, mayExpect && opened.Size >= expectContinueMin)
	if err != nil {
		return UploadResult{}, err
	}
	local, err := hasher.Sum()
	summed = true
	if err != nil {
		return UploadResult{}, fmt.Errorf("upload %s: %w", quoteShort(at.name), err)
	}
	res, err := c.result(ctx, tok, at, resp, data, local, hex.EncodeToString(hasher.SHA256()))
	if err == nil {
		res.Head = body.sentHead()
	}
	return res, err
}

// attempt is what one upload attempt works on: the request, the file as
// opened, the name it is sent under and the upload host (for errors).
type attempt struct {
	req        UploadRequest
	file       *uploadFile
	opened     FileIdentity
	name, host string
}

// uploadFile is the file an upload reads, closed by whoever is done with
// it last: the upload, or a read of it the upload gave up waiting for
// (uploadBody.fill), once that read returns. The upload must not close
// it under such a read: on Windows, closing a file waits until every
// read of it in progress has returned (internal/poll.FD.Close in
// fd_windows.go waits on fd.csema for the last reference, files
// included), so Cancel, the queue's Close and the window's quit hung on
// that close instead; on Unix a regular file is a blocking descriptor,
// whose Close does not wait (fd_unix.go), which is why only Windows hung.
type uploadFile struct {
	*os.File
	holders atomic.Int32 // the upload, and each look at the file under way
}

// holdFile is f held by the upload that opened it.
func holdFile(f *os.File) *uploadFile {
	u := &uploadFile{File: f}
	u.holders.Store(1)
	return u
}

// release lets go of the file; the last holder closes it.
func (u *uploadFile) release() {
	if u.holders.Add(-1) == 0 {
		_ = u.File.Close() // read-only: nothing to flush
		readhook.Closed(u.Name())
	}
}

// lookAt runs look on the file through offlocal.Until: the file stays
// open until look returns, even when the caller gave up on it first.
func lookAt[T any](ctx context.Context, stop <-chan struct{}, u *uploadFile, look func(*os.File) T) (T, bool) {
	u.holders.Add(1)
	return offlocal.Until(ctx, stop, func() T {
		defer u.release()
		return look(u.File)
	})
}

// openChecked opens req's file for an upload, giving up when ctx ends
// (openForUploadUntil); checked, when set, is the version whose SHA-256
// was checked, and the file opened must still be it.
func openChecked(ctx context.Context, req UploadRequest, checked *FileIdentity) (*os.File, FileIdentity, error) {
	f, opened, err := openForUploadUntil(ctx, req)
	if err != nil {
		return nil, FileIdentity{}, err
	}
	if checked != nil && !checked.sameVersion(opened) {
		_ = f.Close()
		return nil, FileIdentity{}, fmt.Errorf("upload %s: %w", quoteShort(req.partName()),
			fileChanged(req.Path, describeChange(*checked, opened)+" after its checksum was checked"))
	}
	return f, opened, nil
}

// post sends body and reads dStor's answer to it: the response (its body
// read and closed) and the answer's bytes, or the error a person sees.
// expect asks for "100 Continue" first.
func (c *Client) post(ctx context.Context, tok Token, at *attempt, body *uploadBody, contentType string, expect bool) (*http.Response, []byte, error) {
	host, name := at.host, at.name
	// reqCtx lets the answer's read be bounded (answerIdle, answerTotal)
	// without bounding the upload itself.
	reqCtx, cancelReq := context.WithCancelCause(ctx)
	defer cancelReq(nil)
	traced := httptrace.WithClientTrace(reqCtx, &httptrace.ClientTrace{GotConn: body.watch})
	httpReq, err := http.NewRequestWithContext(traced, http.MethodPost, c.env.UploadURL, body)
	if err != nil {
		return nil, nil, fmt.Errorf("upload %s: build request: %w", quoteShort(name), err)
	}
	httpReq.ContentLength = body.total
	c.setUploadHeaders(httpReq.Header, tok, at.req, contentType, expect)

	resp, err := c.hc.Do(httpReq)
	state := body.finish()
	if state.localErr != nil {
		// The file (or hashing it) failed: that, not the aborted request, is
		// what the caller must hear about.
		if resp != nil {
			_ = resp.Body.Close()
		}
		return nil, nil, fmt.Errorf("upload %s: %w", quoteShort(name), state.localErr)
	}
	if err != nil {
		e := transportError(ctx, OpUpload, host, err)
		if stall := stalled(err, state); e.Kind == KindTimeout && ctx.Err() == nil && stall != nil {
			e.Err = stall
		}
		return nil, nil, e
	}
	defer func() { _ = resp.Body.Close() }()
	stopAnswerTimers := c.boundAnswer(resp, at.req.Answering, cancelReq)
	defer stopAnswerTimers()
	stopReq := func() { cancelReq(nil) }
	data, err := c.uploadAnswer(ctx, reqCtx, stopReq, tok, host, resp, state, expect)
	if err != nil {
		return nil, nil, err
	}
	return resp, data, nil
}

// boundAnswer bounds the read of resp, dStor's answer to an upload, by
// cancelling its request: once nothing more of it has come for answerIdle
// (ErrAnswerStopped), and once it has taken answerTotal in all
// (errAnswerTooLong). Each read that brings bytes starts the idle wait
// again, and tells arriving (UploadRequest.Answering, when set), which is
// told of the headers at once. It returns the function that stops both
// bounds.
func (c *Client) boundAnswer(resp *http.Response, arriving func(), cancelReq context.CancelCauseFunc) func() {
	idle := time.AfterFunc(c.answerIdle, func() { cancelReq(ErrAnswerStopped) })
	total := time.AfterFunc(c.answerTotal, func() { cancelReq(ErrAnswerTooLong) })
	if arriving != nil {
		arriving()
	}
	resp.Body = &answerBody{ReadCloser: resp.Body, arrived: func() {
		idle.Reset(c.answerIdle)
		if arriving != nil {
			arriving()
		}
	}}
	return func() { idle.Stop(); total.Stop() }
}

// answerBody is the body of dStor's answer to an upload, telling arrived
// of each read that brings bytes.
type answerBody struct {
	io.ReadCloser
	arrived func()
}

func (b *answerBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.arrived()
	}
	return n, err
}

// uploadAnswer reads resp, dStor's answer to an upload whose body ended in
// state, within reqCtx (which an answer timeout cancels, and stopReq when
// an error answer's body takes longer than errorBodyWait): the answer's
// bytes, or the error a person sees for a refusal, an answer that did not
// come whole, or an answer given before the whole file arrived.
func (c *Client) uploadAnswer(ctx, reqCtx context.Context, stopReq func(), tok Token, host string, resp *http.Response, state bodyState, expect bool) ([]byte, error) {
	if resp.StatusCode == http.StatusExpectationFailed {
		if expect {
			return nil, errExpectationFailed
		}
		return nil, &Error{Kind: KindMalformed, Status: resp.StatusCode, Op: OpUpload, Host: host, Err: errUnaskedExpectation}
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		// Its body is the raw connection, which no timeout bounds: not read.
		return nil, &Error{Kind: KindMalformed, Status: resp.StatusCode, Op: OpUpload, Host: host, Err: errSwitchedProtocols}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		data := readErrorBody(resp.Body, c.errorBodyWait, stopReq)
		return nil, statusError(OpUpload, host, resp.StatusCode, resp.Header, data,
			c.now(), tokenPastExpiry(tok, c.now()), c.secretsWith(tok.Raw)...)
	}
	if !addCarriedOut(resp.StatusCode) {
		// Its body is not read: no Hash in it would make this a success.
		return nil, &Error{Kind: KindMalformed, Status: resp.StatusCode, Op: OpUpload, Host: host,
			Err: &notStoredError{status: resp.StatusCode}}
	}
	data, err := readAnswer(resp.Body, maxAddAnswer)
	if err != nil {
		if cause := context.Cause(reqCtx); errors.Is(cause, ErrAnswerStopped) || errors.Is(cause, ErrAnswerTooLong) {
			return nil, &Error{Kind: KindTimeout, Status: resp.StatusCode, Op: OpUpload, Host: host, Err: cause}
		}
		return nil, answerReadError(ctx, OpUpload, host, resp.StatusCode, err)
	}
	if !state.complete {
		return nil, &Error{Kind: KindServer, Status: resp.StatusCode, Op: OpUpload, Host: host,
			Err: errors.New("dStor answered before receiving the whole file")}
	}
	return data, nil
}

// result is the upload's outcome from dStor's answer (data, in resp) and
// the CID (local) and SHA-256 (sum) of the bytes sent: verified only when
// the answered hash names those bytes and the file is still the version
// sent.
func (c *Client) result(ctx context.Context, tok Token, at *attempt, resp *http.Response, data []byte, local, sum string) (UploadResult, error) {
	host, name, req, file, opened := at.host, at.name, at.req, at.file, at.opened
	if msg := cmp.Or(resp.Trailer.Get(streamErrorTrailer), resp.Header.Get(streamErrorTrailer)); msg != "" {
		// IPFS's add failed after its answer began (the Hash before it
		// names bytes it read, not an upload it kept). A proxy that
		// buffers the answer may pass the trailer on as a header.
		return UploadResult{}, &Error{Kind: KindServer, Status: resp.StatusCode, Op: OpUpload, Host: host,
			Err: errAddFailed, Message: sanitize(msg, c.secretsWith(tok.Raw)...)}
	}
	ans, err := ParseAddResponse(data)
	var failed *addErrorAnswer
	if errors.As(err, &failed) {
		return UploadResult{}, &Error{Kind: KindServer, Status: resp.StatusCode, Op: OpUpload, Host: host,
			Err: errAddFailed, Message: sanitize(failed.message, c.secretsWith(tok.Raw)...)}
	}
	if errors.Is(err, errAnswerCutShort) && closeDelimited(resp) {
		// An answer that ends when the connection does cannot tell its
		// end from a connection lost on the way: that, as a read cut
		// short by a lost connection, is worth another attempt.
		return UploadResult{}, &Error{Kind: KindUnreachable, Status: resp.StatusCode, Op: OpUpload, Host: host,
			Err: &answerCutError{err: io.ErrUnexpectedEOF}}
	}
	if err != nil {
		// Quote the server only when it said something (a message field,
		// an HTML page); otherwise the parse error says more.
		e := &Error{Kind: KindMalformed, Status: resp.StatusCode, Op: OpUpload, Host: host, Err: err}
		if msg, ok := jsonMessage(data, 0); ok {
			e.Message = sanitize(msg, c.secretsWith(tok.Raw)...)
		} else if looksLikeHTML(resp.Header.Get("Content-Type"), data) {
			e.Message = sanitize(htmlSummary(string(data)), c.secretsWith(tok.Raw)...)
		}
		return UploadResult{}, e
	}
	res := UploadResult{
		Name:     name,
		Size:     ans.Size,
		LocalCID: local,
		SHA256:   sum,
		FileSize: opened.Size,
		ModTime:  opened.ModTime,
		Identity: opened,
	}
	if req.ExpectSHA256 != "" && res.SHA256 != req.ExpectSHA256 {
		// Only a change that kept size, times and identity gets here.
		return UploadResult{}, &ChecksumMismatchError{Path: req.Path, Expected: req.ExpectSHA256, Actual: res.SHA256}
	}
	if ans.Name != "" && ans.Name != name {
		res.ServerName = serverText(ans.Name, maxFileNameLen, c.secretsWith(tok.Raw)...)
	}
	hash, err := checkAnswer(ans.Hash, local)
	hideSecretsInHash(err, c.secretsWith(tok.Raw))
	var mismatch *HashMismatchError
	switch {
	case errors.As(err, &mismatch):
		res.Hash = mismatch.Remote
		return res, &Error{Kind: KindHashMismatch, Status: resp.StatusCode, Op: OpUpload, Host: host, Err: err}
	case err != nil:
		res.Hash = ""
		return res, &Error{Kind: KindUnverifiable, Status: resp.StatusCode, Op: OpUpload, Host: host, Err: err}
	}
	// What dStor holds is what was read; the file must still be that
	// version, so what is recorded is the file as it is. The look runs
	// off the upload's goroutine (lookAt): on a drive that stopped
	// answering right now it blocks for good, and held Cancel, the
	// queue's Close and the CLI's Ctrl+C. Given up, the upload is no
	// verified one (nothing checked the file): it ends as canceled, to
	// be sent again, and the look left behind drops what it finds.
	changed, ok := lookAt(ctx, nil, file, func(f *os.File) error {
		readhook.Answered(req.Path)
		return checkSameVersion(f, req, opened)
	})
	if !ok {
		return UploadResult{}, uploadEnded(ctx, errCheckGivenUp)
	}
	if changed != nil {
		return UploadResult{}, fmt.Errorf("upload %s: %w", quoteShort(name), changed)
	}
	res.Hash, res.Verified = hash, true
	return res, nil
}

// ErrSendStalled is the cause of a KindTimeout when dStor stopped taking
// an upload's file partway: a write made no progress for the write idle
// timeout (writeIdleTimeout). It is exported so callers can tell a person
// which wait ran out, as with ErrAnswerStopped (errors.Is on the *Error).
// Its text opens the *Error's sentence, as ErrSentNoAnswer's does.
var ErrSendStalled = errors.New("dStor stopped taking the file partway and took no more of it in time")

// ErrSentNoAnswer is the cause of a KindTimeout when the whole file was
// sent but dStor's answer did not begin in time (the transport's wait for
// its headers), exported for the same reason as ErrSendStalled.
var ErrSentNoAnswer = errors.New("the whole file was sent, but dStor did not answer in time")

// stalled says which wait of an upload timed out with err, wrapping err
// in that cause: a write that made no progress (ErrSendStalled), or, the
// whole file sent, the wait for the answer's headers (ErrSentNoAnswer);
// nil for another (connecting, the TLS handshake).
func stalled(err error, state bodyState) error {
	var op *net.OpError
	switch {
	case errors.As(err, &op) && op.Op == "write":
		return fmt.Errorf("%w: %w", ErrSendStalled, err)
	case errors.As(err, &op):
		return nil
	case state.complete:
		return fmt.Errorf("%w: %w", ErrSentNoAnswer, err)
	}
	return nil
}

// closeDelimited reports an answer whose body ends where the connection
// does (no Content-Length, not chunked).
func closeDelimited(resp *http.Response) bool {
	return resp.ContentLength < 0 && len(resp.TransferEncoding) == 0
}

// setUploadHeaders sets an upload's headers. The optional dStor headers are
// sent only when set; Validate has made them safe header values.
func (c *Client) setUploadHeaders(h http.Header, tok Token, req UploadRequest, contentType string, expect bool) {
	h.Set("Content-Type", contentType)
	h.Set("Authorization", "Bearer "+tok.Raw)
	h.Set("Accept", "application/json")
	h.Set("User-Agent", c.userAgent)
	if req.FolderPath != "" {
		h.Set("x-dstor-folder-path", req.FolderPath)
	}
	if req.ParentID != nil {
		h.Set("x-dstor-parent-id", strconv.FormatInt(*req.ParentID, 10))
	}
	if req.Comment != "" {
		h.Set("x-dstor-comment", req.Comment)
	}
	if expect {
		h.Set("Expect", "100-continue")
	}
}

// tokenPastExpiry reports a token whose exp claim is known and not after
// now on dStor's clock (see Token.ServerOffset).
func tokenPastExpiry(tok Token, now time.Time) bool {
	return !tok.ExpiresAt.IsZero() && !tok.ServerNow(now).Before(tok.ExpiresAt)
}

// urlHost is the host[:port] of a URL already validated by Environment.
func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// multipartEnvelope is what goes around the file's bytes in the body: the
// part's header (Content-Disposition form-data; name="file";
// filename="<escaped name>", Content-Type application/octet-stream) and the
// closing boundary, with a new random boundary. Knowing both lengths makes
// Content-Length exact.
func multipartEnvelope(name string) (head, tail []byte, contentType string, err error) {
	var rnd [30]byte // as mime/multipart's own boundaries
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, nil, "", fmt.Errorf("build multipart header: %w", err)
	}
	var boundary [2 * len(rnd)]byte
	hex.Encode(boundary[:], rnd[:])
	head, tail = envelopeWith(name, boundary[:])
	return head, tail, "multipart/form-data; boundary=" + string(boundary[:]), nil
}

// envelopeWith is the envelope of one file part named name within
// boundary (hex digits, which need no quoting): the bytes mime/multipart's
// Writer writes for CreateFormFile("file", name) and, after the part, for
// Close (TestEnvelopeMatchesMimeMultipart), built in one buffer rather than
// through a Writer, a header map and fmt for every file.
func envelopeWith(name string, boundary []byte) (head, tail []byte) {
	const (
		disposition = "\r\nContent-Disposition: "
		octets      = "\r\nContent-Type: application/octet-stream\r\n\r\n"
	)
	disp := multipart.FileContentDisposition("file", name)
	buf := make([]byte, 0, 2+len(boundary)+len(disposition)+len(disp)+len(octets)+4+len(boundary)+4)
	buf = append(buf, "--"...)
	buf = append(buf, boundary...)
	buf = append(buf, disposition...)
	buf = append(buf, disp...)
	buf = append(buf, octets...)
	n := len(buf)
	buf = append(buf, "\r\n--"...)
	buf = append(buf, boundary...)
	buf = append(buf, "--\r\n"...)
	return buf[:n:n], buf[n:]
}

// uploadBody is the request body: head, then the file's bytes, then tail.
// It is a plain reader rather than an io.Pipe fed by a goroutine: the
// length is known in advance, so the concatenation needs no extra
// goroutine and no second copy. The file is read in ChunkSize blocks,
// whatever size the transport asks for, straight into the CID hasher's
// chunk buffers: once the transport has taken a whole block, the block is
// handed to the hasher (writeOwned), which hashes it on another core while
// the next one is read and sent, and recycles it. So the file gets few
// read calls and its bytes are never copied for hashing.
//
// The last block is handed out only after checking that the file ends
// where its stat said and was not modified; otherwise reading fails with
// ErrFileChanged and the closing boundary is never sent.
//
// net/http may read the body from its own goroutine, even after Do has
// returned; mu serializes that with finish, which the uploading goroutine
// calls before it touches the hasher or closes the file.
type uploadBody struct {
	mu       sync.Mutex
	ctx      context.Context
	file     *uploadFile
	hasher   *CIDHasher
	size     int64        // the file's size when opened
	opened   FileIdentity // the file's identity when opened
	total    int64        // len(head) + size + len(tail): the Content-Length
	head     []byte       // not yet sent
	tail     []byte       // not yet sent
	block    []byte       // the hasher's buffer holding pending; nil when none
	pending  []byte       // file bytes read, not yet handed out
	read     int64        // file bytes read
	sent     int64        // file bytes handed out
	fileDone bool         // all read, and the file checked unchanged
	fileHead []byte       // the file's first bytes read, at most liveProbeBytes
	progress func(sent, total int64)
	limit    *rateLimit // the client's bandwidth limit, or nil
	err      error      // sticky: every Read after a failure fails the same way
	localErr error      // the failure was the file's or the hasher's
	closed   bool       // finish or Close was called

	// stop is closed (halt) when the request ends without the upload's
	// ctx ending: net/http is done with the body, the upload takes it
	// back, or the connection is closed. A read of the file under way
	// is then given up, as when ctx ends: its Read holds mu, which
	// finish and Close wait for, and net/http's Do waits for it.
	stop      chan struct{}
	halting   sync.Once
	haltCause error                  // why stop was closed; set before it is
	unwatch   atomic.Pointer[func()] // stops watch's watching; nil when none
}

// bodyState is what the uploading goroutine learns from finish.
type bodyState struct {
	complete bool  // every byte of the file was read, checked and handed out
	sent     int64 // file bytes handed out
	localErr error // reading or hashing the file failed
}

// errBodyClosed ends reads that come after the upload gave up the body.
var errBodyClosed = errors.New("upload body already closed")

func newUploadBody(ctx context.Context, f *uploadFile, opened FileIdentity, head, tail []byte,
	hasher *CIDHasher, progress func(sent, total int64)) *uploadBody {
	size := opened.Size
	return &uploadBody{
		ctx:      ctx,
		file:     f,
		hasher:   hasher,
		size:     size,
		opened:   opened,
		total:    int64(len(head)) + size + int64(len(tail)),
		head:     head,
		tail:     tail,
		progress: progress,
		stop:     make(chan struct{}),
	}
}

// halt gives up a read of the file under way, and any later one, with
// cause; only the first cause is kept. It takes no lock: the Read it
// ends holds mu.
func (b *uploadBody) halt(cause error) {
	b.halting.Do(func() {
		b.haltCause = cause
		close(b.stop)
	})
}

// errConnClosed is the cause of a read of the file given up because the
// connection the upload was sent on was closed (dStor dropped it).
var errConnClosed = fmt.Errorf("the connection to dStor was closed: %w", net.ErrClosed)

// watch is told of the connection the body is sent on: when it is
// closed, a read of the file under way is given up (see
// writeIdleConn.whenClosed). A connection of a caller's transport cannot
// tell; a read there waits for the upload's ctx.
func (b *uploadBody) watch(info httptrace.GotConnInfo) {
	if c := dialedConn(info.Conn); c != nil {
		forget := c.whenClosed(func() { b.halt(errConnClosed) })
		b.unwatch.Store(&forget)
	}
}

// givenUp is fill's error once it gave up a look at the file: why, the
// ctx's cause or halt's.
func (b *uploadBody) givenUp() error {
	cause := context.Cause(b.ctx)
	if cause == nil {
		// Not ctx: stop, closed after haltCause was set.
		cause = b.haltCause
	}
	return fmt.Errorf("%w: %w", errReadGivenUp, cause)
}

// Read hands out head, file bytes and tail, in order, no faster than the
// bandwidth limit allows: it returns once the bytes are paid for (waiting
// without the lock, so finish never waits for the limit). It fills p as
// far as the body goes, across the parts: a small file's head, bytes and
// tail then reach the connection in one write, not three. Under a limit
// it hands out at most the limit's bucket (an eighth of a second's worth)
// at a time, so progress is told as the limit lets bytes go: a 64 KiB
// read at 2 KiB/s told nothing for 32 s, and the upload was said to be
// quiet, dStor taking no more of the file, while the limit held it.
func (b *uploadBody) Read(p []byte) (int, error) {
	if b.limit != nil {
		p = p[:b.limit.portion(len(p))]
	}
	n, err := 0, error(nil)
	for n < len(p) && err == nil {
		var m int
		m, err = b.next(p[n:])
		if m == 0 {
			break
		}
		n += m
	}
	if n > 0 && errors.Is(err, io.EOF) {
		err = nil // the next Read says EOF again
	}
	if n > 0 && b.limit != nil {
		if werr := b.limit.wait(b.ctx, n); werr != nil && err == nil {
			err = werr
		}
	}
	return n, err
}

// next is Read without the limit.
func (b *uploadBody) next(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.err != nil:
		return 0, b.err
	case b.handedOut():
		// net/http reads once more after Content-Length bytes to check for
		// extra data, possibly after Do returned and finish ran: answering
		// anything but EOF would make it drop the connection mid-answer.
		return 0, io.EOF
	case b.closed:
		return 0, errBodyClosed
	case len(p) == 0:
		return 0, nil
	}
	if err := b.ctx.Err(); err != nil {
		b.err = err
		return 0, err
	}
	if len(b.head) > 0 {
		n := copy(p, b.head)
		b.head = b.head[n:]
		return n, nil
	}
	if len(b.pending) == 0 && !b.fileDone {
		if err := b.fill(); err != nil {
			b.err = err
			if !errors.Is(err, errReadGivenUp) {
				b.localErr = err
			}
			return 0, err
		}
	}
	if len(b.pending) > 0 {
		n := copy(p, b.pending)
		b.pending = b.pending[n:]
		b.sent += int64(n)
		if b.progress != nil {
			b.progress(b.sent, b.size)
		}
		if len(b.pending) == 0 {
			if err := b.hashBlock(); err != nil {
				b.err, b.localErr = err, err
				return n, err
			}
		}
		return n, nil
	}
	n := copy(p, b.tail)
	b.tail = b.tail[n:]
	return n, nil
}

// sentHead is the file's first bytes read for the body (all of them were
// sent once the upload succeeded), for a live check of its link.
func (b *uploadBody) sentHead() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.fileHead
}

// handedOut reports that every byte of the body has been read.
func (b *uploadBody) handedOut() bool {
	return b.fileDone && len(b.head) == 0 && len(b.pending) == 0 && len(b.tail) == 0
}

// fill reads the next block of the file into a chunk buffer of the
// hasher; after the last one it checks that the file did not change. The
// reads and the check run off the transport's goroutine (offlocal.Until):
// on a network share or a USB disk that stopped answering they block for
// good, and net/http, which waits for a Read in progress before Do
// returns, held the upload's goroutine, the queue's Close (the window's
// quit) and its one-job Cancel with it. When ctx is done first, or the
// request ends (halt: dStor answered early, or dropped the connection),
// fill gives up with errReadGivenUp and leaves the block to the read left
// behind (not to the pool: it may still write into it), and the file too,
// which that read closes once it returns (uploadFile).
func (b *uploadBody) fill() error {
	if remaining := b.size - b.read; remaining > 0 {
		n := int(min(ChunkSize, remaining))
		block := b.hasher.takeChunk()[:n]
		before := b.read
		r, ok := lookAt(b.ctx, b.stop, b.file, func(f *os.File) blockRead { return readBlock(f, block, before) })
		if !ok {
			return b.givenUp()
		}
		b.read += int64(r.n)
		switch err := r.err; {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			b.hasher.putChunk(block)
			return fmt.Errorf("%w: it ended after %d bytes, but had %d when the upload started",
				ErrFileChanged, b.read, b.size)
		case err != nil:
			b.hasher.putChunk(block)
			return readError(b.file.Name(), err)
		}
		if b.fileHead == nil {
			b.fileHead = bytes.Clone(block[:min(len(block), liveProbeBytes)])
		}
		b.block, b.pending = block, block
	}
	if b.read == b.size {
		err, ok := lookAt(b.ctx, b.stop, b.file, b.checkUnchanged)
		if !ok {
			return b.givenUp()
		}
		if err != nil {
			return err
		}
		b.fileDone = true
		if b.size == 0 && b.progress != nil {
			b.progress(0, 0)
		}
	}
	return nil
}

// errCheckGivenUp is the cause of result's error when the upload ended
// (Close, Cancel, Pause) before the look whether its file is still the
// version sent returned, dStor having answered: not the file's fault.
var errCheckGivenUp = errors.New("the upload ended while its file was looked at again after dStor answered")

// errReadGivenUp is fill's error when the upload ended (Close, Cancel)
// or its request did (dStor answered early, or the connection was
// closed) before a read of the file returned: not the file's fault.
var errReadGivenUp = errors.New("the upload ended while the file was being read")

// blockRead is what readBlock read.
type blockRead struct {
	n   int
	err error
}

// readBlock fills block from f, whose bytes before it were read already;
// it touches nothing but f and block (fill may leave it behind).
func readBlock(f *os.File, block []byte, before int64) blockRead {
	n, err := io.ReadFull(f, block)
	if n > 0 {
		readhook.AfterRead(f.Name(), before+int64(n))
	}
	return blockRead{n, err}
}

// hashBlock gives the block the transport has just taken whole to the
// hasher, which owns it from now on.
func (b *uploadBody) hashBlock() error {
	block := b.block
	b.block = nil
	if err := b.hasher.writeOwned(block); err != nil {
		return fmt.Errorf("compute CID: %w", err)
	}
	return nil
}

// checkUnchanged verifies, once the expected bytes are read, that the file
// ends there and is still the version opened: same size, modification and
// change time, same file (see FileIdentity). A rewrite in place whose
// modification time was put back still moves the change time. It reads
// only fields that never change (fill may leave it behind).
func (b *uploadBody) checkUnchanged(f *os.File) error {
	var one [1]byte
	n, err := f.Read(one[:])
	if n > 0 {
		return fmt.Errorf("%w: it grew beyond the %d bytes it had when the upload started", ErrFileChanged, b.size)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return readError(f.Name(), err)
	}
	_, now, err := statOpen(f)
	if err != nil {
		return fmt.Errorf("stat the file: %w", err)
	}
	if !b.opened.sameVersion(now) {
		return fileChanged(f.Name(), describeChange(b.opened, now)+" during the upload")
	}
	return nil
}

// Close is called by net/http when it is done with the body.
func (b *uploadBody) Close() error {
	b.halt(errBodyClosed)
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	return nil
}

// finish takes the body back from net/http: it gives up a read of the
// file under way (dStor may answer before the whole file is sent, an
// error, while the read does not return), waits for the Read in
// progress, makes later ones fail, and says how far the file got.
func (b *uploadBody) finish() bodyState {
	b.halt(errBodyClosed)
	if forget := b.unwatch.Swap(nil); forget != nil {
		(*forget)()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	if b.block != nil { // a block the transport did not take whole
		b.hasher.putChunk(b.block)
		b.block, b.pending = nil, nil
	}
	return bodyState{complete: b.fileDone && b.sent == b.size, sent: b.sent, localErr: b.localErr}
}

// ParseAddResponse reads an IPFS add answer: one JSON object, or several
// (newline-delimited, or a JSON array), the last one with a Hash being the
// root. Size may be a string (as IPFS sends it) or a number. Objects
// without a Hash (progress reports) are skipped; IPFS's error object
// ("Type":"error") anywhere fails the whole answer (*addErrorAnswer).
func ParseAddResponse(body []byte) (AddResponse, error) {
	if firstByte(body) == '{' {
		// The usual answer, one object: read once. Whatever this cannot
		// read (several values, bad JSON) goes the general way below,
		// which reads one object exactly as this does.
		var o addFields
		if json.Unmarshal(body, &o) == nil {
			obj, ok, err := o.parse()
			if err != nil {
				return AddResponse{}, err
			}
			if !ok {
				return AddResponse{}, errors.New("parse add answer: no object with a Hash")
			}
			return obj, nil
		}
	}
	return parseAddStream(body)
}

// parseAddStream is ParseAddResponse for any answer: one or more JSON
// values, each an object or an array of objects.
func parseAddStream(body []byte) (AddResponse, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	var (
		root  AddResponse
		found bool
	)
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return AddResponse{}, fmt.Errorf("parse add answer: not JSON: %w", errAnswerCutShort)
		}
		if err != nil {
			return AddResponse{}, fmt.Errorf("parse add answer: not JSON: %w", err)
		}
		objs, err := addObjects(raw)
		if err != nil {
			return AddResponse{}, err
		}
		for _, o := range objs {
			if firstByte(o) != '{' {
				return AddResponse{}, errors.New("parse add answer: an array item is not a JSON object")
			}
			obj, ok, err := parseAddObject(o)
			if err != nil {
				return AddResponse{}, err
			}
			if ok {
				root, found = obj, true
			}
		}
	}
	if !found {
		return AddResponse{}, errors.New("parse add answer: no object with a Hash")
	}
	return root, nil
}

// addObjects are the objects one JSON value of an add answer holds: the
// value itself, or the items of an array (which ParseAddResponse checks
// are objects).
func addObjects(raw json.RawMessage) ([]json.RawMessage, error) {
	switch firstByte(raw) {
	case '{':
		return []json.RawMessage{raw}, nil
	case '[':
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("parse add answer: %w", err)
		}
		return items, nil
	}
	return nil, errors.New("parse add answer: expected a JSON object")
}

// parseAddObject reads one {"Name","Hash","Size"} object; ok is false when
// it has no Hash.
func parseAddObject(raw json.RawMessage) (AddResponse, bool, error) {
	var o addFields
	if err := json.Unmarshal(raw, &o); err != nil {
		return AddResponse{}, false, fmt.Errorf("parse add answer: %w", err)
	}
	return o.parse()
}

// addFields are the fields of one add answer object, as sent. Type and
// Message are those of IPFS's error object ({"Message","Code","Type":"error"}).
type addFields struct {
	Name    json.RawMessage
	Hash    json.RawMessage
	Size    json.RawMessage
	Type    json.RawMessage
	Message json.RawMessage
}

// addErrorAnswer is an add answer that holds IPFS's error object: the add
// failed after it began (IPFS writes it at the end of the stream, after
// the Hash of what it read), so the answer is no success whatever Hash it
// holds.
type addErrorAnswer struct{ message string }

func (e *addErrorAnswer) Error() string { return "parse add answer: an error object: " + e.message }

// parse checks and converts the fields; ok is false when there is no Hash.
func (o addFields) parse() (AddResponse, bool, error) {
	if typ, err := optionalString(o.Type); err == nil && strings.EqualFold(strings.TrimSpace(typ), "error") {
		msg, _ := optionalString(o.Message) // a message that is no string is not quoted
		return AddResponse{}, false, &addErrorAnswer{message: msg}
	}
	hash, err := optionalString(o.Hash)
	if err != nil {
		return AddResponse{}, false, fmt.Errorf("parse add answer: Hash: %w", err)
	}
	hash = strings.TrimSpace(hash)
	if hash == "" {
		return AddResponse{}, false, nil
	}
	name, err := optionalString(o.Name)
	if err != nil {
		return AddResponse{}, false, fmt.Errorf("parse add answer: Name: %w", err)
	}
	size, err := parseSize(o.Size)
	if err != nil {
		return AddResponse{}, false, fmt.Errorf("parse add answer: Size: %w", err)
	}
	return AddResponse{Name: name, Hash: hash, Size: size}, true, nil
}

// optionalString reads a JSON string that may be absent or null.
func optionalString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if s, ok := plainString(raw); ok {
		return s, nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("not a string")
	}
	return s, nil
}

// plainString is the string a JSON string literal holds when it needs no
// decoding: quoted, with no escape, no control character and valid UTF-8
// (which json.Unmarshal would replace); ok is false otherwise.
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return "", false
	}
	in := raw[1 : len(raw)-1]
	for _, c := range in {
		if c < 0x20 || c == '"' || c == '\\' {
			return "", false
		}
	}
	if !utf8.Valid(in) {
		return "", false
	}
	return string(in), true
}

// parseSize reads Size as a JSON string or number holding a non-negative
// integer; absent or null is 0.
func parseSize(raw json.RawMessage) (int64, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, errors.New("not a string or number")
		}
		s = strings.TrimSpace(s)
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, errors.New("negative")
		}
		return n, nil
	}
	// A number written with a fraction or exponent, such as 1.2e3.
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < 0 || f >= math.MaxInt64 {
		return 0, errors.New("not a non-negative integer")
	}
	return int64(f), nil
}

// firstByte is the first non-space byte of a JSON value.
func firstByte(raw []byte) byte {
	for _, c := range raw {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}
