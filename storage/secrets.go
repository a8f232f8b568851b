package storage

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// SecretKind names which secret of an account an entry holds, so that one
// account can keep its API key, its current token and (only when the person
// asks) its password side by side and sign out can remove all of them.
type SecretKind string

// The kinds of secret the app stores. Anything else is rejected so a typo
// cannot create an entry that sign-out would never delete.
const (
	// SecretAPIKey is the long-lived dStor API key used to mint tokens.
	SecretAPIKey SecretKind = "api-key"
	// SecretToken is the current short-lived access token.
	SecretToken SecretKind = "token"
	// SecretPassword is the account password, stored only on request.
	SecretPassword SecretKind = "password"
)

// SecretKinds lists every kind, in a fixed order, so that sign-out and tests
// can walk all of them without repeating the list.
func SecretKinds() []SecretKind {
	return []SecretKind{SecretAPIKey, SecretToken, SecretPassword}
}

// Valid reports whether k is one of the known kinds, so that callers can
// validate input (for example a CLI flag) before touching the keyring.
func (k SecretKind) Valid() bool {
	switch k {
	case SecretAPIKey, SecretToken, SecretPassword:
		return true
	}
	return false
}

// DefaultKeyringTimeout bounds each keyring call when the caller has no better
// value: long enough for a healthy daemon, short enough that a hung one does
// not freeze sign-in.
const DefaultKeyringTimeout = 5 * time.Second

// keyringBackend is the set of OS keyring operations the store needs. It is a
// struct of functions so tests can substitute a fake or a hanging keyring
// without touching go-keyring's global state.
type keyringBackend struct {
	set func(service, user, value string) error
	get func(service, user string) (string, error)
	del func(service, user string) error
}

// osKeyring is the real keyring: the Secret Service over D-Bus on Linux, the
// Keychain on macOS, the Credential Manager on Windows.
var osKeyring = keyringBackend{set: keyring.Set, get: keyring.Get, del: keyring.Delete}

// SecretStore keeps API keys, tokens and remembered passwords in the OS
// keyring (service "dstor-uploader", one entry per environment, account and
// kind), or — when no keyring is reachable — in memory for this session only,
// so the app still works and can tell the person why it will forget.
//
// Every keyring call runs in its own goroutine and is abandoned after the
// store's timeout with [ErrKeyringTimeout]; the abandoned goroutine ends when
// the keyring daemon finally answers (or its D-Bus connection drops), so its
// lifetime is bounded by the daemon, not by this package. The calls for one
// entry run in the order they were made, so a write the keyring answers late
// never lands after a later delete of it; [SecretStore.Settle] waits for
// those still running before the process ends. Secret values never appear in
// errors or logs.
//
// A SecretStore is safe for concurrent use.
type SecretStore struct {
	backend    keyringBackend // unused when !persistent
	timeout    time.Duration
	persistent bool
	state      KeyringState
	problem    error // why the probe failed (KeyringFailed)

	mu  sync.Mutex
	mem map[string]string // the session store when !persistent
	// last is, for each entry with a call running, a channel closed
	// when the latest of them ends: the next call waits for it.
	last    map[string]chan struct{}
	running int           // keyring calls not ended, waited for or not
	idle    chan struct{} // closed when running drops to 0
}

// NewSecretStore probes the OS keyring once — it stores, reads back and
// deletes a throw-away entry, all within timeout — and returns a store that
// uses the keyring when the probe succeeds. When the Secret Service is not
// reachable, misbehaves or does not answer in time, the store keeps secrets
// in memory for this session and [SecretStore.Reason] says why and how to fix
// it. A timeout ≤ 0 means [DefaultKeyringTimeout]; the same timeout bounds
// every later call.
//
// On Linux and the BSDs the store does not even try when no D-Bus session
// bus can be found (no DBUS_SESSION_BUS_ADDRESS, no /run/user/<uid>/bus):
// go-keyring would otherwise have D-Bus autolaunch a private bus and a locked
// keyring daemon that nobody can unlock and that outlive the process.
func NewSecretStore(timeout time.Duration) *SecretStore {
	if !sessionBusLikely() {
		s := NewMemorySecretStore()
		s.state = KeyringNoSession
		return s
	}
	return newSecretStoreWith(osKeyring, timeout)
}

// sessionBusLikely reports whether go-keyring could find a D-Bus session bus
// without autolaunching one. It mirrors godbus's discovery: the
// DBUS_SESSION_BUS_ADDRESS variable, then /run/user/<uid>/bus or
// /run/user/<uid>/dbus-session. macOS and Windows do not use D-Bus.
func sessionBusLikely() bool {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "android":
		return true
	}
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" && a != noSessionBus {
		return true
	}
	dir := filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return true
		}
	}
	return false
}

// noSessionBus is the session bus address AvoidBusAutolaunch sets: no
// D-Bus transport has that name, so a connection to it fails at once,
// without launching a bus.
const noSessionBus = "disabled:"

// AvoidBusAutolaunch keeps this process, and the programs it starts, from
// launching a D-Bus session bus of their own when there is none to find
// (sessionBusLikely; over SSH, say): godbus then runs dbus-launch, whose
// daemon outlives the process, one more each run. It sets
// DBUS_SESSION_BUS_ADDRESS to an address no connection can use, and
// reports whether it did. The window calls it before Fyne, whose tray icon
// and notifications connect to the session bus; NewSecretStore never tries
// without a bus anyway.
func AvoidBusAutolaunch() bool {
	if sessionBusLikely() {
		return false
	}
	return os.Setenv("DBUS_SESSION_BUS_ADDRESS", noSessionBus) == nil
}

// NewMemorySecretStore returns a store that never touches the OS keyring, for
// tests and for --no-keyring: secrets live until the process exits.
func NewMemorySecretStore() *SecretStore {
	return &SecretStore{
		timeout: DefaultKeyringTimeout,
		state:   KeyringOff,
		mem:     map[string]string{},
	}
}

// KeyringFuncs are the three calls of a keyring (service AppName, one
// user name per secret), for a SecretStore on another keyring than the
// OS's: a test's, which makes one of them fail. A missing entry is
// go-keyring's keyring.ErrNotFound, as the OS keyring reports it.
type KeyringFuncs struct {
	Set    func(service, user, value string) error
	Get    func(service, user string) (string, error)
	Delete func(service, user string) error
}

// NewSecretStoreOn is NewSecretStore on k instead of the OS keyring,
// probed, and each call bounded by timeout, the same way.
func NewSecretStoreOn(k KeyringFuncs, timeout time.Duration) *SecretStore {
	return newSecretStoreWith(keyringBackend{set: k.Set, get: k.Get, del: k.Delete}, timeout)
}

func newSecretStoreWith(b keyringBackend, timeout time.Duration) *SecretStore {
	if timeout <= 0 {
		timeout = DefaultKeyringTimeout
	}
	s := &SecretStore{backend: b, timeout: timeout, mem: map[string]string{}}
	if err := s.probe(); err != nil {
		s.state, s.problem = KeyringFailed, err
		if errors.Is(err, ErrKeyringTimeout) {
			s.state, s.problem = KeyringTimedOut, nil
		}
		return s
	}
	s.persistent = true
	return s
}

// probe round-trips a random, non-secret value through the keyring under a
// single timeout. Any failure means the keyring cannot be trusted this session.
func (s *SecretStore) probe() error {
	nonce := make([]byte, 12)
	if _, err := rand.Read(nonce); err != nil {
		return fmt.Errorf("make probe value: %w", err)
	}
	user := "probe|" + hex.EncodeToString(nonce)
	want := "probe-" + hex.EncodeToString(nonce)
	_, err := s.bounded(func() (string, error) {
		if err := s.backend.set(AppName, user, want); err != nil {
			return "", fmt.Errorf("store a test entry: %w", err)
		}
		got, err := s.backend.get(AppName, user)
		if err != nil {
			_ = s.backend.del(AppName, user)
			return "", fmt.Errorf("read the test entry back: %w", err)
		}
		if err := s.backend.del(AppName, user); err != nil {
			return "", fmt.Errorf("delete the test entry: %w", err)
		}
		if got != want {
			return "", errors.New("the test entry came back different")
		}
		return "", nil
	})
	return err
}

// Wording is whom a sentence of why secrets are kept in memory
// (SecretStore.ReasonFor) is for: the person at the window, who quits and
// restarts the app, or the one at the command line, whose secrets last as
// long as the command and who runs it again.
type Wording struct {
	until string // how long the memory keeps them
	again string // what to do once the keyring is unlocked
	run   string // what to run in a desktop session
}

// The two Wordings.
var (
	WindowWording      = Wording{until: "until you quit", again: "restart the app", run: "Run the app"}
	CommandLineWording = Wording{until: "until this command ends", again: "run the command again", run: "Run the command"}
)

// systemKeyringName names this system's keyring in a sentence.
func systemKeyringName() string {
	switch runtime.GOOS {
	case "darwin":
		return "the macOS Keychain"
	case "windows":
		return "the Windows Credential Manager"
	}
	return "a Secret Service (gnome-keyring, KWallet)"
}

// ReasonFor is, when the store is not persistent, one or two sentences
// for the person w is for, saying why secrets will be forgotten and how
// to fix it; "" for a persistent store. The one English source of these
// sentences (the window words its own from State, in its language).
func (s *SecretStore) ReasonFor(w Wording) string {
	kept := "secrets are kept in memory " + w.until
	switch s.state {
	case KeyringOff:
		return "The keyring is turned off (--no-keyring); " + kept + "."
	case KeyringNoSession:
		return "No D-Bus session is running, so no Secret Service (gnome-keyring, KWallet) can be reached; " + kept +
			". " + w.run + " in a desktop session with an unlocked keyring (or under dbus-run-session) to have them remembered."
	case KeyringTimedOut:
		return fmt.Sprintf("The system keyring did not answer within %s; %s. Unlock %s and %s to have them remembered.",
			s.timeout, kept, systemKeyringName(), w.again)
	case KeyringFailed:
		found := fmt.Sprintf("No working keyring was found (%v)", s.problem)
		if systemSaidNothing(s.problem) {
			found = "No working keyring was found"
		}
		return fmt.Sprintf("%s; %s. Install and unlock %s to have them remembered.", found, kept, systemKeyringName())
	}
	return ""
}

// systemSaidNothing reports whether the innermost error of err has no
// text: then the probe's own wrapping ("store a test entry: ") is all
// there is, and a sentence reads better without it.
func systemSaidNothing(err error) bool {
	for inner := errors.Unwrap(err); inner != nil; inner = errors.Unwrap(err) {
		err = inner
	}
	return strings.TrimSpace(err.Error()) == ""
}

// Persistent reports whether secrets survive a restart. False means they are
// kept in memory for this session only, and the UI and CLI should say why
// ([SecretStore.ReasonFor]; the window in its language, from State).
func (s *SecretStore) Persistent() bool { return s.persistent }

// Reason is ReasonFor the window's person (WindowWording); a command
// prints ReasonFor(CommandLineWording).
func (s *SecretStore) Reason() string { return s.ReasonFor(WindowWording) }

// KeyringState says whether the system keyring keeps the secrets and, when
// it does not, why: what [SecretStore.Reason] says in English, for a caller
// that words it in its own language.
type KeyringState int

// The states of the keyring.
const (
	// KeyringWorks: secrets survive a restart.
	KeyringWorks KeyringState = iota
	// KeyringOff: the keyring is not used (--no-keyring, a memory store).
	KeyringOff
	// KeyringNoSession: there is no D-Bus session bus to reach a Secret
	// Service through.
	KeyringNoSession
	// KeyringTimedOut: the keyring did not answer the probe in time.
	KeyringTimedOut
	// KeyringFailed: the keyring refused or misbehaved; State's error
	// says how.
	KeyringFailed
)

// State is the keyring's state, with, for KeyringFailed, the error the
// probe met.
func (s *SecretStore) State() (KeyringState, error) { return s.state, s.problem }

// Set stores value as the kind secret of account in env, replacing any
// previous value.
func (s *SecretStore) Set(env, account string, kind SecretKind, value string) error {
	user, err := secretUser(env, account, kind)
	if err != nil {
		return err
	}
	if value == "" {
		return invalidArg("secret value", "is empty")
	}
	if !s.persistent {
		s.mu.Lock()
		s.mem[user] = value
		s.mu.Unlock()
		return nil
	}
	_, err = s.inOrder(user, func() (string, error) { return "", s.backend.set(AppName, user, value) })
	if err != nil {
		if errors.Is(err, keyring.ErrSetDataTooBig) {
			err = &SecretTooLargeError{Kind: kind, Length: len(value), err: err}
		}
		return &KeyringCallError{Op: KeyringStore, Kind: kind, Account: account, Err: err}
	}
	return nil
}

// SecretTooLargeError is a secret the OS keyring refuses as too long to
// keep (Windows' Credential Manager keeps at most 2,560 bytes in one
// entry): a caller says so, and what to do instead, which depends on the
// Kind, rather than show the keyring's own error and the entry's name.
type SecretTooLargeError struct {
	Kind   SecretKind
	Length int // in bytes
	err    error
}

func (e *SecretTooLargeError) Error() string {
	return fmt.Sprintf("the OS keyring cannot keep %s this long (%d bytes)", e.Kind.words(), e.Length)
}

func (e *SecretTooLargeError) Unwrap() error { return e.err }

// words names the kind in a sentence, with its article.
func (k SecretKind) words() string {
	if k == SecretAPIKey {
		return "an " + k.Noun()
	}
	return "a " + k.Noun()
}

// Noun names the kind in a sentence the person reads ("the API key of
// …"), where its own value ("api-key") means nothing.
func (k SecretKind) Noun() string {
	switch k {
	case SecretAPIKey:
		return "API key"
	case SecretToken:
		return "token"
	}
	return "password"
}

// KeyringCall names a call on the keyring in a sentence: what it did not
// do (KeyringCallError).
type KeyringCall string

// The calls on a secret's keyring entry.
const (
	KeyringStore  KeyringCall = "store"
	KeyringRead   KeyringCall = "read"
	KeyringDelete KeyringCall = "delete"
)

// KeyringCallError is a call (Op) on the
// keyring's entry of one secret that failed with Err: refused, not
// answered in time (ErrKeyringTimeout) or, for a read, not there
// (ErrSecretNotFound). It names the secret by its kind and account, never
// by the entry's own name (the environment's URL, the account and the
// kind joined with "|"), which a person cannot act on; callers branch on
// it (errors.As) to say what it means for them.
type KeyringCallError struct {
	Op      KeyringCall
	Kind    SecretKind
	Account string
	Err     error
}

func (e *KeyringCallError) Error() string {
	return fmt.Sprintf("%s the %s of %s in the keyring: %v", e.Op, e.Kind.Noun(), e.Account, e.Err)
}

func (e *KeyringCallError) Unwrap() error { return e.Err }

// Get returns the kind secret of account in env, or an error wrapping
// [ErrSecretNotFound] when there is none.
func (s *SecretStore) Get(env, account string, kind SecretKind) (string, error) {
	user, err := secretUser(env, account, kind)
	if err != nil {
		return "", err
	}
	if !s.persistent {
		s.mu.Lock()
		v, ok := s.mem[user]
		s.mu.Unlock()
		if !ok {
			return "", &KeyringCallError{Op: KeyringRead, Kind: kind, Account: account, Err: ErrSecretNotFound}
		}
		return v, nil
	}
	v, err := s.inOrder(user, func() (string, error) { return s.backend.get(AppName, user) })
	if errors.Is(err, keyring.ErrNotFound) {
		err = ErrSecretNotFound
	}
	if err != nil {
		return "", &KeyringCallError{Op: KeyringRead, Kind: kind, Account: account, Err: err}
	}
	return v, nil
}

// Delete removes the kind secret of account in env. Deleting a secret that
// does not exist is not an error, so sign-out can always be retried.
func (s *SecretStore) Delete(env, account string, kind SecretKind) error {
	user, err := secretUser(env, account, kind)
	if err != nil {
		return err
	}
	if !s.persistent {
		s.mu.Lock()
		delete(s.mem, user)
		s.mu.Unlock()
		return nil
	}
	_, err = s.inOrder(user, func() (string, error) { return "", s.backend.del(AppName, user) })
	if err != nil && !errors.Is(err, keyring.ErrNotFound) {
		return &KeyringCallError{Op: KeyringDelete, Kind: kind, Account: account, Err: err}
	}
	return nil
}

// DeleteAccount removes every kind of secret of account in env — what
// signing out means. It tries every kind even when one fails and returns the
// failures joined.
func (s *SecretStore) DeleteAccount(env, account string) error {
	var errs []error
	for _, k := range SecretKinds() {
		if err := s.Delete(env, account, k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// bounded runs fn in its own goroutine and waits at most s.timeout for it.
// The channel is buffered so an abandoned goroutine can always deliver its
// result and exit once the keyring answers.
func (s *SecretStore) bounded(fn func() (string, error)) (string, error) {
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	t := time.NewTimer(s.timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-t.C:
		return "", fmt.Errorf("after %s: %w", s.timeout, ErrKeyringTimeout)
	}
}

// inOrder is bounded for a call on the keyring entry user that runs once
// every call made on that entry before it has ended, answered in time or
// not: a token write the keyring answers only after the caller gave up
// cannot then land after the delete that followed it, leaving a secret
// that nothing names (nor overwrite a newer value).
func (s *SecretStore) inOrder(user string, fn func() (string, error)) (string, error) {
	s.mu.Lock()
	if s.last == nil {
		s.last = map[string]chan struct{}{}
	}
	before, done := s.last[user], make(chan struct{})
	s.last[user] = done
	if s.running == 0 {
		s.idle = make(chan struct{})
	}
	s.running++
	s.mu.Unlock()
	return s.bounded(func() (string, error) {
		defer s.ended(user, done)
		if before != nil {
			<-before
		}
		return fn()
	})
}

// ended notes that the call of inOrder on user that closes done ended.
func (s *SecretStore) ended(user string, done chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	close(done)
	if s.last[user] == done {
		delete(s.last, user)
	}
	if s.running--; s.running == 0 {
		close(s.idle)
	}
}

// Settle waits until every keyring call has ended, also those whose caller
// stopped waiting at the timeout, or until ctx ends (an error wrapping
// [ErrKeyringTimeout]). A process calls it before it exits: a call still
// running then (a delete queued behind a late write, say) would never run,
// or would land with no one left to undo it.
func (s *SecretStore) Settle(ctx context.Context) error {
	s.mu.Lock()
	running, idle := s.running, s.idle
	s.mu.Unlock()
	if running == 0 {
		return nil
	}
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("%d keyring calls still running: %w", running, ErrKeyringTimeout)
	}
}

// secretUser builds the keyring user key "<env>|<account>|<kind>". '|' is
// refused inside env and account so two different triples can never share a
// key.
func secretUser(env, account string, kind SecretKind) (string, error) {
	switch {
	case strings.TrimSpace(env) == "":
		return "", invalidArg("environment", "is empty")
	case strings.TrimSpace(account) == "":
		return "", invalidArg("account", "is empty")
	case strings.Contains(env, "|"):
		return "", invalidArg("environment", "contains '|'")
	case strings.Contains(account, "|"):
		return "", invalidArg("account", "contains '|'")
	case !kind.Valid():
		return "", invalidArg("secret kind", fmt.Sprintf("%q is not one of api-key, token, password", string(kind)))
	}
	return env + "|" + account + "|" + string(kind), nil
}
