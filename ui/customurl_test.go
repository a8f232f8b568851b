package ui

import (
	"net"
	"os"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// closedURL is the http URL of a loopback port nothing listens on: a
// sign-in there fails at once, after the form's URLs are kept.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	u := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	return u
}

// tryCustom signs in to env as the Custom environment with an API key
// on e's form, and waits for the sign-in to end in an error.
func (e *testEnv) tryCustom(env api.Environment) {
	e.t.Helper()
	v := e.a.signin
	e.ui(func() {
		v.env.SetSelected(choiceLabel(choiceCustom))
		v.customBase.SetText(env.APIBase)
		v.customUpload.SetText(env.UploadURL)
		v.customGateway.SetText(env.GatewayURL)
		v.methods.Select(v.keyTab)
		v.apiKey.SetText(sandbox.DemoAPIKey)
		test.Tap(v.keySubmit)
	})
	e.eventually(func() bool { return !v.busy && v.errorLabel().Visible() }, "the sign-in refused")
}

// customShown is the Custom environment e's form shows.
func (e *testEnv) customShown() api.Environment {
	var env api.Environment
	e.ui(func() { env = e.a.signin.customEnv() })
	return env
}

// reopen closes e's window and opens a new one on its data folder, as
// the next start does.
func (e *testEnv) reopen() {
	e.t.Helper()
	e.a.Close()
	e.a = e.open(Deps{})
}

// storedCustom is the Custom environment e's data folder keeps, once its
// window is closed (the settings it changed all saved).
func storedCustom(t *testing.T, e *testEnv) storage.CustomEnv {
	t.Helper()
	e.a.Close()
	s, err := e.db.LoadSettings()
	require.NoError(t, err)
	return s.Custom
}

// assertNoFyneCustomURLs checks that Fyne's preferences (one file for
// every data folder) hold no Custom URL.
func assertNoFyneCustomURLs(t *testing.T, e *testEnv) {
	t.Helper()
	p := e.a.fyne.Preferences()
	for _, k := range []string{prefCustomBase, prefCustomUpload, prefCustomGateway} {
		assert.Empty(t, p.String(k), "Fyne's preferences hold %s", k)
	}
}

// TestCustomURLsBelongToTheirDataFolder: two windows on two data folders
// (--home A and --home B: portable use, two accounts, a test run), in one
// Fyne app as two processes share Fyne's preferences file. The Custom
// URLs typed in A do not fill B's form; those typed in B do not replace
// A's, so A, started again on the server it signed in to (its remembered
// sign-in's too), shows its own upload and gateway URLs: not B's for the
// same server, not ones derived from the base for another. Fyne's
// preferences are not written.
func TestCustomURLsBelongToTheirDataFolder(t *testing.T) {
	srv, other := closedURL(t), closedURL(t)
	forA := api.Environment{APIBase: srv, UploadURL: srv + "/a/api/v0/add", GatewayURL: srv + "/a/ipfs/"}
	for _, tc := range []struct {
		name string
		forB api.Environment
	}{
		{"the same server, other URLs", api.Environment{APIBase: srv, UploadURL: srv + "/b/api/v0/add", GatewayURL: srv + "/b/ipfs/"}},
		{"another server", api.Environment{APIBase: other, UploadURL: other + "/api/v0/add", GatewayURL: other + "/ipfs/"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fa := test.NewTempApp(t)
			a := newTestEnvOn(t, t.TempDir(), fa)
			a.tryCustom(forA)
			assertNoFyneCustomURLs(t, a)

			b := newTestEnvOn(t, t.TempDir(), fa)
			assert.Equal(t, api.Environment{}, b.customShown(), "B's form is not filled with A's URLs")
			b.tryCustom(tc.forB)
			assertNoFyneCustomURLs(t, b)

			// A signed in to srv last, as its remembered account did.
			_, err := a.db.UpdateSettings(func(s storage.Settings) storage.Settings {
				s.LastEnv = api.Environment{APIBase: srv}.Key()
				return s
			})
			require.NoError(t, err)
			a.reopen()
			assert.Equal(t, forA, a.customShown(), "A shows its own URLs")
			b.reopen()
			assert.Equal(t, tc.forB, b.customShown(), "B shows its own URLs")
		})
	}
}

// TestStartOverForgetsTheCustomURLs: a data folder deleted to start over
// leaves no Custom URL behind: a window on a new one at the same path
// shows none.
func TestStartOverForgetsTheCustomURLs(t *testing.T) {
	e := newTestEnvOn(t, t.TempDir(), test.NewTempApp(t))
	srv := closedURL(t)
	e.tryCustom(api.Environment{APIBase: srv, UploadURL: srv + "/api/v0/add", GatewayURL: srv + "/ipfs/"})
	e.reopen()
	require.Equal(t, srv, e.customShown().APIBase, "kept for the next start")

	e.a.Close()
	require.NoError(t, e.db.Close())
	require.NoError(t, os.RemoveAll(e.dir))
	db, err := storage.Open(e.dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	e.db = db
	e.a = e.open(Deps{})
	assert.Equal(t, api.Environment{}, e.customShown())
}

// TestCustomURLsOfAnOlderVersionAreCarriedOver: the Custom URLs an older
// version kept in Fyne's preferences are kept in a data folder's settings
// at its first start, when it holds none and signed in to their server
// (last, or as a remembered account), without a token in them; a data
// folder that never signed in there (a new one, a test run's) does not
// take them, nor does one that keeps URLs of its own. Fyne's preferences
// are left as they are.
func TestCustomURLsOfAnOlderVersionAreCarriedOver(t *testing.T) {
	srv, other := closedURL(t), closedURL(t)
	typed := api.Environment{APIBase: srv, UploadURL: srv + "/api/v0/add", GatewayURL: srv + "/ipfs/?token=t0k3n"}
	carried := storage.CustomEnv{APIBase: srv, UploadURL: srv + "/api/v0/add", GatewayURL: srv + "/ipfs/"}
	own := storage.CustomEnv{APIBase: other, UploadURL: other + "/up"}
	srvKey := api.Environment{APIBase: srv}.Key()
	for _, tc := range []struct {
		name string
		seed func(s storage.Settings) storage.Settings
		want storage.CustomEnv
	}{
		{"signed in there last", func(s storage.Settings) storage.Settings {
			s.LastEnv = srvKey
			return s
		}, carried},
		{"a remembered account there", func(s storage.Settings) storage.Settings {
			s.LastEnv = "production"
			return s.WithRememberedAccount(storage.RememberedAccount{Env: srv + "/", Account: "a@example.com", Method: storage.MethodAPIKey})
		}, carried},
		{"a new data folder", func(s storage.Settings) storage.Settings { return s }, storage.CustomEnv{}},
		{"signed in elsewhere", func(s storage.Settings) storage.Settings {
			s.LastEnv = api.Environment{APIBase: other}.Key()
			return s
		}, storage.CustomEnv{}},
		{"URLs of its own", func(s storage.Settings) storage.Settings {
			s.LastEnv, s.Custom = srvKey, own
			return s
		}, own},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fa := test.NewTempApp(t)
			p := fa.Preferences()
			p.SetString(prefCustomBase, typed.APIBase)
			p.SetString(prefCustomUpload, typed.UploadURL)
			p.SetString(prefCustomGateway, typed.GatewayURL)
			dir := t.TempDir()
			db, err := storage.Open(dir)
			require.NoError(t, err)
			_, err = db.UpdateSettings(tc.seed)
			require.NoError(t, err)
			require.NoError(t, db.Close())

			e := newTestEnvOn(t, dir, fa)
			shown := e.customShown()
			assert.Equal(t, tc.want, storedCustom(t, e))
			if tc.want == carried {
				assert.Equal(t, api.Environment{APIBase: carried.APIBase, UploadURL: carried.UploadURL, GatewayURL: carried.GatewayURL}, shown)
			}
			assert.Equal(t, typed.GatewayURL, p.String(prefCustomGateway), "Fyne's preferences as they were")
		})
	}
}
