package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
)

// TokenSource gives the queue a bearer token for each upload. It is an
// interface so the queue does not care how the person signed in: with an
// API key or a remembered password the source gets new tokens itself
// (NewAPIKeyTokens, NewPasswordTokens); with a password not remembered it
// cannot, and the person is asked again when the token expires
// (NewStaticTokens).
type TokenSource interface {
	// Token returns a usable token; force=true after a 401 asks for a fresh
	// one. An error wrapping ErrSignInRequired means no token can be had
	// without the person signing in again.
	Token(ctx context.Context, force bool) (api.Token, error)
}

// ErrSignInRequired means a login token expired or was rejected (or an API
// key was refused): the person must sign in again. The queue then waits in
// "waiting-sign-in" instead of failing every job.
var ErrSignInRequired = errors.New("sign in again to continue: the session expired or was rejected")

// refreshMargin is how long before `exp` a token is considered used up, so an
// upload never starts with a token that expires while it is being sent.
const refreshMargin = time.Minute

// DefaultTokenLifetime is the lifetime NewAPIKeyTokens asks for when given 0:
// short enough that a leaked token is soon useless, long enough that minting
// is rare.
const DefaultTokenLifetime = time.Hour

// NewAPIKeyTokens returns a TokenSource that mints tokens from an API key so
// long queues never stop for an expired token. Each token is asked to live
// lifetime on dStor's clock (x-expiration = dStor's now + lifetime, see
// api.Client.ServerOffset; 0 means DefaultTokenLifetime) and is reused until
// one minute before it expires on dStor's clock (a quarter of its real life
// for tokens living under four minutes, however long was asked), or until a
// forced refresh. So a wrong local clock neither makes it mint per file nor
// ask for a token born expired, and a server that issues short tokens costs
// one mint per token, not one per file. It is safe for concurrent use and
// mints one token at a time: callers that wait while another mints get that
// fresh token. A key the server refuses yields an error wrapping both
// ErrSignInRequired and api.ErrUnauthorized; a token past its expiry right
// after minting, even on dStor's clock, an api.FreshTokenUnusable error. The account
// is the one the first token names: a later token naming another (both
// with a sub claim) is never handed out, but an error wrapping
// ErrSignInRequired and an *api.AccountChangedError.
func NewAPIKeyTokens(c *api.Client, apiKey string, lifetime time.Duration) TokenSource {
	if lifetime <= 0 {
		lifetime = DefaultTokenLifetime
	}
	s := &renewingTokens{
		client:   c,
		lifetime: lifetime,
		margin:   marginFor(lifetime),
		now:      time.Now,
		mintSem:  make(chan struct{}, 1),
	}
	s.mint = func(ctx context.Context) (api.Token, error) {
		return c.TokenFromAPIKey(ctx, apiKey, s.now().Add(c.ServerOffset()).Add(s.lifetime))
	}
	return s
}

// NewPasswordTokens returns a TokenSource for an account whose password is
// remembered: it logs in again with the password when the token is about
// to expire (see NewAPIKeyTokens for the margin) or was rejected, so the
// person is asked to sign in only when the password itself is refused (an
// error wrapping ErrSignInRequired and api.ErrUnauthorized) or a new token
// names another account than first (see NewAPIKeyTokens). first, the
// token of the sign-in, is used while it is valid.
func NewPasswordTokens(c *api.Client, email, password string, first api.Token) TokenSource {
	margin := refreshMargin
	if !first.IssuedAt.IsZero() && first.ExpiresAt.After(first.IssuedAt) {
		margin = marginFor(first.ExpiresAt.Sub(first.IssuedAt))
	}
	s := &renewingTokens{
		client:  c,
		margin:  margin,
		now:     time.Now,
		mintSem: make(chan struct{}, 1),
		mint: func(ctx context.Context) (api.Token, error) {
			return c.TokenFromLogin(ctx, email, password)
		},
	}
	if first.Raw != "" {
		s.tok, s.have = first, true
		s.account = first.Subject
	}
	return s
}

// marginFor is how long before its expiry a token of that lifetime is
// renewed: refreshMargin, or a quarter of a lifetime under four of them.
func marginFor(lifetime time.Duration) time.Duration {
	if lifetime < 4*refreshMargin {
		return lifetime / 4
	}
	return refreshMargin
}

// renewingTokens is a TokenSource that gets its tokens from mint (with
// an API key or a remembered password), reusing each until margin before
// it expires on dStor's clock.
type renewingTokens struct {
	client   *api.Client // whose ServerOffset the mints learn
	mint     func(ctx context.Context) (api.Token, error)
	lifetime time.Duration // asked of the server (API keys), else 0
	margin   time.Duration
	now      func() time.Time
	mintSem  chan struct{} // a one-slot semaphore: one mint at a time

	mu   sync.Mutex
	tok  api.Token
	have bool
	gen  uint64 // incremented by every successful mint
	// account is the subject of the first token that named one: the
	// account signed in. A renewed token naming another is refused.
	account string
}

func (s *renewingTokens) Token(ctx context.Context, force bool) (api.Token, error) {
	s.mu.Lock()
	gen := s.gen
	if !force && s.have && s.tok.Valid(s.now(), s.margin) {
		tok := s.tok
		s.mu.Unlock()
		return tok, nil
	}
	s.mu.Unlock()

	select {
	case s.mintSem <- struct{}{}:
	case <-ctx.Done():
		return api.Token{}, context.Cause(ctx)
	}
	defer func() { <-s.mintSem }()

	// Someone minted while this caller waited: that token is as fresh as
	// the one this caller would mint (also for a forced refresh).
	s.mu.Lock()
	if s.gen != gen && s.have && s.tok.Valid(s.now(), s.margin) {
		tok := s.tok
		s.mu.Unlock()
		return tok, nil
	}
	s.mu.Unlock()

	tok, err := s.mintOnServerClock(ctx)
	if err != nil {
		if errors.Is(err, api.ErrUnauthorized) {
			return api.Token{}, fmt.Errorf("%w: %w", ErrSignInRequired, err)
		}
		return api.Token{}, err
	}
	s.mu.Lock()
	if s.account == "" {
		s.account = tok.Subject
	} else if tok.Subject != "" && tok.Subject != s.account {
		// Uploads with it would go to that account, filed under this
		// one: never used, and the person is asked to sign in again.
		signedIn := s.account
		s.mu.Unlock()
		return api.Token{}, fmt.Errorf("%w: %w", ErrSignInRequired, &api.AccountChangedError{SignedIn: signedIn, Renewed: tok.Subject})
	}
	s.tok, s.have = tok, true
	if life := tok.Lifetime(); life > 0 {
		s.margin = marginFor(life) // the real life, not the one asked for
	}
	s.gen++
	s.mu.Unlock()
	return tok, nil
}

// mintOnServerClock mints a token. The first mint may not know dStor's
// clock yet: when its answer shows the local clock is off and the token is
// already past its expiry there, it mints again, now on dStor's clock. A
// token still expired is an api.FreshTokenUnusable error (which names the
// clock only when the evidence points there).
func (s *renewingTokens) mintOnServerClock(ctx context.Context) (api.Token, error) {
	offset := s.client.ServerOffset()
	tok, err := s.mint(ctx)
	if err != nil {
		return api.Token{}, err
	}
	if !tok.Valid(s.now(), 0) && tok.ServerOffset != offset {
		if tok, err = s.mint(ctx); err != nil {
			return api.Token{}, err
		}
	}
	if !tok.Valid(s.now(), 0) {
		return api.Token{}, api.FreshTokenUnusable(tok, s.now(), nil)
	}
	return tok, nil
}

// NewStaticTokens returns a TokenSource for a token from a password sign-in
// whose password is not remembered, which the worker cannot renew by
// itself. It returns the token while it is
// valid for at least another minute, and ErrSignInRequired once it is not or
// when forced (the server rejected it), so the queue waits for sign-in.
func NewStaticTokens(tok api.Token) TokenSource {
	return &staticTokens{tok: tok, now: time.Now}
}

type staticTokens struct {
	tok api.Token
	now func() time.Time
}

func (s *staticTokens) Token(ctx context.Context, force bool) (api.Token, error) {
	if err := ctx.Err(); err != nil {
		return api.Token{}, context.Cause(ctx)
	}
	if force || !s.tok.Valid(s.now(), refreshMargin) {
		return api.Token{}, ErrSignInRequired
	}
	return s.tok, nil
}

// SignInWithAPIKey checks an API key by minting a token with it, so a wrong
// or expired key is reported when the person signs in rather than at the
// first upload, and returns the account the token names (its subject, or
// "api-key" when it has none) with a TokenSource that goes on minting. The
// window and the command line both sign in through it.
func SignInWithAPIKey(ctx context.Context, c *api.Client, apiKey string) (account string, ts TokenSource, err error) {
	if err := api.ValidateAPIKey(apiKey); err != nil {
		return "", nil, err
	}
	ts = NewAPIKeyTokens(c, apiKey, DefaultTokenLifetime)
	tok, err := ts.Token(ctx, false)
	if err != nil {
		return "", nil, err
	}
	if tok.Subject == "" {
		return "api-key", ts, nil
	}
	return tok.Subject, ts, nil
}
