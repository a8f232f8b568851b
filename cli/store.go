package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// store is what the account-aware commands work with: the database, the
// keyring, the settings and the environment chosen.
type store struct {
	db       *storage.DB
	secrets  *storage.SecretStore
	settings storage.Settings
	env      api.Environment
	envKey   string
	// abandon makes close not wait for the keyring: the person stopped
	// the command twice (loginStopped), and has been told what it may
	// keep.
	abandon bool
}

// openDB opens the data directory's database, saying on stderr when it
// updates an older version's history first, or waits for another process
// updating it (upgradeNotice), then puts into it the uploads a window
// could not record as it quit (carryUnrecorded).
func openDB(stderr io.Writer) (*storage.DB, error) {
	dir, err := storage.DataDir()
	if err != nil {
		return nil, err
	}
	db, err := storage.OpenWith(dir, storage.OpenOptions{BeforeUpgrade: func() {
		fmt.Fprintln(stderr, upgradeNotice)
	}})
	if err == nil {
		carryUnrecorded(stderr, db)
	}
	return db, err
}

// carryUnrecorded puts into db the files of uploads a window could not
// record as it quit (storage.DB.CarryUnrecorded), and says on stderr
// which it put there, and which it kept, and why: the command goes on
// either way.
func carryUnrecorded(stderr io.Writer, db *storage.DB) {
	carried, err := db.CarryUnrecorded()
	for _, p := range carried {
		fmt.Fprintf(stderr, "%s: the uploads a window could not record as it quit are in the upload history now (they were kept in %s)\n", name, inert.Line(p))
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap() // one line for each file kept
	}
	for _, e := range errs {
		if e != nil {
			fmt.Fprintf(stderr, "%s: %s\n", name, inert.Line(unrecordedKeptText(e)))
		}
	}
}

// unrecordedKeptText says, for a file of uploads not recorded err says
// could not be put into the history (storage.UnrecordedFileError), that
// it is kept, why, and what to do; for one carried but not removed
// (storage.CarriedNotRemovedError), that its uploads are in the history
// and to remove it by hand; any other err as api.Human says it.
func unrecordedKeptText(err error) string {
	if left, ok := errors.AsType[*storage.CarriedNotRemovedError](err); ok {
		why := left.Err
		if pe, ok := errors.AsType[*fs.PathError](why); ok {
			why = pe.Err // the path is said already
		}
		return fmt.Sprintf("The uploads a window could not record as it quit, kept in %s, are in the upload history, but that file could not be removed (%s). "+
			"Remove it yourself: nothing in it is lost, and it is not put into the history again.",
			left.Path, api.Human(why))
	}
	kept, ok := errors.AsType[*storage.UnrecordedFileError](err)
	if !ok {
		return api.Human(err)
	}
	return fmt.Sprintf("%s holds uploads a window could not record as it quit, and it could not be put into the upload history (%s). "+
		"It is kept as it is: open it to read their links (CID and name), or run the command again once the cause is fixed.",
		kept.Path, api.Human(kept.Err))
}

// upgradeNotice is what a command says before it updates the upload
// history an older version left to this version's format, which takes
// seconds on a large history and is done once.
const upgradeNotice = "Updating the upload history to this version's format (once; a large history takes a while)…"

// openHistory opens the database and the link builder of the saved
// settings, for the commands that read the history, and says on cio.Err
// when the saved gateway is not used (sayGatewayNotUsed); the caller
// closes db.
func openHistory(cio IO) (*storage.DB, api.Links, error) {
	db, err := openDB(cio.Err)
	if err != nil {
		return nil, api.Links{}, err
	}
	settings, err := db.LoadSettings()
	if err != nil {
		db.Close()
		return nil, api.Links{}, err
	}
	sayGatewayNotUsed(cio.Err, settings)
	return db, session.Links(settings), nil
}

// sayGatewayNotUsed says on w that the gateway override saved in the
// window's Settings is not used (session.GatewayInUse: an older version
// saved it as Settings now refuses it), so links on the environment's
// gateway are no surprise, and what to do (api.CheckOverride's sentence).
// The override itself is not printed: it may hold a password.
func sayGatewayNotUsed(w io.Writer, s storage.Settings) {
	if s.GatewayOverride == "" || session.GatewayInUse(s) != "" {
		return
	}
	_, why := api.CheckOverride(s.GatewayOverride)
	fmt.Fprintf(w, "The gateway saved in Settings is not used, so links lead to the environment's gateway. In the window's Settings, %v.\n", why)
}

// openSecrets opens the keyring the commands keep secrets in: the OS's. A
// test sets a keyring of its own (storage.NewSecretStoreOn) that fails
// where the OS's would.
var openSecrets = func() *storage.SecretStore { return storage.NewSecretStore(storage.DefaultKeyringTimeout) }

// SetKeyringTimeoutForTest makes the commands wait d for each keyring
// call instead of the app's storage.DefaultKeyringTimeout, so a test
// running them (in its own process, or as a child it can kill) on a busy
// machine does not see a slow keyring as a missing one and fall back to
// memory. It returns a func that puts the app's wait back.
func SetKeyringTimeoutForTest(d time.Duration) (restore func()) {
	was := openSecrets
	openSecrets = func() *storage.SecretStore { return storage.NewSecretStore(d) }
	return func() { openSecrets = was }
}

// storeOpened runs once login or logout has opened the history and the
// keyring (openStore), before it looks whether a signal stopped it
// meanwhile; a test that signalled it while the keyring opened waits
// there until the command has seen that signal.
var storeOpened = func(context.Context) {}

// openStore opens the database (saying on stderr when it updates it
// first) and the keyring and resolves --env (or the last environment
// used); the caller closes db.
func openStore(stderr io.Writer, envFlag string) (*store, error) {
	env, given, err := givenEnv(envFlag)
	if err != nil {
		return nil, err
	}
	db, err := openDB(stderr)
	if err != nil {
		return nil, err
	}
	settings, err := db.LoadSettings()
	if err != nil {
		db.Close()
		return nil, err
	}
	if !given {
		if env, err = commandLineEnv("", settings); err != nil {
			db.Close()
			return nil, err
		}
	}
	return &store{
		db: db, secrets: openSecrets(),
		settings: settings, env: env, envKey: env.Key(),
	}, nil
}

// close ends the command's use of the store: it waits, at most the
// keyring's own timeout, for the keyring calls a step gave up waiting for
// (storage.SecretStore.Settle) — a token write answered late, and the
// delete made after it when the command then removed what it filed — so
// that none lands after the command has said what it kept; then it
// closes the database. When the keyring has still not answered, it says
// so on stderr, and where to look. Ctrl+C or SIGTERM (stopSignals) ends
// the wait at once: the command's own handler may still be catching them
// (a step that failed returns before it is stopped), and a stop the
// person asked for must not sit out the keyring's timeout.
func (st *store) close(stderr io.Writer) {
	if st.abandon {
		st.db.Close()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), storage.DefaultKeyringTimeout)
	defer cancel()
	ctx, stopWatching := signal.NotifyContext(ctx, stopSignals()...)
	defer stopWatching()
	if err := st.secrets.Settle(ctx); err != nil {
		fmt.Fprintln(stderr, "The OS keyring has not finished what this command asked of it and may still keep a secret of it when it answers. "+keyringLeftovers)
	}
	st.db.Close()
}

// keyringSentence is what the person reads of err when a call on the OS
// keyring (storage.KeyringCallError) is why a command failed, whichever
// command it was: which secret of which account the keyring did not
// store, give or delete, why in the keyring's own words, what that leaves
// and what to do; never the keyring entry's name. ok is false for any
// other error, and for a secret not there (its callers say what to do).
func keyringSentence(err error) (msg string, ok bool) {
	var call *storage.KeyringCallError
	if !errors.As(err, &call) || errors.Is(call.Err, storage.ErrSecretNotFound) {
		return "", false
	}
	why := innermost(call.Err)
	if errors.Is(call.Err, storage.ErrKeyringTimeout) {
		why = "it did not answer in time"
	}
	secret := fmt.Sprintf("the %s of %s (%s)", call.Kind.Noun(), call.Account, why)
	const unlock = "Unlock the OS keyring, or allow dstor-uploader in it, then "
	switch call.Op {
	case storage.KeyringStore:
		return fmt.Sprintf("the OS keyring did not keep %s, so this login is not kept\n%srun login again; for scripts, set %s instead",
			secret, unlock, APIKeyEnv), true
	case storage.KeyringRead:
		return fmt.Sprintf("the OS keyring did not give %s, so this command could not sign in\n%srun the command again; for scripts, set %s instead",
			secret, unlock, APIKeyEnv), true
	}
	return fmt.Sprintf("the OS keyring did not delete %s, so the sign-in stays\n%srun logout again, or %s",
		secret, unlock, deleteKeyringEntries), true
}

// deleteKeyringEntries says how a person removes by hand the secrets
// the keyring keeps of this app, where logout could not (the keyring
// refused it, or had not answered).
const deleteKeyringEntries = "delete the entries named \"dstor-uploader\" with the system's keyring app"

// keyringLeftovers says where to remove a secret the keyring may keep of
// a command it had not finished answering.
const keyringLeftovers = "If \"dstor-uploader logout\" does not remove it, " + deleteKeyringEntries + "."

// givenEnv is the environment of an --env given, read (or refused)
// before the data folder is opened (made, on a first run), so a usage
// error changes nothing on disk: such a flag's environment does not
// depend on the settings. given is false when none is given, or a blank
// one: the caller resolves it from the settings (commandLineEnv with "").
func givenEnv(flag string) (env api.Environment, given bool, err error) {
	if session.ParseKey(flag) == "" {
		return api.Environment{}, false, nil
	}
	env, err = commandLineEnv(flag, storage.Settings{})
	return env, true, err
}

// commandLineEnv is session.CommandLineEnv, its refusal of --env named
// as the flag's (the sentence alone, "unknown environment — use …", does
// not say where the environment came from) and a usage error (exit 2), as
// the window's is: a value given that cannot be used.
func commandLineEnv(envFlag string, settings storage.Settings) (api.Environment, error) {
	env, err := session.CommandLineEnv(envFlag, settings)
	var invalid *api.ValidationError
	switch {
	case envFlag == "" || err == nil:
	case errors.As(err, &invalid):
		return env, usageErrorf("--env: %s", invalid.Message)
	case errors.Is(err, session.ErrSandboxFromCommandLine):
		return env, usageErrorf("%s", err)
	}
	return env, err
}

// readSecret reads one line from stdin, the secret named what ("API
// key"); on a terminal it prompts and turns echo off, so the secret never
// shows on screen or in argv, and gives the echo back however the read
// ends. A stop (ctx ends: Ctrl+C, a hang-up) ends it at once with ctx's
// cause, and so, on a terminal, does Ctrl+\ (watchPrompt), with a
// *promptEndedError; the end of a terminal's input before anything was
// typed (endOfInputKey) is an error that says so and what to do.
func readSecret(ctx context.Context, in io.Reader, stderr io.Writer, what string) (string, error) {
	f, ok := in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		line, err := lineOf(ctx, in)
		if err != nil && !errors.Is(err, io.EOF) {
			return "", fmt.Errorf("read standard input: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", errors.New("nothing on standard input: pipe the secret in, e.g. printf '%s\\n' \"$KEY\" | dstor-uploader login …")
		}
		return line, nil
	}
	fd := int(f.Fd())
	was, err := term.GetState(fd)
	if err == nil {
		err = echoOff(fd)
	}
	if err != nil {
		return "", fmt.Errorf("turn the terminal's echo off: %w", err)
	}
	defer func() { _ = term.Restore(fd, was) }()
	prompt, done := watchPrompt(ctx, fd, was)
	defer done() // ended before the Restore
	fmt.Fprint(stderr, strings.ToUpper(what[:1])+what[1:]+": ")
	line, err := lineOf(prompt, in)
	fmt.Fprintln(stderr) // the Enter typed, not echoed
	switch {
	case prompt.Err() != nil:
		// ctx's stop, or a *promptEndedError (Ctrl+\).
		return "", context.Cause(prompt)
	case errors.Is(err, io.EOF) && line == "":
		return "", fmt.Errorf("the terminal's input ended (%s) before the %s was typed, so nothing was kept and you are not signed in\n"+
			"To sign in, run login again, type the %s and press Enter", endOfInputKey, what, what)
	case err != nil && !errors.Is(err, io.EOF):
		return "", fmt.Errorf("read from the terminal: %w", err)
	}
	// Only the line's end: spaces around a password are part of it,
	// as they are when piped in and in the window.
	return strings.TrimRight(line, "\r\n"), nil
}

// promptEndedError is readSecret's error when a signal ended the prompt
// on a terminal as Ctrl+C does (watchPrompt: Ctrl+\ is SIGQUIT):
// login keeps nothing, gives the echo back, and exits
// with exitCode, not with Go's goroutine dump or by the signal.
type promptEndedError struct{ Signal syscall.Signal }

func (e *promptEndedError) Error() string { return "the prompt ended at " + e.Signal.String() }

// exitCode is the signal's exit status (exitStatusOf: 131 for Ctrl+\).
// The process does not end by the signal itself: Go's own SIGQUIT dumps
// every goroutine, which says nothing to the person who pressed it to
// give up.
func (e *promptEndedError) exitCode() int { return exitStatusOf(e.Signal) }

// lineOf reads a line of in (up to its end without one), waiting for it
// until ctx ends (Ctrl+C), then it returns ctx's error. The read runs on
// a goroutine of its own, which no one can stop: a read of standard input
// (a terminal, a pipe that sends nothing) cannot be cut short. After a
// stop it goes on until the input answers or the process ends, which the
// login it reads for then does; its answer then goes to a channel with
// room for it, which no one reads.
func lineOf(ctx context.Context, in io.Reader) (string, error) {
	type read struct {
		line string
		err  error
	}
	got := make(chan read, 1)
	go func() {
		line, err := bufio.NewReader(in).ReadString('\n')
		got <- read{line, err}
	}()
	select {
	case r := <-got:
		return r.line, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}
