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
	// Token is a stored login token of a password account, reused when it
	// is valid for at least TokenMargin, so a remembered account signs in
	// again without sending its password.
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
}

// SignIn checks creds against client's environment: an API key by minting
// a token with it (so a wrong key is reported now, not at the first
// upload), a password account by reusing creds.Token while it is valid for
// TokenMargin at now, else by logging in with the password.
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
	if err := api.ValidateEmail(s.Account); err != nil {
		return nil, err
	}
	if t := api.ParseToken(creds.Token); creds.Token != "" && t.Valid(now, TokenMargin) {
		s.Token = t
	} else {
		if creds.Password == "" {
			return nil, ErrNoPassword
		}
		t, err := client.TokenFromLogin(ctx, s.Account, creds.Password)
		if err != nil {
			return nil, err
		}
		s.Token = t
	}
	s.Tokens = worker.NewStaticTokens(s.Token)
	return s, nil
}

// Remembered is the account to list in the settings, so that the next
// start (window or CLI) finds it.
func (s *Session) Remembered() storage.RememberedAccount {
	return storage.RememberedAccount{Env: s.EnvKey, Account: s.Account, Method: s.Method}
}
