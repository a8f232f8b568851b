package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

func TestMain(m *testing.M) {
	// Dates in goldens and assertions do not depend on the machine's zone.
	time.Local = time.UTC
	// Never open a blocking native dialog from a test.
	os.Setenv("DSTOR_UPLOADER_FYNE_DIALOGS", "1")
	os.Exit(m.Run())
}

// testEnv is one App on a fresh data directory with an in-memory keyring.
type testEnv struct {
	t       testing.TB
	dir     string
	db      *storage.DB
	secrets *storage.SecretStore
	a       *App
	// fyne is the Fyne app every App of e is opened in, when set: one
	// that other windows share, as processes share Fyne's preferences
	// file; else each gets a new one.
	fyne fyne.App
}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	return newTestEnvIn(t, t.TempDir())
}

// newTestEnvIn is newTestEnv with its data folder at dir (on a small disk,
// say).
func newTestEnvIn(t testing.TB, dir string) *testEnv {
	t.Helper()
	return newTestEnvOn(t, dir, nil)
}

// newTestEnvOn is newTestEnvIn with its windows opened in the Fyne app
// fa (testEnv.fyne; nil: a new one each).
func newTestEnvOn(t testing.TB, dir string, fa fyne.App) *testEnv {
	t.Helper()
	e := &testEnv{t: t, dir: dir, secrets: storage.NewMemorySecretStore(), fyne: fa}
	db, err := storage.Open(e.dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	e.db = db
	e.a = e.open(Deps{})
	return e
}

// newKeyringTestEnv is a test window on a fake keyring that works (a
// store that keeps what it is given), opened anew on it; the fake is
// returned for a test to make it fail.
func newKeyringTestEnv(t testing.TB) (*testEnv, *testutil.Keyring) {
	t.Helper()
	fake := testutil.NewKeyring()
	e := newTestEnv(t)
	e.secrets = fake.Store()
	require.True(t, e.secrets.Persistent(), e.secrets.Reason())
	e.a.Close()
	e.a = e.open(Deps{})
	return e, fake
}

// open builds an App on e's database (NewApp for a "restart").
func (e *testEnv) open(d Deps) *App {
	e.t.Helper()
	d.DB = e.db
	if d.Secrets == nil {
		d.Secrets = e.secrets
	}
	d.Home = e.dir
	if d.Env == "" {
		d.NoAutoSignIn = true
	}
	fa := e.fyne
	if fa == nil {
		fa = test.NewTempApp(e.t)
	}
	a := NewApp(fa, d)
	// Under the UI lock: a sign-in started by NewApp may already be
	// changing the window from its goroutine (text shaping is not safe
	// to run twice at once).
	a.uiMu.Lock()
	a.win.Resize(a.win.Canvas().Size().Max(a.win.Content().MinSize()))
	a.uiMu.Unlock()
	e.t.Cleanup(a.Close)
	return a
}

// ui runs f as the UI goroutine would: under the lock that the App's
// background updates take, so the race detector sees the ordering.
func (e *testEnv) ui(f func()) {
	e.a.uiMu.Lock()
	defer e.a.uiMu.Unlock()
	f()
}

// eventually waits until cond (checked under the UI lock) holds. The
// limit is a hang guard, not a speed limit: under -race on two cores
// shared with other builds, a password sign-in to the sandbox (bcrypt) has
// taken over 20 s.
func (e *testEnv) eventually(cond func() bool, msg string) {
	e.t.Helper()
	require.Eventually(e.t, func() bool {
		var ok bool
		e.ui(func() { ok = cond() })
		return ok
	}, 2*time.Minute, 20*time.Millisecond, msg)
}

// shownMark is what the window had shown when it was taken (markShown):
// a wait for what an action shows, marked before the action, ends only on
// a toast or dialog shown after it, never on one still there from before
// (a toast keeps its text once hidden).
type shownMark struct {
	toasts int               // toasts shown so far (App.toastGen)
	top    fyne.CanvasObject // the overlay on top, nil if none
}

// markShown marks what the window has shown so far; take it before the
// action whose toast or dialog a test waits for.
func (e *testEnv) markShown() shownMark {
	var m shownMark
	e.ui(func() { m = shownMark{toasts: e.a.toastGen, top: e.a.win.Canvas().Overlays().Top()} })
	return m
}

// toastAfter is the text of the newest toast a has shown since m was
// taken, "" if none. Call it on the UI goroutine (in e.ui or eventually).
func (m shownMark) toastAfter(a *App) string {
	if a.toastGen == m.toasts {
		return ""
	}
	return a.toast.Text
}

// dialogAfter is the overlay on top of a's window if it came after m was
// taken, else nil. Call it on the UI goroutine.
func (m shownMark) dialogAfter(a *App) fyne.CanvasObject {
	top := a.win.Canvas().Overlays().Top()
	if top == m.top {
		return nil
	}
	return top
}

// waitToastAfter waits until a toast is shown after m, and returns its
// text (what names the wait).
func (e *testEnv) waitToastAfter(m shownMark, what string) string {
	e.t.Helper()
	var text string
	e.eventually(func() bool { text = m.toastAfter(e.a); return text != "" }, what)
	return text
}

// reloadHistory reads History again and waits until it holds n entries.
func (e *testEnv) reloadHistory(n int) {
	e.t.Helper()
	h := e.a.history
	e.ui(func() { h.reload() })
	e.eventually(func() bool { return len(h.entries) == n }, "History loaded")
}

// signInSandbox signs in to the Local sandbox with the demo key.
func (e *testEnv) signInSandbox() {
	e.t.Helper()
	e.ui(func() {
		e.a.signin.env.SetSelected(choiceLabel(choiceSandbox))
		e.a.signin.methods.Select(e.a.signin.keyTab)
		require.Equal(e.t, sandbox.DemoAPIKey, e.a.signin.apiKey.Text)
		test.Tap(e.a.signin.keySubmit)
	})
	e.eventually(func() bool { return e.a.sess != nil }, "signed in")
}

// signInCustom signs in to sb as a server of one's own (Custom), with its
// API key, and waits until signed in.
func (e *testEnv) signInCustom(sb *testutil.Sandbox) {
	e.t.Helper()
	e.ui(func() {
		e.a.signin.env.SetSelected(choiceCustom)
		e.a.signin.customBase.SetText(sb.URL)
		e.a.signin.methods.Select(e.a.signin.keyTab)
		e.a.signin.apiKey.SetText(sb.Key)
		test.Tap(e.a.signin.keySubmit)
	})
	e.eventually(func() bool { return e.a.sess != nil }, "signed in")
}

// signInPassword signs in to sb as a server of one's own (Custom), with
// email and password, "Remember me" ticked or not, and waits until signed
// in.
func (e *testEnv) signInPassword(sb *testutil.Sandbox, email, password string, remember bool) {
	e.t.Helper()
	e.ui(func() {
		v := e.a.signin
		v.env.SetSelected(choiceCustom)
		v.customBase.SetText(sb.URL)
		v.methods.Select(v.loginTab)
		v.email.SetText(email)
		v.password.SetText(password)
		v.remember.SetChecked(remember)
		test.Tap(v.loginSubmit)
	})
	e.eventually(func() bool { return e.a.sess != nil }, "signed in")
}

// addPaused pauses the queue (unless it is paused) and adds paths,
// returning once they are all queued: none starts until Resume.
func (e *testEnv) addPaused(paths ...string) {
	e.t.Helper()
	e.ui(func() {
		if !e.a.upload.sum.Paused {
			e.a.upload.onPauseResume()
		}
	})
	e.eventually(func() bool { return e.a.upload.sum.Paused }, "paused")
	var want int
	e.ui(func() {
		want = e.a.upload.sum.Queued + len(paths)
		e.a.addPaths(paths)
	})
	e.eventually(func() bool { return e.a.upload.sum.Queued == want }, "queued")
}

// writeFiles writes a file of 1,000 bytes under each name in dir and
// returns their paths.
func writeFiles(t *testing.T, dir string, names ...string) []string {
	var paths []string
	for _, n := range names {
		paths = append(paths, testutil.WriteFile(t, filepath.Join(dir, n), 1000))
	}
	return paths
}

// signInRememberedPassword signs in to the Local sandbox with the email
// and password the form fills in, Remember me ticked, and waits until
// signed in.
func (e *testEnv) signInRememberedPassword() {
	e.t.Helper()
	e.ui(func() {
		e.a.signin.env.SetSelected(choiceSandbox)
		e.a.signin.methods.Select(e.a.signin.loginTab)
		require.Equal(e.t, sandbox.DemoPassword, e.a.signin.password.Text)
		test.Tap(e.a.signin.remember)
		test.Tap(e.a.signin.loginSubmit)
	})
	e.eventually(func() bool { return e.a.sess != nil }, "signed in")
}

// walkObjects calls fn for o and every visible object inside it.
func walkObjects(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch o := o.(type) {
	case *fyne.Container:
		for _, c := range o.Objects {
			walkObjects(c, fn)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			walkObjects(c, fn)
		}
	}
}

// speak makes the window speak l for the rest of t: the LANGUAGE the app
// reads, and its catalog loaded.
func speak(t *testing.T, l windowLanguage) {
	t.Helper()
	t.Setenv("LANGUAGE", strings.TrimSuffix(l.File, ".json"))
	require.NoError(t, useLanguage(""))
}

// inEachLanguage runs f as a subtest in each of the window's languages
// (speak), and loads the default language's catalog again when t ends.
func inEachLanguage(t *testing.T, f func(t *testing.T, l windowLanguage)) {
	t.Helper()
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	for _, l := range languages {
		t.Run(l.Tag, func(t *testing.T) {
			speak(t, l)
			f(t, l)
		})
	}
}
