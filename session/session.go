// Package session signs a person in to dStor, the same way for the window
// and the command line: which environment a name means, how an API key or
// an email and password are checked, which secrets go to the OS keyring,
// how a remembered account is signed in again, and when a stored token is
// still good enough to reuse. The window and the CLI only ask for the
// credentials and show the result.
package session

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TokenMargin is how long a stored login token must still be valid to be
// reused instead of signing in with the password again: long enough for a
// run of uploads to start with it.
const TokenMargin = 5 * time.Minute

// ErrNoPassword is a password sign-in with neither a password nor a stored
// token still valid for TokenMargin.
var ErrNoPassword = errors.New("enter your password")

// Credentials are what a person gives to sign in: an API key, or an email
// and password.
type Credentials struct {
	// Method is storage.MethodAPIKey or storage.MethodPassword.
	Method   string
	APIKey   string
	Email    string
	Password string
	// Remember keeps the password (in the keyring, see Keep; in memory for
	// the session), so that expired or rejected tokens are renewed with it
	// without asking.
	Remember bool
	// Token is a stored login token of a password account: used when there
	// is no password, while it is valid for at least TokenMargin, and when
	// dStor cannot be reached to check the password.
	Token string
}

// Session is a signed-in account: where it is, who it is and where its
// upload tokens come from.
type Session struct {
	Env    api.Environment
	EnvKey string // Env.Key(): the name accounts, secrets and history are filed under
	Client *api.Client
	// Account is the email of a password account, or the account id the
	// API key's token names.
	Account string
	Method  string
	Tokens  worker.TokenSource
	// Token is the token checked at sign-in, kept in the keyring so that a
	// password account can come back without its password.
	Token api.Token
	// withoutRememberMe is a password sign-in whose password is not to
	// be remembered (Remembered).
	withoutRememberMe bool
}

// SignIn checks creds against client's environment: an API key by minting
// a token with it (so a wrong key is reported now, not at the first
// upload), a password account by logging in with the password (see
// passwordToken). With an API key or a remembered password the session
// renews its tokens by itself, at expiry and after a 401; the person is
// asked again only when the key or the password itself is refused.
func SignIn(ctx context.Context, client *api.Client, creds Credentials, now time.Time) (*Session, error) {
	env := client.Environment()
	s := &Session{Env: env, EnvKey: env.Key(), Client: client, Method: creds.Method}
	if creds.Method == storage.MethodAPIKey {
		account, tokens, err := worker.SignInWithAPIKey(ctx, client, strings.TrimSpace(creds.APIKey))
		if err != nil {
			return nil, err
		}
		tok, err := tokens.Token(ctx, false) // the one just minted
		if err != nil {
			return nil, err
		}
		s.Account, s.Tokens, s.Token = account, tokens, tok
		return s, nil
	}
	s.Method = storage.MethodPassword
	s.Account = strings.TrimSpace(creds.Email)
	s.withoutRememberMe = !creds.Remember
	if err := api.ValidateEmail(s.Account); err != nil {
		return nil, err
	}
	tok, err := passwordToken(ctx, client, s.Account, creds, now)
	if err != nil {
		return nil, err
	}
	s.Token = tok
	if creds.Remember && creds.Password != "" {
		s.Tokens = worker.NewPasswordTokens(client, s.Account, creds.Password, tok)
	} else {
		s.Tokens = worker.NewStaticTokens(tok)
	}
	return s, nil
}

// passwordToken is the token a password sign-in starts with: a new one from
// the password when there is one (so a remembered account never comes back
// with a token the server no longer takes), else the stored token while it
// is valid for TokenMargin. When dStor cannot be reached, a stored token
// still valid serves (the password signs in again later); a password dStor
// rejects is never covered up by a stored token, nor is a stored token
// used that cannot be sent (api.Token.Sendable): it counts as none.
//
// Tokens are judged on dStor's clock (see reusable), and a token that is
// past its expiry on it when it arrives is an error signing in
// again would only repeat (api.FreshTokenUnusable: it names the clock only
// when dStor's differs, or is unknown). A new token naming another account
// than the stored one (both with a sub claim) is an
// *api.AccountChangedError: only a remembered account has a stored token.
func passwordToken(ctx context.Context, client *api.Client, email string, creds Credentials, now time.Time) (api.Token, error) {
	stored := api.ParseToken(creds.Token)
	if creds.Token != "" && !stored.Sendable() {
		// A damaged keyring entry (left by another version or program:
		// spaces, line breaks, control characters) is no token: reused,
		// it would sign in and then fail every upload, never sent.
		stored, creds.Token = api.Token{}, ""
	}
	if creds.Password == "" {
		if creds.Token != "" && reusable(ctx, client, &stored, now) {
			return stored, nil
		}
		return api.Token{}, ErrNoPassword
	}
	asked := time.Now()
	tok, err := client.TokenFromLogin(ctx, email, creds.Password)
	if err != nil && creds.Token != "" && stored.Valid(now, TokenMargin) && !errors.Is(err, api.ErrUnauthorized) && ctx.Err() == nil {
		return stored, nil
	}
	// The new token is judged as it arrived, not at now, which was before
	// the request: a slow login (seconds on a busy machine or network)
	// made a token past its expiry on arrival look valid, a sign-in whose
	// first upload is refused.
	arrived := now.Add(time.Since(asked))
	if err == nil && !tok.Valid(arrived, 0) {
		return api.Token{}, api.FreshTokenUnusable(tok, arrived, nil)
	}
	if err == nil && stored.Subject != "" && tok.Subject != "" && tok.Subject != stored.Subject {
		// A remembered account signed in again by itself: the account
		// this email stood for is not the one dStor signs it in to now.
		// Its uploads would go there while filed under this email, so
		// the person signs in again by hand, which compares nothing.
		return api.Token{}, &api.AccountChangedError{SignedIn: stored.Subject, Renewed: tok.Subject}
	}
	return tok, err
}

// reusable reports whether a stored login token is valid for TokenMargin
// on dStor's clock. It is judged on this computer's clock first; when that
// says no for a token whose expiry is known, dStor is asked for its time
// and the token judged again (and t keeps the offset), so a computer whose
// clock runs ahead does not throw a good token away and send its person
// round "signed in" / "sign-in expired" forever.
func reusable(ctx context.Context, client *api.Client, t *api.Token, now time.Time) bool {
	if t.Valid(now, TokenMargin) {
		return true
	}
	if t.ExpiresAt.IsZero() {
		return false
	}
	offset, err := client.MeasureServerClock(ctx)
	if err != nil || offset == 0 {
		return false
	}
	t.ServerOffset = offset
	return t.Valid(now, TokenMargin)
}

// AccountID is the dStor account the session's tokens name (the sub of
// the token checked at sign-in), or "" when it names none. An account
// signed in with its API key is filed under it; with its password, under
// its email.
func (s *Session) AccountID() string { return s.Token.Subject }

// Remembered is the account to list in the settings, so that the next
// start (window or CLI) finds it, and knows whether a password the keyring
// holds for it may sign in (WithoutRememberMe).
func (s *Session) Remembered() storage.RememberedAccount {
	return storage.RememberedAccount{Env: s.EnvKey, Account: s.Account, Method: s.Method,
		WithoutRememberMe: s.Method == storage.MethodPassword && s.withoutRememberMe}
}
