package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/numtext"
)

// Kind classifies a failed dStor request, so callers (the worker's retry
// loop, the UI) can branch on what happened without parsing messages.
type Kind int

// The kinds of failure a dStor request can end with. The zero Kind is not
// one of them: it means "unclassified".
const (
	// KindUnauthorized: dStor refused the credentials (401/403), e.g. a
	// wrong, expired or revoked API key, or a wrong password.
	KindUnauthorized Kind = iota + 1
	// KindTokenExpired: the access token is past its expiry (known locally
	// from its exp claim, or said so by the server); get a new token.
	KindTokenExpired
	// KindTooLarge: dStor refused the file as too large (413).
	KindTooLarge
	// KindRateLimited: too many requests (429); see Error.RetryAfter.
	KindRateLimited
	// KindServer: dStor failed on its side (5xx).
	KindServer
	// KindTimeout: the request or the server timed out (408, deadlines,
	// network timeouts).
	KindTimeout
	// KindUnreachable: the host could not be reached or the connection
	// broke (DNS, refused, reset, TLS).
	KindUnreachable
	// KindMalformed: dStor answered something this client cannot read (not
	// JSON, an HTML page, a redirect, a missing field).
	KindMalformed
	// KindBadRequest: dStor refused the request itself (other 4xx).
	KindBadRequest
	// KindHashMismatch: dStor's CIDv0 differs from the one computed locally.
	KindHashMismatch
	// KindCanceled: the caller's context was canceled.
	KindCanceled
	// KindUnverifiable: dStor answered a hash that cannot be compared with
	// the local CID (not a CID, or another codec or hash function); the
	// cause is an *UnverifiableHashError.
	KindUnverifiable
	// KindClock: a token cannot be used because this computer's clock and
	// dStor's disagree beyond what can be reconciled; the cause is a
	// *ClockError.
	KindClock
	// KindFreshToken: dStor refused as expired a token it had just issued,
	// or issued one already past its expiry, while its clock and this
	// computer's agree (or its time is unknown); the cause is a
	// *FreshTokenError.
	KindFreshToken
)

var kindNames = map[Kind]string{
	KindUnauthorized: "unauthorized",
	KindTokenExpired: "token expired",
	KindTooLarge:     "too large",
	KindRateLimited:  "rate limited",
	KindServer:       "server error",
	KindTimeout:      "timeout",
	KindUnreachable:  "unreachable",
	KindMalformed:    "malformed answer",
	KindBadRequest:   "bad request",
	KindHashMismatch: "hash mismatch",
	KindCanceled:     "canceled",
	KindUnverifiable: "unverifiable hash",
	KindClock:        "clock",
	KindFreshToken:   "fresh token unusable",
}

// String names the kind for logs and test failures.
func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "unknown (" + strconv.Itoa(int(k)) + ")"
}

// Error is every failure of a dStor request that is not a local validation
// error: it carries what a caller branches on (Kind, Status, RetryAfter) and
// what a person needs to act (Error and Human give a plain sentence).
// Message is sanitized: it never contains the secret that was sent.
type Error struct {
	Kind       Kind
	Status     int           // HTTP status; 0 when no answer arrived
	Message    string        // the server's message, sanitized, at most 200 bytes
	RetryAfter time.Duration // from the Retry-After header; 0 when absent
	Host       string        // host[:port] the request went to
	Op         string        // what was attempted: "upload", "get token from API key", "sign in"
	Err        error         // the cause, if any (network error, parse error, *HashMismatchError)
}

// The operations named in Error.Op (a caller that words the sentence
// itself, as the window does in its language, tells them apart).
const (
	OpAPIKey = "get token from API key"
	OpLogin  = "sign in"
	OpUpload = "upload"
)

// Sentinels to test an error's kind with errors.Is, whatever wraps it:
// errors.Is(err, api.ErrRateLimited). They compare by Kind only.
var (
	ErrUnauthorized error = &Error{Kind: KindUnauthorized}
	ErrTokenExpired error = &Error{Kind: KindTokenExpired}
	ErrTooLarge     error = &Error{Kind: KindTooLarge}
	ErrRateLimited  error = &Error{Kind: KindRateLimited}
	ErrServer       error = &Error{Kind: KindServer}
	ErrTimeout      error = &Error{Kind: KindTimeout}
	ErrUnreachable  error = &Error{Kind: KindUnreachable}
	ErrMalformed    error = &Error{Kind: KindMalformed}
	ErrBadRequest   error = &Error{Kind: KindBadRequest}
	ErrHashMismatch error = &Error{Kind: KindHashMismatch}
	ErrCanceled     error = &Error{Kind: KindCanceled}
	// ErrUnverifiableHash matches an upload whose answered hash cannot be
	// checked (KindUnverifiable or a bare *UnverifiableHashError).
	ErrUnverifiableHash error = &Error{Kind: KindUnverifiable}
	// ErrClock matches a token made unusable by a wrong clock (KindClock
	// or a bare *ClockError).
	ErrClock error = &Error{Kind: KindClock}
	// ErrFreshToken matches a token unusable right after it was issued,
	// not for this computer's clock (KindFreshToken or a bare
	// *FreshTokenError).
	ErrFreshToken error = &Error{Kind: KindFreshToken}
)

// ErrFileChanged reports that the file being uploaded was modified, grew or
// shrank between the moment it was opened and the end of the upload, so what
// dStor would have received is not the file on disk. The upload is aborted
// before its closing boundary, so dStor never accepts the torn copy.
var ErrFileChanged = errors.New("the file changed while it was being uploaded")

// Error gives a sentence a person can act on, followed by short technical
// detail in parentheses.
func (e *Error) Error() string {
	s := e.sentence()
	if d := e.detail(); d != "" {
		s += " (" + d + ")"
	}
	return s
}

// Unwrap exposes the cause, so errors.Is(err, context.Canceled) and
// errors.As(err, **HashMismatchError) work.
func (e *Error) Unwrap() error { return e.Err }

// Is makes the Err… sentinels match any *Error of the same Kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind != 0 && t.Kind == e.Kind
}

func (e *Error) hostName() string {
	if e.Host == "" {
		return "dStor"
	}
	return e.Host
}

// sentence is the human part of the message: what happened and what to do.
func (e *Error) sentence() string {
	switch e.Kind {
	case KindUnauthorized:
		return e.unauthorizedSentence()
	case KindTokenExpired:
		return "your dStor sign-in has expired — sign in again to get a new token"
	case KindTooLarge:
		return "the file is too large for dStor — the server refused it"
	case KindRateLimited:
		return e.retryLater("dStor is busy (too many requests) — retrying later may work")
	case KindServer:
		if errors.Is(e.Err, errAddFailed) {
			return e.retryLater("dStor reported an error while adding the file, so the upload is not counted as done — retrying later may work")
		}
		return e.retryLater("dStor is busy or having trouble — retrying later may work")
	case KindTimeout:
		switch {
		case errors.Is(e.Err, ErrSendStalled):
			return ErrSendStalled.Error() + " — check your connection; retrying may work"
		case errors.Is(e.Err, ErrSentNoAnswer):
			return ErrSentNoAnswer.Error() + ", so the upload is not counted as done — check your connection; retrying may work"
		case errors.Is(e.Err, ErrAnswerStopped):
			return "dStor began its answer, then stopped sending it, so the upload is not counted as done — check your connection; retrying may work"
		case errors.Is(e.Err, ErrAnswerTooLong):
			return fmt.Sprintf("dStor's answer was still arriving after %d minutes, far longer than any answer takes, so it was cut off and the upload is not counted as done — check your connection and any proxy in between; retrying may work", AnswerTotalTimeout/time.Minute)
		}
		return "dStor did not answer in time — check your connection; retrying may work"
	case KindUnreachable:
		return e.unreachableSentence()
	case KindMalformed:
		return e.malformedSentence()
	case KindBadRequest:
		return e.badRequestSentence()
	case KindHashMismatch:
		return causeSentence[*HashMismatchError](e.Err,
			"dStor stored the file under a different hash than the file's own — upload it again")
	case KindUnverifiable:
		return causeSentence[*UnverifiableHashError](e.Err,
			"dStor answered a hash that cannot be checked, so the upload is not counted as done — check the environment's upload URL, or upload the file again")
	case KindClock:
		return causeSentence[*ClockError](e.Err,
			"this computer's clock disagrees with dStor's — set the date, time and time zone correctly (automatic time), then try again")
	case KindFreshToken:
		return causeSentence[*FreshTokenError](e.Err,
			"dStor refused a token it had just issued — try again later, and tell dStor's support if it goes on")
	case KindCanceled:
		if e.Op == "" {
			return "canceled"
		}
		return e.Op + " canceled"
	}
	return "the dStor request failed"
}

// unauthorizedSentence says which credential dStor refused.
func (e *Error) unauthorizedSentence() string {
	switch {
	case e.Op == OpAPIKey:
		return "dStor rejected the API key — check it, or create a new one if it expired or was revoked"
	case e.Op == OpLogin:
		return "dStor rejected the email or password — check them and sign in again"
	case e.Status == 403:
		return "dStor refused access — sign in again, or check that the folder belongs to this account"
	}
	return "dStor refused the sign-in — sign in again"
}

// retryLater is s, followed by how long dStor asked to wait when it said.
func (e *Error) retryLater(s string) string {
	if e.RetryAfter > 0 {
		s += ", after " + e.RetryAfter.String()
	}
	return s
}

// SecureConnectionFailed reports an unreachable host whose secure
// connection could not be set up (TLS handshake or certificate).
func (e *Error) SecureConnectionFailed() bool {
	return e.Kind == KindUnreachable && isTLSError(e.Err)
}

// ConnectionBroke reports an unreachable host whose connection was made,
// then lost.
func (e *Error) ConnectionBroke() bool {
	return e.Kind == KindUnreachable && !isTLSError(e.Err) && isBrokenConnection(e.Err)
}

// unreachableSentence tells a failed secure connection and a broken one
// from a host that cannot be reached at all.
func (e *Error) unreachableSentence() string {
	switch {
	case e.SecureConnectionFailed():
		return "cannot set up a secure connection to " + e.hostName() +
			" — check the address, and the computer's date and time"
	case e.ConnectionBroke():
		var cut *answerCutError
		if errors.As(e.Err, &cut) {
			return "the connection to " + e.hostName() + " broke in the middle of dStor's answer — check your connection; retrying may work"
		}
		return "the connection to " + e.hostName() + " broke — check your connection; retrying may work"
	}
	return "cannot reach " + e.hostName() + " — check your connection"
}

// malformedSentence says what was wrong with an answer that could not be
// used, when that is known.
func (e *Error) malformedSentence() string {
	var tooLarge *answerTooLargeError
	var notStored *notStoredError
	switch {
	case e.Status >= 300 && e.Status < 400:
		return "dStor redirected the request elsewhere — check the environment's URLs (redirects are not followed, so credentials stay on the configured host)"
	case errors.As(e.Err, &tooLarge) && e.Op == OpUpload:
		return "dStor's answer to the upload was larger than " + numtext.Size(tooLarge.limit) +
			", far more than an upload's answer holds, so it was not read and the upload is not counted as done — check the environment's upload URL"
	case errors.As(e.Err, &tooLarge):
		return "dStor's answer was larger than " + numtext.Size(tooLarge.limit) +
			", far more than a sign-in's answer holds, so it was not read — check the environment's API base URL"
	case errors.Is(e.Err, errAnswerCutShort):
		return "dStor's answer ends in the middle of its JSON: the server, or a proxy in between, cut it short, " +
			"so the upload is not counted as done — upload the file again later; if this keeps happening, check the environment's upload URL and any proxy"
	case errors.As(e.Err, &notStored):
		return "dStor answered the upload with \"" + statusLine(notStored.status) + "\", which does not say the file was stored, " +
			"so the upload is not counted as done — check the environment's upload URL, or upload the file again later"
	case notHTTP(e.Err):
		return e.hostName() + " answered with something that is not HTTP, so it was not read" + notDone(e.Op) +
			" — check the environment's URLs (another service may answer at that address, or a proxy in between misbehaves)"
	case errors.Is(e.Err, errUnaskedExpectation):
		return "dStor, or a proxy in between, answered the upload with \"417 Expectation Failed\", refusing an " +
			"\"Expect: 100-continue\" the upload was sent without, so the upload is not counted as done " +
			"— check the environment's upload URL and any proxy in between, or upload the file again later"
	case errors.Is(e.Err, errSwitchedProtocols):
		return "dStor answered the upload with \"101 Switching Protocols\", a switch this app never asked for, so the upload is not counted as done " +
			"— check the environment's upload URL (it may not be dStor's add address, or a proxy in between misbehaves)"
	}
	return "dStor answered something this app cannot read — check the environment's URLs, or try again later"
}

// notDone is ", and the upload is not counted as done" for an upload.
func notDone(op string) string {
	if op == OpUpload {
		return ", and the upload is not counted as done"
	}
	return ""
}

// answerCutError is the cause of a KindUnreachable error whose connection
// broke after the answer had begun (err is the read's error).
type answerCutError struct{ err error }

func (e *answerCutError) Error() string {
	return "the connection broke in the middle of the answer: " + e.err.Error()
}

func (e *answerCutError) Unwrap() error { return e.err }

// badRequestSentence points at what to check: the environment's URLs for
// an unknown address, else what the person entered.
func (e *Error) badRequestSentence() string {
	switch {
	case e.Status == 404:
		return "dStor has no such address — check the environment's URLs"
	case e.Op == OpUpload:
		return "dStor refused the upload request — check the folder, parent id and comment"
	}
	return "dStor refused the request — check what was entered"
}

// causeSentence is the sentence of the cause of type C in err's chain,
// which knows the details (both hashes, the clocks' difference), else
// fallback.
func causeSentence[C interface {
	error
	sentence() string
}](err error, fallback string) string {
	var c C
	if errors.As(err, &c) {
		return c.sentence()
	}
	return fallback
}

// detail is the technical part: operation, status and server message, or
// the cause.
func (e *Error) detail() string {
	if e.Kind == KindHashMismatch || e.Kind == KindUnverifiable || e.Kind == KindClock || e.Kind == KindFreshToken || e.Kind == KindCanceled {
		return "" // the sentence already says everything (Human adds dStor's message)
	}
	var parts []string
	if e.Status != 0 {
		parts = append(parts, "HTTP "+strconv.Itoa(e.Status))
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	} else if e.Err != nil {
		parts = append(parts, causeText(e.Err))
	}
	d := strings.Join(parts, ": ")
	if e.Op == "" || d == "" {
		return d
	}
	return e.Op + ", " + d
}

// causeText shortens a cause for display: url.Error repeats the method and
// URL, which the Op and Host already say. Libraries quote a server's bytes
// in their errors (net/http a status line it cannot read): every secret
// this process's clients sent, and anything shaped like a token, is
// redacted before the text is cut.
func causeText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	return truncate(cleanText(redactLogged(err.Error())), maxMessageLen)
}

// HashMismatchError carries both hashes when dStor's answer is a CIDv0 that
// differs from the CID computed from the bytes sent: the file may have been
// damaged on the way, and the person must see both values.
type HashMismatchError struct {
	Local  string // CIDv0 computed from the bytes sent
	Remote string // CIDv0 dStor answered
}

// Error states both hashes.
func (e *HashMismatchError) Error() string {
	return "hash mismatch: dStor answered " + e.Remote + ", the file's own CID is " + e.Local
}

// Is lets errors.Is(err, ErrHashMismatch) hold even when a
// *HashMismatchError is returned bare.
func (e *HashMismatchError) Is(target error) bool { return target == ErrHashMismatch }

func (e *HashMismatchError) sentence() string {
	return "dStor stored the file under hash " + e.Remote + ", but the file's own hash is " + e.Local +
		" — it may have been damaged on the way; upload it again"
}

// ClockError reports a token that cannot be used because this computer's
// clock and dStor's disagree and the difference cannot be reconciled: dStor
// gave no time to measure it by, or a token minted with the difference
// corrected is still past its expiry. The sentence names the clock, since
// signing in again would only repeat the failure.
type ClockError struct {
	Local   time.Time // this computer's clock when it was noticed
	Server  time.Time // dStor's clock then; zero when unknown
	Expires time.Time // the token's exp
}

// Error states the times involved.
func (e *ClockError) Error() string { return e.sentence() }

// Is lets errors.Is(err, ErrClock) hold for a bare *ClockError.
func (e *ClockError) Is(target error) bool { return target == ErrClock }

func (e *ClockError) sentence() string {
	const layout = "2006-01-02 15:04:05 MST"
	s := "this computer's clock says " + e.Local.UTC().Format(layout)
	if !e.Server.IsZero() {
		s += " and dStor's says " + e.Server.UTC().Format(layout)
	}
	return s + ", so the token dStor issued (valid until " + e.Expires.UTC().Format(layout) +
		") cannot be used — set this computer's date, time and time zone correctly (automatic time), then try again"
}

// AccountChangedError reports a renewed token that names another account
// (its sub claim) than the one the session signed in as. Such a token is
// never used: an upload with it would go to that other account while the
// history files it under the one signed in. The person signs in again.
type AccountChangedError struct {
	SignedIn string // the account id of the session's first token
	Renewed  string // the account id the renewed token names
}

// Error is the sentence.
func (e *AccountChangedError) Error() string { return e.sentence() }

func (e *AccountChangedError) sentence() string {
	// Whole, as long as an account name may be (ids alike at the start
	// are told apart by their end): the person compares the two.
	return "dStor renewed the sign-in for another account (" + truncateMiddle(cleanText(e.Renewed), maxEmailLen) +
		") than the one signed in (" + truncateMiddle(cleanText(e.SignedIn), maxEmailLen) +
		"), so nothing more is uploaded with it; the files not yet uploaded stay in the queue — sign in again to continue"
}

// FreshTokenError reports a token that cannot be used right after dStor
// issued it — refused as expired at once, or past its expiry on arrival —
// when nothing shows this computer's clock to be the cause: dStor's clock
// (the answer's Date, or the token's iat) agrees with it, or dStor did not
// say its time and the token is not past its expiry here. Neither signing
// in again nor setting the clock would help.
type FreshTokenError struct {
	Refused bool      // dStor refused it (a 401); false: it arrived already expired
	Local   time.Time // this computer's clock when it was noticed
	Server  time.Time // dStor's clock then; zero when dStor did not say
	Expires time.Time // the token's exp
}

// Error states the times involved.
func (e *FreshTokenError) Error() string { return e.sentence() }

// Is lets errors.Is(err, ErrFreshToken) hold for a bare *FreshTokenError.
func (e *FreshTokenError) Is(target error) bool { return target == ErrFreshToken }

func (e *FreshTokenError) sentence() string {
	const layout = "2006-01-02 15:04:05 MST"
	s := "dStor issued a token already past its expiry"
	if e.Refused {
		s = "dStor refused as expired a token it issued moments ago"
	}
	s += " (valid until " + e.Expires.UTC().Format(layout) + ")"
	const then = "try again later, and tell dStor's support if it goes on"
	if e.Server.IsZero() {
		return s + "; dStor did not say its time, so check that this computer's date and time are right (it says " +
			e.Local.UTC().Format(layout) + ") — if they are, " + then
	}
	return s + ", although dStor's clock and this computer's agree (" + e.Local.UTC().Format(layout) +
		") — the clock is not the cause and signing in again would not help; " + then
}

// FreshTokenUnusable is the error for tok, which cannot be used right
// after it was issued: refusal is dStor's refusal of it as expired, or
// nil when the token arrived past its expiry. It names this computer's
// clock (an ErrClock error) only where the evidence points there: dStor's
// clock differs from this computer's (tok.ServerOffset), or, dStor's time
// unknown, the token arrived past its expiry by this computer's clock.
// Otherwise it is an ErrFreshToken error that says dStor is at fault, and
// keeps the refusal's status and message.
func FreshTokenUnusable(tok Token, now time.Time, refusal error) error {
	if tok.ServerOffset != 0 || (!tok.ServerTimeKnown && refusal == nil) {
		ce := &ClockError{Local: now, Expires: tok.ExpiresAt}
		if tok.ServerOffset != 0 {
			ce.Server = tok.ServerNow(now)
		}
		return &Error{Kind: KindClock, Err: ce}
	}
	fe := &FreshTokenError{Refused: refusal != nil, Local: now, Expires: tok.ExpiresAt}
	if tok.ServerTimeKnown {
		fe.Server = tok.ServerNow(now)
	}
	e := &Error{Kind: KindFreshToken, Err: fe}
	var re *Error
	if errors.As(refusal, &re) {
		e.Status, e.Message, e.Host, e.Op = re.Status, re.Message, re.Host, re.Op
	}
	return e
}

// Retryable reports whether trying the same request again later may work:
// network failures, timeouts, 429 and 5xx, and a token request answered
// with something that is not a token (a captive portal's or a proxy's
// page with 200, broken JSON: it carried no file, so asking again costs
// nothing). It is false for refusals (4xx), an upload's malformed answer,
// hash mismatches, local validation errors and cancellation.
// KindTokenExpired is not retryable as is: get a new token first.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		switch e.Kind {
		case KindUnreachable:
			// A certificate that does not verify will not verify later.
			return !isCertificateError(e.Err)
		case KindTimeout, KindRateLimited, KindServer:
			return true
		case KindMalformed:
			return e.Op == OpAPIKey || e.Op == OpLogin
		}
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, ErrFileChanged) {
		return false
	}
	// A local file's errno (ENOENT, EACCES…) satisfies net.Error too;
	// trying again cannot make a missing or unreadable file readable.
	var ve *ValidationError
	if errors.As(err, &ve) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// RetryAfter is how long the server asked to wait before retrying (from its
// Retry-After header), or 0 when it did not say.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

// Human turns any error into one sentence for a dialog or the command line:
// what happened and what the person can do, without technical detail
// (except the server's own message, which is sanitized). It falls back to
// err.Error().
func Human(err error) string {
	if err == nil {
		return ""
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Message
	}
	var e *Error
	if errors.As(err, &e) {
		s := e.sentence()
		if e.Message != "" && e.Kind != KindHashMismatch && e.Kind != KindUnverifiable {
			s += " (dStor said: " + strconv.Quote(e.Message) + ")"
		}
		return s
	}
	var hm *HashMismatchError
	if errors.As(err, &hm) {
		return hm.sentence()
	}
	var uh *UnverifiableHashError
	if errors.As(err, &uh) {
		return uh.sentence()
	}
	var cm *ChecksumMismatchError
	if errors.As(err, &cm) {
		return cm.sentence()
	}
	var ce *ClockError
	if errors.As(err, &ce) {
		return ce.sentence()
	}
	var fe *FreshTokenError
	if errors.As(err, &fe) {
		return fe.sentence()
	}
	var ac *AccountChangedError
	if errors.As(err, &ac) {
		return ac.sentence()
	}
	switch {
	case errors.Is(err, ErrFileChanged):
		return "the file changed while it was being uploaded — wait until nothing is writing to it, then upload it again"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "it took too long — check your connection and try again"
	}
	return err.Error()
}

// isTLSError reports a failed TLS handshake or certificate check.
func isTLSError(err error) bool {
	if err == nil {
		return false
	}
	var rh tls.RecordHeaderError
	var ae tls.AlertError
	return isCertificateError(err) || errors.As(err, &rh) || errors.As(err, &ae)
}

// isCertificateError reports a certificate that did not verify.
func isCertificateError(err error) bool {
	if err == nil {
		return false
	}
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci)
}

// isBrokenConnection reports a connection that was established and then
// lost (as opposed to one that could not be made).
func isBrokenConnection(err error) bool {
	if err == nil {
		return false
	}
	var dns *net.DNSError
	var op *net.OpError
	if errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial") {
		return false // never connected
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	for _, errno := range lostConnErrnos {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// transportError classifies an error from http.Client.Do (or from reading a
// response body): cancellation, timeout, or an unreachable host.
func transportError(ctx context.Context, op, host string, err error) *Error {
	e := &Error{Op: op, Host: host, Err: err}
	var ne net.Error
	switch {
	case errors.Is(err, context.Canceled) || errors.Is(ctx.Err(), context.Canceled):
		e.Kind = KindCanceled
		if !errors.Is(err, context.Canceled) {
			e.Err = fmt.Errorf("%w (%w)", context.Canceled, err)
		}
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		e.Kind = KindTimeout
		if !errors.Is(err, context.DeadlineExceeded) {
			e.Err = fmt.Errorf("%w (%w)", context.DeadlineExceeded, err)
		}
	case errors.As(err, &ne) && ne.Timeout():
		e.Kind = KindTimeout
	case notHTTP(err):
		// net/http quotes the bytes it could not read, which a server can
		// make of the credentials it was sent: only their redacted text is
		// kept (nothing else of the error is needed).
		e.Kind = KindMalformed
		e.Err = &notHTTPError{text: causeText(err)}
	default:
		e.Kind = KindUnreachable
	}
	return e
}

// notHTTPError is the cause of a KindMalformed error whose answer was not
// HTTP: net/http's words, its secrets redacted.
type notHTTPError struct{ text string }

func (e *notHTTPError) Error() string { return e.text }

// notHTTP reports a transport error for an answer that is not HTTP: a
// status line or header net/http cannot parse (another service on the
// port, a 1xx with a body, a broken proxy). The host was reached and
// answered; it would answer the same again. net/http's errors for these
// have no type of their own: their words are matched (pinned by
// TestUploadBrokenAnswers).
func notHTTP(err error) bool {
	var n *notHTTPError
	if errors.As(err, &n) {
		return true
	}
	if err == nil {
		return false
	}
	var pe textproto.ProtocolError
	s := err.Error()
	return errors.As(err, &pe) || strings.Contains(s, "malformed HTTP ") || strings.Contains(s, "malformed MIME header")
}

// statusError builds the typed error for a non-2xx answer. tokenPastExpiry
// says whether the token that was sent is known to be past its exp claim.
func statusError(op, host string, status int, header headerGetter, body []byte, now time.Time, tokenPastExpiry bool, secrets ...string) *Error {
	if encoded(header) {
		body = nil // its bytes are not its text: not quoted
	}
	e := &Error{
		Status:     status,
		Op:         op,
		Host:       host,
		Message:    serverMessage(header.Get("Content-Type"), body, secrets...),
		RetryAfter: parseRetryAfter(header.Get("Retry-After"), now),
	}
	switch {
	case status == 401:
		e.Kind = KindUnauthorized
		if op == OpUpload && (tokenPastExpiry || strings.Contains(strings.ToLower(e.Message), "expired")) {
			e.Kind = KindTokenExpired
		}
	case status == 403:
		e.Kind = KindUnauthorized
	case status == 408:
		e.Kind = KindTimeout
	case status == 413:
		e.Kind = KindTooLarge
	case status == 429:
		e.Kind = KindRateLimited
	case status >= 500:
		e.Kind = KindServer
	case status >= 400:
		e.Kind = KindBadRequest
	case status >= 300:
		e.Kind = KindMalformed
		if loc := header.Get("Location"); loc != "" {
			e.Message = sanitize("redirect to "+loc, secrets...)
		}
	default:
		e.Kind = KindMalformed
	}
	return e
}

// encoded reports whether an answer's body is encoded (Content-Encoding
// gzip, br, …), which the client never asks for, so the transport leaves
// it as it came: its bytes are not the text they encode.
func encoded(header headerGetter) bool {
	ce := strings.TrimSpace(header.Get("Content-Encoding"))
	return ce != "" && !strings.EqualFold(ce, "identity")
}

// headerGetter is the part of http.Header that statusError needs.
type headerGetter interface{ Get(string) string }

// maxRetryAfter caps a server's Retry-After so a bogus value cannot park a
// job for days.
const maxRetryAfter = 24 * time.Hour

// parseRetryAfter reads Retry-After as delay-seconds (a float is accepted)
// or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs != secs || secs <= 0 { // NaN or not in the future
			return 0
		}
		if secs >= maxRetryAfter.Seconds() {
			return maxRetryAfter
		}
		d = time.Duration(secs * float64(time.Second))
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxRetryAfter)
}
