package session

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// Keep files in the keyring what s needs to sign in again: the API key, or
// (with remember) the password — a password not to be remembered is
// deleted — and, for both, the token checked at sign-in. It goes on past a
// refused secret, so one failure does not cost the others, and returns the
// first error of what signs in again: the key, the password, or, for a
// password not remembered, the token; else a *PasswordNotDeletedError when
// the keyring would not delete a password not to be remembered. Nothing is
// written anywhere but the keyring.
func Keep(secrets *storage.SecretStore, s *Session, creds Credentials, remember bool) error {
	var first error
	note := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	var notDeleted error
	if s.Method == storage.MethodAPIKey {
		note(secrets.Set(s.EnvKey, s.Account, storage.SecretAPIKey, creds.APIKey))
	} else if remember {
		note(secrets.Set(s.EnvKey, s.Account, storage.SecretPassword, creds.Password))
	} else if err := secrets.Delete(s.EnvKey, s.Account, storage.SecretPassword); err != nil {
		// It signs in to nothing once s.Remembered() is in the
		// settings (WithoutRememberMe), and goes at a later read.
		notDeleted = &PasswordNotDeletedError{Account: s.Account, Err: err}
	}
	err := KeepToken(secrets, s)
	switch {
	case s.Method == storage.MethodPassword && !remember:
		note(err) // the token is all there is to sign in again with
	case s.Method == storage.MethodPassword && first != nil &&
		(err == nil || (errors.Is(err, storage.ErrKeyringTimeout) && !errors.Is(first, storage.ErrKeyringTimeout))):
		// ReadSaved reads a password account's token (not a key's):
		// the next start signs in with it while it lasts. So it does
		// when the token's write, answered late, lands: the password
		// refused outright is what the person is told of, which is
		// true whether it lands or not (the sign-in lasts until the
		// quit or the token's end, then asks for the password).
		first = &PasswordNotKeptError{Account: s.Account, Err: first}
	}
	// Else the key or the password signs in again, and a token the
	// keyring refuses (too long for it, say) only costs a request then.
	return cmp.Or(first, notDeleted)
}

// PasswordNotKeptError is a password "Remember me" asked to keep that the
// keyring refused (Err) while it kept the sign-in's token, or answered
// its write late (it may keep it yet): the next start signs in with that
// token while it lasts, if kept, then asks for the password.
// Callers branch on it so as not to say that the sign-in is kept only
// until the app quits.
type PasswordNotKeptError struct {
	Account string
	Err     error
}

func (e *PasswordNotKeptError) Error() string {
	return fmt.Sprintf("the keyring did not keep the password of %s (only the token of its sign-in): %v", e.Account, e.Err)
}

func (e *PasswordNotKeptError) Unwrap() error { return e.Err }

// PasswordNotDeletedError is a password kept by an earlier remembered
// sign-in that the keyring would not delete when the account signed in
// without "Remember me": the sign-in is kept, and, with the account
// remembered as Session.Remembered says (WithoutRememberMe), the password
// is never used and each ReadSaved tries to delete it again; but until then
// the keyring holds it, which the person is told.
type PasswordNotDeletedError struct {
	Account string
	Err     error
}

func (e *PasswordNotDeletedError) Error() string {
	return fmt.Sprintf("the keyring did not delete the password kept for %s: %v", e.Account, e.Err)
}

func (e *PasswordNotDeletedError) Unwrap() error { return e.Err }

// KeepToken files s's current token in the keyring (after a remembered
// account signed in again: its key or password is there already).
func KeepToken(secrets *storage.SecretStore, s *Session) error {
	return secrets.Set(s.EnvKey, s.Account, storage.SecretToken, s.Token.Raw)
}

// DropTokenIfSignedOut reports whether the account s signed in with by
// itself (Restore, the window's start) is no longer remembered in db's
// settings: a logout in another process signed it out after the sign-in
// read the keyring. Then it removes the token the sign-in just filed
// (KeepToken), since no remembered account names it any more and so no
// later logout would find it; only that token, as a login since then keeps
// its own. The command line's logout sweeps the keyring once more after it
// forgets the account, so whichever of the two comes last removes it. The
// caller goes on with the sign-in it holds. Unreadable settings remember
// nobody and tell nothing: it reports false then.
func DropTokenIfSignedOut(db *storage.DB, secrets *storage.SecretStore, s *Session) bool {
	settings, err := db.LoadSettings()
	if err != nil || settings.Remembers(s.EnvKey, s.Account) {
		return false
	}
	if tok, err := secrets.Get(s.EnvKey, s.Account, storage.SecretToken); err == nil && tok == s.Token.Raw {
		_ = secrets.Delete(s.EnvKey, s.Account, storage.SecretToken)
	}
	return true
}

// Forget removes every secret of account a from the keyring (signing out;
// the caller drops the account from the remembered ones), also those filed
// under another spelling of its environment (a.FiledUnder).
func Forget(secrets *storage.SecretStore, a storage.RememberedAccount) error {
	for _, env := range []string{a.Env, a.FiledUnder} {
		if env == "" {
			continue
		}
		if err := secrets.DeleteAccount(env, a.Account); err != nil {
			return fmt.Errorf("remove %s's secrets from the keyring: %w", a.Account, err)
		}
	}
	return nil
}

// getSecret reads the kind secret of a: filed under its environment, or
// else under the spelling it was filed under before environments were
// keyed in normal form (a.FiledUnder), which it then moves to its
// environment (a failed move costs another look next time, no more).
func getSecret(secrets *storage.SecretStore, a storage.RememberedAccount, kind storage.SecretKind) (string, error) {
	v, err := secrets.Get(a.Env, a.Account, kind)
	if !errors.Is(err, storage.ErrSecretNotFound) || a.FiledUnder == "" {
		return v, err
	}
	v, err = secrets.Get(a.FiledUnder, a.Account, kind)
	if err != nil {
		return "", err
	}
	if secrets.Set(a.Env, a.Account, kind, v) == nil {
		_ = secrets.Delete(a.FiledUnder, a.Account, kind)
	}
	return v, nil
}

// forgetPassword deletes the password of a password account signed in to
// without "Remember me" (a.WithoutRememberMe) from the keyring, under
// every spelling it may be filed under. A deletion that fails is tried
// again at the next read: the password is not used meanwhile.
func forgetPassword(secrets *storage.SecretStore, a storage.RememberedAccount) {
	for _, env := range []string{a.Env, a.FiledUnder} {
		if env != "" {
			_ = secrets.Delete(env, a.Account, storage.SecretPassword)
		}
	}
}

// Saved is a remembered account with what the keyring holds for it.
type Saved struct {
	storage.RememberedAccount
	Credentials
}

// ErrNotSignedIn means no account of an environment is remembered.
type ErrNotSignedIn struct{ EnvKey string }

func (e *ErrNotSignedIn) Error() string { return "not signed in to " + e.EnvKey }

// ReadSaved reads the credentials of account a from the keyring: its API key,
// or its stored token and (when remembered) password; a password of an
// account signed in to without "Remember me" is deleted instead (see
// storage.RememberedAccount.WithoutRememberMe). An error says which
// secret is missing and how to sign in again, or, when the keyring failed
// to answer and nothing was read, why (never "expired" then: the secrets
// may well be there).
func ReadSaved(secrets *storage.SecretStore, a storage.RememberedAccount) (Saved, error) {
	sv := Saved{RememberedAccount: a, Credentials: Credentials{Method: a.Method}}
	if a.Method == storage.MethodAPIKey {
		key, err := getSecret(secrets, a, storage.SecretAPIKey)
		if errors.Is(err, storage.ErrSecretNotFound) {
			return sv, &MissingSecretError{Account: a, Kind: storage.SecretAPIKey}
		}
		if err != nil {
			return sv, fmt.Errorf("read the API key of %s from the keyring: %w", a.Account, err)
		}
		sv.APIKey = key
		return sv, nil
	}
	sv.Email = a.Account
	var readErr error // a keyring that failed to answer, not one without the secret
	t, err := getSecret(secrets, a, storage.SecretToken)
	if err == nil {
		sv.Token = t
	} else if !errors.Is(err, storage.ErrSecretNotFound) {
		readErr = err
	}
	if a.WithoutRememberMe {
		// A password kept before "Remember me" was unticked, which the
		// keyring was out of reach to delete then (or refused to): it
		// goes now, and signs in to nothing meanwhile.
		forgetPassword(secrets, a)
	} else if p, err := getSecret(secrets, a, storage.SecretPassword); err == nil {
		sv.Password, sv.Remember = p, true
	} else if !errors.Is(err, storage.ErrSecretNotFound) && readErr == nil {
		readErr = err
	}
	if sv.Password == "" && sv.Token == "" {
		if readErr != nil {
			return sv, fmt.Errorf("read the sign-in of %s from the keyring: %w", a.Account, readErr)
		}
		return sv, &MissingSecretError{Account: a, Kind: storage.SecretPassword}
	}
	return sv, nil
}

// Newest is the remembered account of envKey ("" = of any environment)
// signed in to last: the one a start signs in as by itself (Restore, the
// window), never one signed in to before it, which is another dStor
// account and would get the uploads of a person who last signed in to
// this one.
func Newest(settings storage.Settings, envKey string) (storage.RememberedAccount, bool) {
	for _, a := range settings.RememberedAccounts {
		if envKey == "" || a.Env == envKey {
			return a, true
		}
	}
	return storage.RememberedAccount{}, false
}

// MissingSecretError is a remembered account whose key, or whose password
// and token, are not in the keyring (signed out elsewhere, a keyring reset,
// or one that refused them, or never answered their write, at sign-in), or
// (Expired) whose token expired without a remembered password: what is
// said of it differs, as "expired" is untrue of a sign-in never kept.
type MissingSecretError struct {
	Account storage.RememberedAccount
	Kind    storage.SecretKind
	// Expired: the keyring held the token, and dStor said it expired.
	Expired bool
}

func (e *MissingSecretError) Error() string {
	switch {
	case e.Kind == storage.SecretAPIKey:
		return fmt.Sprintf("no API key for %s on %s in the keyring", e.Account.Account, e.Account.Env)
	case e.Expired:
		return fmt.Sprintf("the sign-in of %s on %s has expired", e.Account.Account, e.Account.Env)
	}
	return fmt.Sprintf("the keyring holds no sign-in of %s on %s", e.Account.Account, e.Account.Env)
}

// DamagedKeyError is a remembered API-key account whose key in the keyring
// is not an API key at all (of another length or alphabet: an entry an
// older version or another program left). Signing in with the key again
// replaces it. It names the environment only: an API key's account is an
// internal id, and the entry's value is a secret.
type DamagedKeyError struct {
	Account storage.RememberedAccount
}

func (e *DamagedKeyError) Error() string {
	return fmt.Sprintf("the API key kept in the keyring for %s is damaged (it is not a dStor API key)", e.Account.Env)
}

// Restore signs in again with the account of client's environment signed
// in to last (Newest), and keeps its fresh token. When that sign-in fails
// it returns why, and tries no account signed in to before it. It returns
// *ErrNotSignedIn when no account of the environment is remembered.
func Restore(ctx context.Context, client *api.Client, settings storage.Settings, secrets *storage.SecretStore) (*Session, error) {
	envKey := client.Environment().Key()
	if a, ok := Newest(settings, envKey); ok {
		return restoreAccount(ctx, client, secrets, a)
	}
	return nil, &ErrNotSignedIn{EnvKey: envKey}
}

// noSubject is the account an API key is filed under when its tokens
// name none (worker.SignInWithAPIKey).
const noSubject = "api-key"

func restoreAccount(ctx context.Context, client *api.Client, secrets *storage.SecretStore, a storage.RememberedAccount) (*Session, error) {
	sv, err := ReadSaved(secrets, a)
	if err != nil {
		return nil, err
	}
	if a.Method == storage.MethodAPIKey && api.ValidateAPIKey(strings.TrimSpace(sv.APIKey)) != nil {
		// Its check's sentence ("copy the whole key again") is about a
		// key the person typed, not one the keyring gave back.
		return nil, &DamagedKeyError{Account: a}
	}
	s, err := SignIn(ctx, client, sv.Credentials, time.Now())
	if errors.Is(err, ErrNoPassword) { // its token expired, and no password is remembered
		return nil, &MissingSecretError{Account: a, Kind: storage.SecretPassword, Expired: true}
	}
	if err != nil {
		return nil, err
	}
	if a.Method == storage.MethodAPIKey && a.Account != noSubject && s.Token.Subject != "" && s.Token.Subject != a.Account {
		// The key's tokens name another account than the one it was
		// remembered for (its tokens' sub at login): its uploads would go
		// there, filed under this one. As a remembered password's.
		return nil, &api.AccountChangedError{SignedIn: a.Account, Renewed: s.Token.Subject}
	}
	s.Account = a.Account     // the name it is filed under
	_ = KeepToken(secrets, s) // a refused token costs a password sign-in next time, no more
	return s, nil
}
