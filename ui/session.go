package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// The environments the sign-in screen offers, in its order.
const (
	choiceProduction = "Production"
	choiceTestnet    = "Testnet"
	choiceSandbox    = "Local sandbox"
	choiceCustom     = "Custom"
)

// Fyne preference keys an older version kept the Custom environment's
// URLs under, in one file for every data folder: read only to carry them
// over into a data folder's settings (carryOverCustom), never written.
const (
	prefCustomBase    = "custom.api_base"
	prefCustomUpload  = "custom.upload_url"
	prefCustomGateway = "custom.gateway_url"
)

// signInTimeout bounds one sign-in request, so a hung server shows an error
// instead of an endless spinner.
const signInTimeout = 30 * time.Second

// appSession is who is signed in to the window, the sessions whose queues
// still run, and the Local sandbox the window started.
type appSession struct {
	sandboxMu  sync.Mutex
	sandbox    *sandbox.Server
	sandboxURL string

	sess         *activeSession // UI goroutine only
	pending      []pendingFile  // added before sign-in (pending.go)
	pendingSaved *pendingSave   // the latest write of pending to the database
	pendingPick  bool           // "Add files…" asked for before sign-in

	// retMu guards sessions (every session whose queue runs, for Close)
	// and retiring (sessions being closed in the background, which a new
	// sign-in waits for).
	retMu    sync.Mutex
	sessions map[*activeSession]struct{}
	retiring []chan struct{}
	// unrecorded (under retMu) is what the closed sessions' queues could
	// not record: the history was deleted or replaced (Unrecorded); and
	// notListed what was added to them since (NotListed).
	unrecorded []storage.JobFinish
	notListed  []storage.WalkRow

	// outOfReach are the accounts (accountKey) remembered when the
	// window started while the keyring could not be used: what it keeps
	// for them is out of reach, so signing out keeps them remembered
	// (signOutKeepsRemembered). Written by NewApp only.
	outOfReach map[string]bool

	// pausedMu guards paused: the accounts (accountKey) signed out of
	// while their queue was paused, so that signing in again finds it
	// paused still (newQueue), for as long as the window runs.
	pausedMu sync.Mutex
	paused   map[string]bool
}

// accountKey names an account of an environment, for appSession.paused.
func accountKey(envKey, account string) string { return envKey + "\x00" + account }

// rememberPause notes whether s's queue is paused as s signs out.
func (a *App) rememberPause(s *activeSession) {
	q := s.currentQueue()
	if q == nil || s.Session == nil {
		return
	}
	a.pausedMu.Lock()
	defer a.pausedMu.Unlock()
	if a.paused == nil {
		a.paused = map[string]bool{}
	}
	a.paused[accountKey(s.EnvKey, s.Account)] = q.Paused()
}

// wasPaused reports whether the account was signed out of while paused.
func (a *App) wasPaused(envKey, account string) bool {
	a.pausedMu.Lock()
	defer a.pausedMu.Unlock()
	return a.paused[accountKey(envKey, account)]
}

// forgetPause forgets the pause of an account whose queue is open again
// (and holds the pause itself).
func (a *App) forgetPause(envKey, account string) {
	a.pausedMu.Lock()
	defer a.pausedMu.Unlock()
	delete(a.paused, accountKey(envKey, account))
}

// activeSession is the account signed in to the window and the queue that
// uploads for it.
type activeSession struct {
	*session.Session
	envLabel string // what the header shows
	// queue is nil while another process runs this account's queue
	// (App.waitForQueue); it is then set once, on the UI goroutine, under
	// mu, from opened.
	queue    *worker.Queue
	unsub    func()
	pumpDone chan struct{}

	mu        sync.Mutex
	opened    *worker.Queue // the queue it waited for, until the UI takes it
	closed    bool
	closeOnce sync.Once
	// unrecorded is what its queue could not record (worker's
	// Unrecorded), and notListed what was added to it once the history
	// was gone (worker's NotListed), once closed; taken by App.closeSession.
	unrecorded []storage.JobFinish
	notListed  []storage.WalkRow
}

// queueOpened hands s the queue it waited for, from the waiting goroutine;
// false when s was closed meanwhile (the caller closes q). close closes it
// even if the UI never takes it (useQueue).
func (s *activeSession) queueOpened(q *worker.Queue) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.opened = q
	return true
}

// useQueue makes the opened queue s's queue; UI goroutine only.
func (s *activeSession) useQueue() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = s.opened
}

// currentQueue is s's queue, from any goroutine (nil while waiting).
func (s *activeSession) currentQueue() *worker.Queue {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queue
}

func (s *activeSession) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// close stops the event pump and the queue (in-flight uploads stay
// "uploading" in the database and resume on the next start). It is safe
// to call more than once and from several goroutines.
func (s *activeSession) close() { s.closeOnce.Do(s.doClose) }

func (s *activeSession) doClose() {
	s.mu.Lock()
	s.closed = true
	q := s.queue
	if q == nil {
		q = s.opened
	}
	s.mu.Unlock()
	if s.unsub != nil {
		s.unsub()
	}
	if q != nil {
		_ = q.Close()
		s.mu.Lock()
		s.unrecorded, s.notListed = q.Unrecorded(), q.NotListed()
		s.mu.Unlock()
	}
	if s.pumpDone != nil {
		<-s.pumpDone
	}
	if s.Session != nil && s.Client != nil {
		s.Client.CloseIdleConnections()
	}
}

// displayAccount is the account as the header shows it: the email, or
// "API key account" for an account signed in with a key.
func (s *activeSession) displayAccount() string {
	if s.Method == storage.MethodAPIKey {
		return tr("API key account")
	}
	return s.Account
}

// signInRequest is what the sign-in screen (or a remembered account) asks
// for; it is handled on a goroutine.
type signInRequest struct {
	choice   string
	custom   api.Environment // for choiceCustom
	creds    session.Credentials
	remember bool
	// auto is a sign-in from a remembered account: its secrets are already
	// in the keyring.
	auto bool
	// reuse keeps the current queue (re-sign-in after the session expired).
	reuse *activeSession
}

// signInResult is what the goroutine hands back to the UI.
type signInResult struct {
	sess    *activeSession
	notice  string // keyring problems: signed in, but …
	err     error
	autoErr bool // an automatic sign-in failed: show the form quietly
}

// choiceForEnvKey maps a stored environment name back to the select's
// choice (and the base URL for a custom one).
func choiceForEnvKey(key string) (string, string) {
	switch key = session.ParseKey(key); {
	case key == "":
		return "", ""
	case key == api.SandboxKey:
		return choiceSandbox, ""
	case key == api.Production.Key() || key == api.Production.APIBase:
		return choiceProduction, ""
	case key == api.Testnet.Key() || key == api.Testnet.APIBase:
		return choiceTestnet, ""
	}
	return choiceCustom, key
}

// envLabelOf is the environment as the header shows it.
func envLabelOf(choice string, env api.Environment) string {
	switch choice {
	case choiceProduction, choiceTestnet, choiceSandbox:
		return choiceLabel(choice)
	}
	return env.Host()
}

// envChoices are the environments the sign-in screen offers, in its order.
var envChoices = []string{choiceProduction, choiceTestnet, choiceSandbox, choiceCustom}

// choiceLabel is how the window names an environment choice, in its
// language (the choices themselves are ids that never change).
func choiceLabel(choice string) string {
	switch choice {
	case choiceProduction:
		return tr("Production")
	case choiceTestnet:
		return tr("Testnet")
	case choiceSandbox:
		return tr("Local sandbox")
	case choiceCustom:
		return tr("Custom")
	}
	return choice
}

// choiceOfLabel is the environment choice shown as label ("" for none).
func choiceOfLabel(label string) string {
	for _, c := range envChoices {
		if choiceLabel(c) == label {
			return c
		}
	}
	return ""
}

// startSandbox starts the in-process sandbox once (data under
// Home/sandbox, so links keep working across runs) and returns its URL.
func (a *App) startSandbox() (string, error) {
	a.sandboxMu.Lock()
	defer a.sandboxMu.Unlock()
	if a.sandbox != nil {
		return a.sandboxURL, nil
	}
	if a.closed.Load() {
		return "", errClosed
	}
	srv, _, err := sandbox.NewDemo(sandbox.Config{DataDir: filepath.Join(a.home, storage.SandboxFolder), ForgetUploads: true})
	if err != nil {
		return "", fmt.Errorf("the Local sandbox could not start: %w", err)
	}
	u, err := srv.Start("127.0.0.1:0")
	if err != nil {
		_ = srv.Close()
		return "", fmt.Errorf("the Local sandbox could not start: %w", err)
	}
	a.sandbox, a.sandboxURL = srv, u
	return u, nil
}

// resolveEnv turns the chosen environment into URLs (starting the sandbox
// when needed). It may block, so it runs on a goroutine.
func (a *App) resolveEnv(choice string, custom api.Environment) (api.Environment, error) {
	switch choice {
	case choiceProduction:
		return api.Production, nil
	case choiceTestnet:
		return api.Testnet, nil
	case choiceSandbox:
		u, err := a.startSandbox()
		if err != nil {
			return api.Environment{}, err
		}
		env, err := api.CustomEnvironment(u)
		if err != nil {
			return api.Environment{}, err
		}
		env.Name = api.SandboxKey
		return env, nil
	}
	return session.CustomEnv(custom.APIBase, custom.UploadURL, custom.GatewayURL)
}

// signIn does the network and keyring work of a sign-in. It never touches
// widgets: it runs on a goroutine and its result is applied with do.
func (a *App) signIn(req signInRequest) signInResult {
	ctx, cancel := context.WithTimeout(a.life, signInTimeout) // a closing window ends the request early
	defer cancel()
	// A sign-out (or a replaced session) still closing must finish first:
	// its queue holds the account's queue lock, and its keyring deletions
	// would otherwise remove the credentials this sign-in is about to save.
	if err := a.waitRetired(ctx); err != nil {
		return signInResult{err: err}
	}
	env, err := a.resolveEnv(req.choice, req.custom)
	if err != nil {
		return signInResult{err: err}
	}
	client, err := api.NewClient(env, a.httpClient)
	if err != nil {
		return signInResult{err: err}
	}
	s, err := session.SignIn(ctx, client, req.creds, a.now())
	if err != nil {
		return signInResult{err: err}
	}
	notice := a.keepSignIn(s, req)
	if r := req.reuse; r != nil && r.EnvKey == s.EnvKey && r.Account == s.Account {
		if q := r.currentQueue(); q != nil {
			r.Tokens = s.Tokens
			q.SetTokens(s.Tokens)
			return signInResult{sess: r, notice: notice}
		}
	}
	q, err := a.newQueue(s)
	if err != nil && !errors.Is(err, storage.ErrQueueInUse) {
		return signInResult{err: err}
	}
	// With the queue in use by another process, q is nil: the window
	// waits for it (App.waitForQueue).
	as := &activeSession{Session: s, envLabel: envLabelOf(req.choice, env), queue: q}
	a.trackSession(as)
	return signInResult{sess: as, notice: notice}
}

// keepSignIn files the sign-in in the keyring and the remembered accounts,
// and returns the notice to show when the keyring will not keep it. A
// keyring that fails does not stop the sign-in: the credentials are then
// forgotten when the app quits (a password too long for it: that
// password, while the token kept signs in until it ends), or, when it
// did not answer in time, may still be kept when it answers.
func (a *App) keepSignIn(s *session.Session, req signInRequest) string {
	var err error
	var (
		tooLarge  *storage.SecretTooLargeError
		tokenOnly *session.PasswordNotKeptError
	)
	mayLand := false // a write the keyring may still answer (Keep's timeout)
	if req.auto {
		// What signed in came from the keyring, which keeps it: a fresh
		// token it refuses costs a request next time, and is no reason
		// to say the sign-in is kept only until quit.
		_ = session.KeepToken(a.secrets, s)
		if session.DropTokenIfSignedOut(a.db, a.secrets, s) {
			// A logout (the command line) signed the account out after
			// this sign-in read the keyring: the window goes on with the
			// sign-in until it quits, and does not list it again.
			return ""
		}
	} else {
		err = session.Keep(a.secrets, s, req.creds, req.remember)
		switch {
		case !errors.Is(err, storage.ErrKeyringTimeout):
		case s.Method == storage.MethodPassword && !req.remember:
			// The token is all the keyring was to keep, and it may
			// still land (the keyring answers late): the removal is
			// queued behind it (calls for one entry run in order), so
			// what is said below, kept only until the quit, is true.
			// The account stays remembered: a sign-out finds it.
			_ = session.Forget(a.secrets, s.Remembered())
		default:
			// The key, or the password the person asked to have
			// remembered, may still land: removed, "Remember me"
			// would do nothing, so the account stays remembered and
			// the next start signs in with it if it landed, or says
			// that it needs signing in again if not.
			mayLand = true
		}
	}
	a.changeSettings(func(st storage.Settings) storage.Settings {
		st.LastEnv = s.EnvKey
		return st.WithRememberedAccount(s.Remembered())
	})
	switch {
	case s.EnvKey == api.SandboxKey:
		// The Local sandbox's demo key is public and it signs in by
		// itself every time: a missing keyring costs nothing there.
		return ""
	case !a.secrets.Persistent():
		return tr("The system keyring is not available, so you will have to sign in again next time. Settings says how to fix it.")
	case errors.As(err, new(*session.PasswordNotDeletedError)):
		// The sign-in is kept; the password the person no longer wants
		// remembered is left in the keyring, unused.
		return tr("Signed in. Your keyring did not delete the password kept at an earlier sign-in with “Remember me”: it is not used, and each start tries to delete it again. You can also delete it with your system's keyring app (the entries named “dstor-uploader”).")
	case mayLand:
		return tr("Signed in, but your keyring did not answer in time, so it may or may not keep this sign-in. If the next start does not sign you in by itself, sign in again then.")
	case errors.As(err, &tokenOnly) && errors.As(err, &tooLarge):
		// The token is kept: the next start signs in with it while
		// it lasts, so "only until you quit" would be untrue.
		return tr("Signed in. Your password is too long for the system keyring to keep, so it is not remembered: once this sign-in ends, you will be asked for it again.")
	case errors.As(err, &tokenOnly):
		return tr("Signed in, but your keyring did not accept your password, so it is not remembered: once this sign-in ends, you will be asked for it again.")
	case err != nil:
		return tr("Signed in, but your keyring did not accept the credentials, so they are kept only until you quit.")
	}
	return ""
}

// trackSession records a session whose queue runs, so that Close stops it
// even when its sign-in result never reached the UI (the window closed
// while the sign-in was on its way).
func (a *App) trackSession(s *activeSession) {
	a.retMu.Lock()
	defer a.retMu.Unlock()
	if a.sessions == nil {
		a.sessions = map[*activeSession]struct{}{}
	}
	a.sessions[s] = struct{}{}
}

// closeSession stops s and forgets it, keeping what its queue could not
// record (Unrecorded).
func (a *App) closeSession(s *activeSession) {
	s.close()
	s.mu.Lock()
	lost, added := s.unrecorded, s.notListed
	s.unrecorded, s.notListed = nil, nil
	s.mu.Unlock()
	a.retMu.Lock()
	delete(a.sessions, s)
	a.unrecorded = append(a.unrecorded, lost...)
	a.notListed = append(a.notListed, added...)
	a.retMu.Unlock()
}

// Unrecorded is the uploads dStor accepted that the window's queues,
// closed by now, could not record because the history file was deleted or
// replaced while they ran (each job done with its history entry): Run
// writes them into the database at the path as it closes it
// (storage.DB.CloseCarryingOver), with the jobs not uploaded, so the next
// start shows them.
func (a *App) Unrecorded() []storage.JobFinish {
	a.retMu.Lock()
	defer a.retMu.Unlock()
	return slices.Clone(a.unrecorded)
}

// NotListed is the files and folders added to the window's queues, closed
// by now, once the history file was deleted or replaced: not uploaded
// (see notListedText), Run writes them into the database at the path with
// Unrecorded, so the next start lists and uploads them.
func (a *App) NotListed() []storage.WalkRow {
	a.retMu.Lock()
	defer a.retMu.Unlock()
	return slices.Clone(a.notListed)
}

// retire closes s, then runs then (if not nil), on a background goroutine.
// It is called on the UI goroutine, and a sign-in started afterwards waits
// for it (waitRetired).
func (a *App) retire(s *activeSession, then func()) {
	done := make(chan struct{})
	a.retMu.Lock()
	a.retiring = append(a.retiring, done)
	a.retMu.Unlock()
	finished := func() {
		a.retMu.Lock()
		for i, c := range a.retiring {
			if c == done {
				a.retiring = append(a.retiring[:i], a.retiring[i+1:]...)
				break
			}
		}
		a.retMu.Unlock()
		close(done)
	}
	if !a.goBg(func() {
		defer finished()
		a.closeSession(s)
		if then != nil {
			then()
		}
	}) {
		finished() // after Close, which closes every tracked session itself
	}
}

// waitRetired waits for every retire started so far.
func (a *App) waitRetired(ctx context.Context) error {
	a.retMu.Lock()
	pending := append([]chan struct{}(nil), a.retiring...)
	a.retMu.Unlock()
	for _, c := range pending {
		select {
		case <-c:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// rememberedRequest builds the sign-in for the account of envKey ("" = of
// any environment) signed in to last (session.Newest) from the keyring, or
// says why it cannot sign in by itself: *session.ErrNotSignedIn when none
// is remembered, else ReadSaved's error. No account signed in to before it
// is tried: that is another dStor account. It runs on a goroutine (keyring
// calls can be slow).
func (a *App) rememberedRequest(envKey string) (signInRequest, error) {
	ra, ok := session.Newest(a.currentSettings(), envKey)
	if !ok {
		return signInRequest{}, &session.ErrNotSignedIn{EnvKey: envKey}
	}
	sv, err := session.ReadSaved(a.secrets, ra)
	if err != nil {
		return signInRequest{}, err
	}
	choice, base := choiceForEnvKey(sv.Env)
	req := signInRequest{choice: choice, creds: sv.Credentials, auto: true}
	if choice == choiceCustom {
		req.custom = a.customFor(base)
	}
	return req, nil
}

// customFor returns the Custom environment last typed in this data folder
// (its settings), or one derived from base when that is another server.
func (a *App) customFor(base string) api.Environment {
	c := a.currentSettings().Custom
	env := api.Environment{APIBase: c.APIBase, UploadURL: c.UploadURL, GatewayURL: c.GatewayURL}
	if base != "" && session.ParseKey(env.APIBase) != session.ParseKey(base) {
		env = api.Environment{APIBase: base}
	}
	return env
}

// savableCustom is env as a data folder's settings keep it: each URL as
// savableURL leaves it, so no secret pasted into a field is kept.
func savableCustom(env api.Environment) storage.CustomEnv {
	return storage.CustomEnv{APIBase: savableURL(env.APIBase),
		UploadURL: savableURL(env.UploadURL), GatewayURL: savableURL(env.GatewayURL)}
}

// carryOverCustom keeps in this data folder's settings the Custom URLs an
// older version kept in Fyne's preferences, so an upgrading person finds
// what they typed, when the settings hold none and the URLs are of a
// server this data folder signed in to (its last environment or a
// remembered account's): a data folder that never did (a test run's, a
// new one to start over, another person's) does not take another's.
// Fyne's preferences are left as they are (no longer written: a file
// every data folder shares, which Fyne rewrites in place).
func (a *App) carryOverCustom() {
	p := a.fyne.Preferences()
	old := savableCustom(api.Environment{APIBase: p.String(prefCustomBase),
		UploadURL: p.String(prefCustomUpload), GatewayURL: p.String(prefCustomGateway)})
	key := session.ParseKey(old.APIBase)
	if key == "" || !a.currentSettings().Custom.IsZero() || !signedInTo(a.currentSettings(), key) {
		return
	}
	a.changeSettings(func(s storage.Settings) storage.Settings {
		if s.Custom.IsZero() {
			s.Custom = old
		}
		return s
	})
}

// signedInTo reports whether s names the environment of key as the one
// used last or a remembered account's.
func signedInTo(s storage.Settings, key string) bool {
	if session.ParseKey(s.LastEnv) == key {
		return true
	}
	return slices.ContainsFunc(s.RememberedAccounts, func(ra storage.RememberedAccount) bool {
		return session.ParseKey(ra.Env) == key
	})
}

// signOutKeepsRemembered reports whether signing out of the account must
// leave it remembered: it was remembered when the window started, and the
// keyring, which may keep its key or password from then, cannot be used
// this run. Forgetting it would leave those secrets with no account to
// sign out; kept, the next start where the keyring works signs it in,
// and signing out there removes them.
func (a *App) signOutKeepsRemembered(envKey, account string) bool {
	return keyringOutOfReach(a.secrets) && a.outOfReach[accountKey(envKey, account)]
}

// keyringOutOfReach reports whether secrets is kept in memory because the
// system keyring cannot be used (no session bus, no answer, a refusal),
// not because the store never uses it (KeyringOff): then what the keyring
// keeps from earlier runs is still there, out of reach.
func keyringOutOfReach(secrets *storage.SecretStore) bool {
	state, _ := secrets.State()
	return !secrets.Persistent() && state != storage.KeyringOff
}

// keyringOutOfReachText says why no remembered account of envKey ("" = of
// any environment) signed in by itself, when the reason is the keyring;
// "" otherwise. The Local sandbox is left out: its demo key is public.
func (a *App) keyringOutOfReachText(envKey string) string {
	if !keyringOutOfReach(a.secrets) {
		return ""
	}
	for _, ra := range a.currentSettings().RememberedAccounts {
		if (envKey == "" || ra.Env == envKey) && ra.Env != api.SandboxKey {
			return tr("Your remembered sign-in did not sign you in by itself: it is kept in the system keyring, which cannot be used now.") +
				" " + keyringText(a.secrets.State())
		}
	}
	return ""
}

// signOutAccount forgets an account: its secrets leave the keyring and
// its name leaves the remembered accounts. It runs on a goroutine.
func (a *App) signOutAccount(envKey, account string) error {
	gone := storage.RememberedAccount{Env: envKey, Account: account}
	if ra, ok := a.currentSettings().Remembered(envKey, account); ok {
		gone.FiledUnder = ra.FiledUnder // its secrets' former spelling
	}
	a.changeSettings(func(st storage.Settings) storage.Settings {
		return st.WithoutRememberedAccount(envKey, account)
	})
	return a.forgetSettled(gone)
}

// forgetSettled is session.Forget of account, which, when the keyring
// gave up on a delete queued behind a call it answers late (a sign-in's
// token written late), waits for the keyring's calls (settleKeyring) and
// deletes once more: what the window then says the keyring holds is what
// it holds, not what it stops holding a moment later. It runs on a
// goroutine.
func (a *App) forgetSettled(account storage.RememberedAccount) error {
	err := session.Forget(a.secrets, account)
	if !errors.Is(err, storage.ErrKeyringTimeout) || a.settleKeyring() != nil {
		return err
	}
	return session.Forget(a.secrets, account)
}
