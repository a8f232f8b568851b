package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// APIKeyEnv lets CI scripts pass an API key without a keyring and
// without argv (a process listing must never show a secret).
const APIKeyEnv = "DSTOR_API_KEY"

// restoreSession signs in for a run of uploads: with DSTOR_API_KEY first
// (scripts), else with the accounts remembered for the environment. Its
// errors say which command signs in.
func restoreSession(ctx context.Context, client *api.Client, st *store) (*session.Session, error) {
	if key := os.Getenv(APIKeyEnv); key != "" {
		return signInWithKey(ctx, client, key)
	}
	ctx, cancel := context.WithTimeout(ctx, signInTimeout)
	defer cancel()
	s, err := session.Restore(ctx, client, st.settings, st.secrets)
	var notSignedIn *session.ErrNotSignedIn
	var missing *session.MissingSecretError
	var damaged *session.DamagedKeyError
	switch {
	case errors.As(err, &missing) && !st.secrets.Persistent():
		// This run keeps secrets in memory only, so it holds none: the
		// account's key or password is in the keyring it cannot reach,
		// not gone, and login would not help.
		return nil, fmt.Errorf("the sign-in of %s on %s is kept in the OS keyring, which this run cannot reach: %s\nRun the command where the keyring can be reached, or set %s",
			missing.Account.Account, st.envKey, st.secrets.ReasonFor(storage.CommandLineWording), APIKeyEnv)
	case errors.As(err, &notSignedIn):
		return nil, fmt.Errorf("not signed in to %s: run \"dstor-uploader login --env %[1]s --api-key-stdin\" (or --email … --password-stdin), or set %s",
			st.envKey, APIKeyEnv)
	case errors.As(err, &damaged):
		return nil, fmt.Errorf("%w: run \"dstor-uploader login --env %s --api-key-stdin\" to keep the key again", err, st.envKey)
	case errors.As(err, &missing) && missing.Kind == storage.SecretAPIKey:
		return nil, fmt.Errorf("%w: run \"dstor-uploader login --env %s --api-key-stdin\"", err, st.envKey)
	case errors.As(err, &missing):
		return nil, fmt.Errorf("%w: run \"dstor-uploader login --env %s --email %s --password-stdin\" (add --remember to stay signed in)",
			err, st.envKey, missing.Account.Account)
	case errors.Is(err, api.ErrUnauthorized):
		// dStor refused the remembered key or password itself: the
		// new one reaches the keyring through login.
		how := "--api-key-stdin"
		if a, _ := session.Newest(st.settings, st.envKey); a.Method == storage.MethodPassword {
			how = "--email " + a.Account + " --password-stdin --remember"
		}
		return nil, &hintedError{err: err, hint: fmt.Sprintf("; then sign in with it: \"dstor-uploader login --env %s %s\"", st.envKey, how)}
	}
	if err == nil {
		// A logout (another process) meanwhile: the run goes on with the
		// sign-in it has, as one that was already uploading does.
		session.DropTokenIfSignedOut(st.db, st.secrets, s)
	}
	return s, err
}

// hintedError is an error of dStor's followed by what to do about it here,
// printed as one sentence: api.Human of err, then hint.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return api.Human(e.err) + e.hint }

// signInWithKey signs in with the API key of DSTOR_API_KEY.
func signInWithKey(ctx context.Context, client *api.Client, key string) (*session.Session, error) {
	ctx, cancel := context.WithTimeout(ctx, signInTimeout)
	defer cancel()
	s, err := session.SignIn(ctx, client, session.Credentials{Method: storage.MethodAPIKey, APIKey: key}, time.Now())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", APIKeyEnv, err)
	}
	return s, nil
}

// earlySignIn is a sign-in with DSTOR_API_KEY started before the data
// folder is opened (startEarlySignIn).
type earlySignIn struct {
	envKey string
	client *api.Client
	done   chan struct{} // closed once sess and err are set
	sess   *session.Session
	err    error
}

// startEarlySignIn starts signing in with DSTOR_API_KEY on a goroutine of
// its own when --env names the environment, so the sign-in's round trips
// overlap opening the data folder (creating it and its database, on a
// first run) instead of following it: the settings are needed only to know
// the environment when --env is not given. It returns nil when it cannot
// start (no key, no --env, an environment the command line refuses): the
// run then signs in as before, and says what is wrong.
func startEarlySignIn(ctx context.Context, envFlag string) *earlySignIn {
	key := os.Getenv(APIKeyEnv)
	if key == "" || session.ParseKey(envFlag) == "" {
		return nil
	}
	env, err := session.CommandLineEnv(envFlag, storage.Settings{})
	if err != nil {
		return nil
	}
	client, err := api.NewClient(env, nil)
	if err != nil {
		return nil
	}
	e := &earlySignIn{envKey: env.Key(), client: client, done: make(chan struct{})}
	go func() {
		defer close(e.done)
		e.sess, e.err = signInWithKey(ctx, client, key)
	}()
	return e
}
