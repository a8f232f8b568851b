package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// apiKeyEnvVar lets CI scripts pass an API key without a keyring and
// without argv (a process listing must never show a secret).
const apiKeyEnvVar = "DSTOR_API_KEY"

// cliEnv is the environment a command works with, plus the stable key under
// which its accounts and secrets are filed.
type cliEnv struct {
	api.Environment
	Key string
}

// resolveEnv turns --env (or the last one used) into an environment.
func resolveEnv(flagValue string, settings storage.Settings) (cliEnv, error) {
	s := flagValue
	if s == "" && settings.LastEnv != "sandbox" {
		s = settings.LastEnv // the window's sandbox is not reachable from here
	}
	if s == "" {
		s = "production"
	}
	if s == "sandbox" {
		return cliEnv{}, errors.New(`--env sandbox names the window's built-in sandbox; from the command line, start one with "dstor-uploader sandbox" and pass the "API base" it prints, e.g. --env http://127.0.0.1:8787`)
	}
	env, err := api.ParseEnvironment(s)
	if err != nil {
		return cliEnv{}, err
	}
	return cliEnv{Environment: env, Key: env.Key()}, nil
}

// session is a signed-in account: the name it is filed under and where its
// tokens come from.
type session struct {
	Account string
	Method  string
	Tokens  worker.TokenSource
}

// errNotSignedIn says what to run when no credentials are found.
type errNotSignedIn struct{ env string }

func (e errNotSignedIn) Error() string {
	return fmt.Sprintf("not signed in to %s: run \"dstor-uploader login --env %s --api-key-stdin\" (or --email … --password-stdin), or set %s", e.env, e.env, apiKeyEnvVar)
}

// signInWithAPIKey checks a key by minting a token with it, so a wrong key
// is reported at sign-in rather than at the first upload.
func signInWithAPIKey(ctx context.Context, c *api.Client, key string) (session, error) {
	account, ts, err := worker.SignInWithAPIKey(ctx, c, key)
	if err != nil {
		return session{}, err
	}
	return session{Account: account, Method: storage.MethodAPIKey, Tokens: ts}, nil
}

// signInWithPassword exchanges an email and password for a token; dStor
// gives no refresh, so the session ends when the token expires.
func signInWithPassword(ctx context.Context, c *api.Client, email, password string) (session, api.Token, error) {
	if err := api.ValidateEmail(email); err != nil {
		return session{}, api.Token{}, err
	}
	if password == "" {
		return session{}, api.Token{}, errors.New("the password is empty: type it on standard input")
	}
	tok, err := c.TokenFromLogin(ctx, email, password)
	if err != nil {
		return session{}, api.Token{}, err
	}
	return session{Account: email, Method: storage.MethodPassword, Tokens: worker.NewStaticTokens(tok)}, tok, nil
}

// tokenMargin is how long a stored login token must still be valid to be
// used for a new run of uploads.
const tokenMargin = 5 * time.Minute

// restoreSession finds credentials for env: DSTOR_API_KEY first (scripts),
// then the accounts remembered in settings, most recent first, with their
// secrets from the keyring.
func restoreSession(ctx context.Context, c *api.Client, env cliEnv, db *storage.DB, secrets *storage.SecretStore) (session, error) {
	if key := os.Getenv(apiKeyEnvVar); key != "" {
		s, err := signInWithAPIKey(ctx, c, key)
		if err != nil {
			return session{}, fmt.Errorf("%s: %w", apiKeyEnvVar, err)
		}
		return s, nil
	}
	settings, err := db.LoadSettings()
	if err != nil {
		return session{}, err
	}
	var lastErr error
	for _, acc := range settings.RememberedAccounts {
		if acc.Env != env.Key {
			continue
		}
		s, err := restoreAccount(ctx, c, env, acc, secrets)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	if lastErr != nil {
		return session{}, lastErr
	}
	return session{}, errNotSignedIn{env: env.Key}
}

func restoreAccount(ctx context.Context, c *api.Client, env cliEnv, acc storage.RememberedAccount, secrets *storage.SecretStore) (session, error) {
	switch acc.Method {
	case storage.MethodAPIKey:
		key, err := secrets.Get(env.Key, acc.Account, storage.SecretAPIKey)
		if err != nil {
			return session{}, keyringErr(env, acc, err)
		}
		s, err := signInWithAPIKey(ctx, c, key)
		if err != nil {
			return session{}, err
		}
		s.Account = acc.Account
		return s, nil
	default:
		if raw, err := secrets.Get(env.Key, acc.Account, storage.SecretToken); err == nil {
			if tok := api.ParseToken(raw); tok.Valid(time.Now(), tokenMargin) {
				return session{Account: acc.Account, Method: storage.MethodPassword, Tokens: worker.NewStaticTokens(tok)}, nil
			}
		}
		pw, err := secrets.Get(env.Key, acc.Account, storage.SecretPassword)
		if err != nil {
			return session{}, fmt.Errorf("the sign-in of %s on %s has expired: run \"dstor-uploader login --env %s --email %s --password-stdin\" (add --remember to stay signed in)", acc.Account, env.Key, env.Key, acc.Account)
		}
		s, tok, err := signInWithPassword(ctx, c, acc.Account, pw)
		if err != nil {
			return session{}, err
		}
		_ = secrets.Set(env.Key, acc.Account, storage.SecretToken, tok.Raw)
		return s, nil
	}
}

func keyringErr(env cliEnv, acc storage.RememberedAccount, err error) error {
	if errors.Is(err, storage.ErrSecretNotFound) {
		return fmt.Errorf("no API key for %s on %s in the keyring: run \"dstor-uploader login --env %s --api-key-stdin\"", acc.Account, env.Key, env.Key)
	}
	return fmt.Errorf("read the API key of %s from the keyring: %w", acc.Account, err)
}

// linkFor formats a shareable link in the style the person chose.
func linkFor(settings storage.Settings, env api.Environment, hash string) string {
	gateway := env.GatewayURL
	if settings.GatewayOverride != "" {
		gateway = settings.GatewayOverride
	}
	return api.FormatLink(settings.LinkStyle, gateway, hash)
}
