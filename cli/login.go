package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// signInTimeout bounds a command's sign-in (login, or the restore before
// an upload run), so a hung server ends in an error, not a hang.
const signInTimeout = 2 * time.Minute

type loginOptions struct {
	env            string
	apiKeyStdin    bool
	email          string
	passwordStdin  bool
	rememberSecret bool
}

func newLoginCommand(cio IO) *cobra.Command {
	var o loginOptions
	cmd := &cobra.Command{
		Use:   "login --env ENV (--api-key-stdin | --email EMAIL --password-stdin) [--remember]",
		Short: "Sign in; secrets go to the OS keyring",
		Long: `Signs in and keeps what later commands need in the OS keyring: the API key, or
the temporary token (and the password too, with --remember). Secrets are read
from standard input, never from the command line, so no process listing shows
them. ENV is production, testnet, or a base URL such as the one
"dstor-uploader sandbox" prints.`,
		Example: `  printf '%s\n' "$DSTOR_KEY" | dstor-uploader login --env production --api-key-stdin
  dstor-uploader login --env testnet --email me@example.com --password-stdin --remember
  dstor-uploader login --env http://127.0.0.1:8787 --api-key-stdin < key.txt`,
		Args: noArgs("secrets are read from standard input, never from arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runLogin(cmd.Context(), cio, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.env, "env", "", "environment: production, testnet, or a base URL")
	f.BoolVar(&o.apiKeyStdin, "api-key-stdin", false, "read the API key from standard input")
	f.StringVar(&o.email, "email", "", "account email (with --password-stdin)")
	f.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from standard input")
	f.BoolVar(&o.rememberSecret, "remember", false, "also keep the password in the keyring, to sign in again when the token expires")
	return cmd
}

// validate checks that the flags name exactly one way to sign in, and
// that --email is an address (as session.SignIn takes it, spaces around
// it dropped) before the data folder is made or the password is asked for.
func (o loginOptions) validate() error {
	switch {
	case o.apiKeyStdin == (o.email != "" || o.passwordStdin):
		return usageErrorf("use either --api-key-stdin, or --email EMAIL --password-stdin")
	case !o.apiKeyStdin && (o.email == "" || !o.passwordStdin):
		return usageErrorf("--email and --password-stdin go together")
	}
	if !o.apiKeyStdin {
		if err := api.ValidateEmail(strings.TrimSpace(o.email)); err != nil {
			return usageErrorf("--email: %s", api.Human(err))
		}
	}
	return nil
}

// credentials reads the secret of the chosen way from standard input,
// until ctx ends (readSecret).
func (o loginOptions) credentials(ctx context.Context, cio IO) (session.Credentials, error) {
	if o.apiKeyStdin {
		key, err := readSecret(ctx, cio.In, cio.Err, "API key")
		// A key has no spaces: those around it came with the copy.
		return session.Credentials{Method: storage.MethodAPIKey, APIKey: strings.TrimSpace(key)}, err
	}
	pw, err := readSecret(ctx, cio.In, cio.Err, "password")
	return session.Credentials{Method: storage.MethodPassword, Email: o.email, Password: pw, Remember: o.rememberSecret}, err
}

// runLogin signs in and files the sign-in in the keyring and the settings.
func runLogin(ctx context.Context, cio IO, o loginOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	// Ctrl+C (or SIGTERM, or a hang-up) stops the login from here, while
	// the key or password is typed too (the terminal's echo comes back
	// on): the person is told what is kept, and it exits 128 + the
	// signal's number (stopStatus: 130 at Ctrl+C). At the prompt, Ctrl+\
	// does the same (exit 131). Watched from before the keyring opens:
	// one that ended the process there left the keyring's test entry
	// (storage.SecretStore's probe) in it.
	stopped, again, stop := interrupts(ctx)
	defer stop()
	st, err := openStore(cio.Err, o.env)
	if err != nil {
		return err
	}
	defer st.close(cio.Err)
	storeOpened(stopped)
	if stopped.Err() != nil {
		return notSignedIn(cio.Err, stopStatus(stopped))
	}
	if !st.secrets.Persistent() {
		return fmt.Errorf("cannot keep a sign-in: %s\nFor scripts, set %s instead", st.secrets.ReasonFor(storage.CommandLineWording), APIKeyEnv)
	}
	client, err := api.NewClient(st.env, nil)
	if err != nil {
		return err
	}
	creds, err := o.credentials(stopped, cio)
	promptEnded, atPrompt := errors.AsType[*promptEndedError](err)
	if err != nil && stopped.Err() == nil && !atPrompt {
		return err
	}
	var s *session.Session
	if err == nil {
		ctx, cancel := context.WithTimeout(stopped, signInTimeout)
		defer cancel()
		slow := sayIfSlow(cio.Err, "dStor has not answered the sign-in")
		s, err = session.SignIn(ctx, client, creds, time.Now())
		slow()
	}
	if atPrompt {
		return notSignedIn(cio.Err, promptEnded.exitCode())
	}
	if stopped.Err() != nil {
		return notSignedIn(cio.Err, stopStatus(stopped))
	}
	if err != nil {
		return err
	}
	settings, err := st.db.LoadSettings()
	before := err == nil && settings.Remembers(s.EnvKey, s.Account)
	ended, err := keepUnlessStopped(cio.Err, stopped, again, st.secrets, s, creds, o.rememberSecret, before)
	if stopped.Err() != nil {
		return loginStopped(cio.Err, st, s, ended, before, stopStatus(stopped))
	}
	var notDeleted *session.PasswordNotDeletedError
	if err != nil && !errors.As(err, &notDeleted) {
		return notKept(st, s, err)
	}
	// Applied to the settings stored now: a window open on the same data
	// folder may have saved its own since openStore read them.
	if _, err := st.db.UpdateSettings(func(settings storage.Settings) storage.Settings {
		settings = settings.WithRememberedAccount(s.Remembered())
		settings.LastEnv = st.envKey
		return settings
	}); err != nil {
		return err
	}
	// An API key's account is an internal id, which means nothing to a
	// person: say how, not as whom.
	who := "with an API key"
	if s.Method == storage.MethodPassword {
		who = "as " + s.Account
	}
	fmt.Fprintf(cio.Out, "Signed in to %s %s; the credentials are in the OS keyring.\n", st.env.Host(), who)
	if notDeleted != nil {
		fmt.Fprintf(cio.Err, "The OS keyring did not delete the password an earlier login --remember kept (%s). It is not used, and each run tries to delete it again; "+
			"you can also delete it with the system's keyring app (the entries named \"dstor-uploader\").\n", innermost(notDeleted.Err))
	}
	return nil
}

// notSignedIn ends a login stopped (a signal, or Ctrl+\ at its prompt)
// before it signed in, and says so: nothing of it is kept, in the
// settings or the keyring. Exit code.
func notSignedIn(stderr io.Writer, code int) error {
	fmt.Fprintln(stderr, "Interrupted: the login is not kept, and nothing of it was given to the OS keyring.")
	return &exitError{code: code}
}

// notKept is the error of a login whose sign-in the keyring would not
// keep, after removing what Keep filed of it before the refusal (its
// token, say): the login fails, so no remembered account names it, and
// nothing would ever sign it out. An account remembered before keeps its
// secrets: they are its sign-in, which a logout removes.
func notKept(st *store, s *session.Session, err error) error {
	forgetUnlessRemembered(st, s)
	const withoutRemember = "run login again without --remember: the sign-in then lasts as long as its token"
	var (
		tooLarge   *storage.SecretTooLargeError
		password   *session.PasswordNotKeptError
		why, again string
	)
	switch {
	case errors.As(err, &tooLarge):
		why, again = "cannot keep the sign-in: "+tooLarge.Error(), "sign in with an API key (login --api-key-stdin), or, for scripts, set "+APIKeyEnv
		if tooLarge.Kind == storage.SecretPassword {
			again = withoutRemember
		}
	case errors.As(err, &password) && !errors.Is(err, storage.ErrKeyringTimeout):
		// Refused outright: its token, kept or answered late, went
		// with the rest above.
		why, again = "the OS keyring did not keep the password (--remember): "+innermost(password.Err), withoutRemember
	default:
		return fmt.Errorf("keep the sign-in in the keyring: %w", err)
	}
	return fmt.Errorf("%s, so nothing was kept and you are not signed in\nTo sign in, %s", why, again)
}

// forgetUnlessRemembered removes from the keyring what a login not kept
// filed of s (session.Keep), unless s's account was remembered before:
// then they are its sign-in, which a logout removes. Its deletes run
// after the writes made before them (storage.SecretStore's order), which
// st.close waits for.
func forgetUnlessRemembered(st *store, s *session.Session) {
	if settings, err := st.db.LoadSettings(); err == nil && !settings.Remembers(s.EnvKey, s.Account) {
		_ = session.Forget(st.secrets, s.Remembered())
	}
}

// keepUnlessStopped is session.Keep, which a stop (stopped ends: Ctrl+C
// or SIGTERM) does not cut short, since what it files can be removed
// only once its calls are made: it says so, and waits for the keyring,
// which a second stop (again) ends at once; ended is then false, and
// Keep goes on in the background until the process ends (each of its
// keyring calls bounded by the store's timeout). before is whether the
// account was remembered before this login: nothing is removed then.
func keepUnlessStopped(stderr io.Writer, stopped context.Context, again <-chan struct{}, secrets *storage.SecretStore,
	s *session.Session, creds session.Credentials, remember, before bool) (ended bool, err error) {
	done := make(chan error, 1)
	go func() { done <- session.Keep(secrets, s, creds, remember) }()
	select {
	case err := <-done:
		return true, err
	case <-stopped.Done():
		why := ", so as to remove what this login gave it"
		if before {
			why = ""
		}
		fmt.Fprintln(stderr, "Stopping: waiting for the OS keyring to answer"+why+". Press Ctrl+C again to stop at once.")
	}
	select {
	case err := <-done:
		return true, err
	case <-again:
		return false, nil
	}
}

// loginStopped ends a login stopped (Ctrl+C, SIGTERM, a hang-up) after it signed in
// as s, and says what is kept: the settings do not name it, and what it
// gave the keyring goes again (forgetUnlessRemembered) once Keep has
// ended; when it has not (a second stop), the command does not wait for
// the keyring as it ends (store.abandon), and says what it may keep. An
// account remembered before the login (before) keeps what the keyring
// now holds: its password may be gone (a login without --remember
// deletes it) and its token is this login's, so it is not "as it was".
// Exit code (stopStatus).
func loginStopped(stderr io.Writer, st *store, s *session.Session, ended, before bool, code int) error {
	switch {
	case !ended:
		st.abandon = true
		fmt.Fprintln(stderr, "Interrupted: the login is not kept, but the OS keyring had not finished it and may still keep a secret of it when it answers. "+keyringLeftovers)
	case before:
		fmt.Fprintln(stderr, "Interrupted: the account was signed in before this login, so it stays signed in, with what the OS keyring holds of it now (this login may have replaced it); logout signs it out.")
	default:
		forgetUnlessRemembered(st, s)
		fmt.Fprintln(stderr, "Interrupted: the login is not kept, and what it gave the OS keyring is removed again.")
	}
	return &exitError{code: code}
}
