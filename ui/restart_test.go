package ui

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// uploadOne adds a small file and waits until the queue has done one more.
func (e *testEnv) uploadOne(name string) {
	e.t.Helper()
	p := testutil.WriteFile(e.t, filepath.Join(e.t.TempDir(), name), 300)
	a := e.a
	var before int
	e.ui(func() {
		before = a.upload.sum.Done
		a.addPaths([]string{p})
	})
	e.eventually(func() bool { return a.upload.sum.Done == before+1 && !a.upload.busy() }, name+" uploaded")
	e.ui(func() {
		assert.False(e.t, a.upload.waiting.Visible(), "no 'session expired' banner")
		assert.Zero(e.t, a.upload.sum.Waiting, "no row needs sign-in")
	})
}

// restart closes the window and opens it again on the same data folder
// and keyring, as a quit and a new start do; with env it signs in by itself.
func (e *testEnv) restart(env string) {
	e.t.Helper()
	e.a.Close()
	e.a = e.open(Deps{Env: env})
	e.eventually(func() bool { return e.a.sess != nil && e.a.upload.sess != nil }, "signed in again by itself")
}

// TestRememberedPasswordSignsInAfterRestarts is the reported case: an
// email/password account remembered on the Local sandbox (whose signing
// key is new at each start, so the token kept from the last run is
// refused) signs in again by itself at every start and uploads, never
// showing "Your session has expired".
func TestRememberedPasswordSignsInAfterRestarts(t *testing.T) {
	e := newTestEnv(t)
	e.signInRememberedPassword()
	e.uploadOne("first.txt")
	for start := range 3 {
		e.restart("sandbox")
		e.ui(func() {
			assert.Equal(t, storage.MethodPassword, e.a.sess.Method, "start %d: the remembered account", start)
			assert.Equal(t, sandbox.DemoEmail, e.a.sess.Account)
		})
		e.uploadOne("again.txt")
	}
}

// TestRememberedAPIKeySignsInAfterRestarts: the same for an API key on a
// server of one's own, which also refuses the token in use (401).
func TestRememberedAPIKeySignsInAfterRestarts(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e := newTestEnv(t)
	e.signInCustom(sb)
	e.uploadOne("first.txt")
	for range 3 {
		e.restart(sb.URL)
		sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 401, Count: 1})
		e.uploadOne("again.txt")
	}
}

// "Sign in again" fills in what the keyring remembers.
func TestSignInAgainPrefillsTheRememberedPassword(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInRememberedPassword()
	e.ui(func() {
		a.signin.password.SetText("")
		a.signin.remember.SetChecked(false)
		a.onReauth()
	})
	e.eventually(func() bool { return a.signin.remember.Checked }, "Remember me ticked again, as remembered")
	e.ui(func() {
		assert.Equal(t, sandbox.DemoPassword, a.signin.password.Text, "the remembered password is filled in")
		assert.Equal(t, a.signin.loginTab, a.signin.methods.Selected())
		assert.Equal(t, sandbox.DemoEmail, a.signin.email.Text)
	})
}
