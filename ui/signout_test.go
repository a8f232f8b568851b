package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestSignOutSaysTheKeyringKeptTheCredentials: a keyring that refuses to
// delete. Signing out says the credentials are still there and how to
// remove them, and nothing on the screen says they were removed.
func TestSignOutSaysTheKeyringKeptTheCredentials(t *testing.T) {
	e, fake := newKeyringTestEnv(t)
	e.signInSandbox()
	a := e.a
	var account string
	e.ui(func() { account = a.sess.Account })
	_, err := e.secrets.Get(api.SandboxKey, account, storage.SecretAPIKey)
	require.NoError(t, err, "kept at sign-in")

	fake.FailOn(testutil.KeyringDelete, errors.New("the collection is read-only"))
	e.ui(func() { test.Tap(a.signOut) })
	e.eventually(func() bool { return a.sess == nil && a.signin.errorLabel().Visible() }, "the failure shown")
	_, err = e.secrets.Get(api.SandboxKey, account, storage.SecretAPIKey)
	require.NoError(t, err, "the keyring still holds the key")
	e.ui(func() {
		v := a.signin
		shown := v.errorLabel().Text
		if v.notice.Visible() {
			shown += " " + v.notice.Text
		}
		assert.NotContains(t, shown, "were removed", "nothing says they are gone")
		assert.Contains(t, shown, "still holds them")
		assert.Contains(t, shown, "sign in to this account again and sign out", "what to do")
		assert.Contains(t, shown, "dstor-uploader", "the entries' name")
		assert.Contains(t, shown, "the collection is read-only", "why")
	})

	// What it says works: signing in again and out, the keyring deleting.
	fake.FailOn(testutil.KeyringDelete, nil)
	e.signInSandbox()
	e.ui(func() { test.Tap(a.signOut) })
	e.eventually(func() bool { return a.sess == nil }, "signed out")
	require.Eventually(t, func() bool {
		_, err := e.secrets.Get(api.SandboxKey, account, storage.SecretAPIKey)
		return errors.Is(err, storage.ErrSecretNotFound)
	}, 20*time.Second, 10*time.Millisecond)
	e.ui(func() {
		assert.False(t, a.signin.errorLabel().Visible())
		assert.Contains(t, a.signin.notice.Text, "were removed")
	})
}

// TestKeyringOutOfReachAtStart: an account remembered with a working
// keyring, then a start whose keyring cannot be used (it refuses the
// probe: locked, its daemon gone). The window says why the remembered
// sign-in did not sign in by itself, rather than showing the form as if
// nothing were remembered; signing out of a sign-in by hand there removes
// nothing it cannot reach and keeps the account remembered, saying so,
// so the next start with the keyring back signs in by itself, and signing
// out there removes the secrets.
func TestKeyringOutOfReachAtStart(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e, _ := newKeyringTestEnv(t)
	working := e.secrets
	e.signInCustom(sb)
	var account, envKey string
	e.ui(func() { account, envKey = e.a.sess.Account, e.a.sess.EnvKey })
	key, err := working.Get(envKey, account, storage.SecretAPIKey)
	require.NoError(t, err)
	require.Equal(t, sb.Key, key)

	start := func(secrets *storage.SecretStore) *App {
		e.a.Close()
		a := NewApp(test.NewTempApp(t), Deps{DB: e.db, Secrets: secrets, Home: e.dir})
		t.Cleanup(a.Close)
		e.a = a
		return a
	}
	locked := errors.New("the collection is locked")
	down := testutil.NewKeyring()
	down.Fail(func(testutil.KeyringOp, string, string) error { return locked })
	broken := down.Store()
	require.False(t, broken.Persistent())
	a := start(broken)
	e.eventually(func() bool { return !a.signin.busy && a.signin.notice.Visible() }, "the sign-in screen says why")
	e.ui(func() {
		assert.Nil(t, a.sess)
		assert.Contains(t, a.signin.notice.Text, "remembered sign-in")
		assert.Contains(t, a.signin.notice.Text, "the collection is locked", "the keyring's own words")
	})

	e.signInCustom(sb)
	e.ui(func() { test.Tap(a.signOut) })
	e.eventually(func() bool { return a.sess == nil && a.win.Content() == a.signin.content }, "signed out")
	e.ui(func() {
		assert.NotContains(t, a.signin.notice.Text, "were removed")
		assert.Contains(t, a.signin.notice.Text, "was not removed")
	})
	require.NoError(t, a.waitRetired(t.Context()), "the sign-out done")
	remembered := a.currentSettings().RememberedAccounts
	require.Len(t, remembered, 1, "still remembered")
	assert.Equal(t, account, remembered[0].Account)
	_, err = working.Get(envKey, account, storage.SecretAPIKey)
	require.NoError(t, err, "the keyring still holds the key")

	a = start(working)
	e.eventually(func() bool { return a.sess != nil }, "the keyring back: signed in by itself")
	e.ui(func() { test.Tap(a.signOut) })
	require.Eventually(t, func() bool {
		_, err := working.Get(envKey, account, storage.SecretAPIKey)
		return errors.Is(err, storage.ErrSecretNotFound)
	}, 20*time.Second, 10*time.Millisecond)
	require.Eventually(t, func() bool { return len(a.currentSettings().RememberedAccounts) == 0 }, 20*time.Second, 10*time.Millisecond)
}

// TestCredentialsInACustomURLAreNotSaved: a Custom URL with a user name
// and password in it ("https://me:pw@…", pasted from elsewhere) is refused
// at sign-in; its password is not written to the data folder's settings
// on the way, while the URLs that are fine are kept for the
// next start as before.
func TestCredentialsInACustomURLAreNotSaved(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	const pw = "hunter2-secret"
	e.ui(func() {
		v := a.signin
		v.env.SetSelected(choiceLabel(choiceCustom))
		v.customBase.SetText("https://api.example.com")
		v.customUpload.SetText("https://me:" + pw + "@upload.example.com")
		v.customGateway.SetText("https://me:" + pw + "@gw.example.com/ipfs/")
		v.methods.Select(v.keyTab)
		v.apiKey.SetText(strings.Repeat("k", api.APIKeyLength))
		test.Tap(v.keySubmit)
	})
	e.eventually(func() bool { return !a.signin.busy && a.signin.errorLabel().Visible() }, "refused")
	e.ui(func() {
		assert.Contains(t, a.signin.errorLabel().Text, "user name or password")
		assert.NotContains(t, a.signin.errorLabel().Text, pw)
	})
	kept := storedCustom(t, e)
	assert.NotContains(t, fmt.Sprint(kept), pw)
	assert.Equal(t, "https://api.example.com", kept.APIBase, "a URL that is fine is kept")
}

// TestSecretsInACustomURLFieldAreNotSaved: an API key or a token typed
// into a Custom URL field by mistake — the key pasted there alone, after
// https:// (where it was kept as a host name) or before :// (kept as a
// scheme), or with the URL in its
// query (?api_key=…) or fragment (#token=…) — is
// refused at sign-in, and is not written to the data folder's settings on
// the way; what a URL keeps without them is.
func TestSecretsInACustomURLFieldAreNotSaved(t *testing.T) {
	key := strings.Repeat("Ab3", api.APIKeyLength/3) + "x"
	for _, tc := range []struct {
		name               string
		base, upload, gw   string
		wantBase, wantUpGw string
	}{
		{name: "the key alone in the API base", base: key, upload: "https://upload.example.com", gw: "https://gw.example.com/ipfs/",
			wantBase: "", wantUpGw: "https://upload.example.com"},
		{name: "the key after https://", base: "https://" + key, upload: "https://upload.example.com", gw: "https://" + key + "/ipfs/",
			wantBase: "", wantUpGw: "https://upload.example.com"},
		{name: "the key before ://", base: key + "://api.example.com", upload: "https://upload.example.com", gw: key + "://gw.example.com/ipfs/",
			wantBase: "", wantUpGw: "https://upload.example.com"},
		{name: "the key in a query", base: "https://api.example.com/v1?api_key=" + key, upload: "https://upload.example.com/?token=" + key, gw: "https://gw.example.com/ipfs/",
			wantBase: "https://api.example.com/v1", wantUpGw: "https://upload.example.com/"},
		{name: "the key in a fragment", base: "https://api.example.com", upload: "https://upload.example.com#" + key, gw: "https://gw.example.com/ipfs/#token=" + key,
			wantBase: "https://api.example.com", wantUpGw: "https://upload.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t)
			a := e.a
			e.ui(func() {
				v := a.signin
				v.env.SetSelected(choiceLabel(choiceCustom))
				v.customBase.SetText(tc.base)
				v.customUpload.SetText(tc.upload)
				v.customGateway.SetText(tc.gw)
				v.methods.Select(v.keyTab)
				v.apiKey.SetText(key)
				test.Tap(v.keySubmit)
			})
			e.eventually(func() bool { return !a.signin.busy && a.signin.errorLabel().Visible() }, "refused")
			e.ui(func() { assert.NotContains(t, strings.ToLower(a.signin.errorLabel().Text), strings.ToLower(key)) })
			kept := storedCustom(t, e)
			assert.NotContains(t, strings.ToLower(fmt.Sprint(kept)), strings.ToLower(key))
			assert.Equal(t, tc.wantBase, kept.APIBase)
			assert.Equal(t, tc.wantUpGw, kept.UploadURL)
		})
	}
}

// TestRefusedTokenMidQueueWaitsForSignInAndResumes: a password sign-in
// not remembered, whose token dStor refuses (401) while a file uploads.
// The file is not counted as uploaded; the queue waits for a sign-in and
// says so with "Sign in again"; signing in there sends it, once.
func TestRefusedTokenMidQueueWaitsForSignInAndResumes(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e := newTestEnv(t)
	a := e.a
	e.ui(func() { require.False(t, a.signin.remember.Checked, "the password is not remembered") })
	e.signInPassword(sb, testutil.SandboxEmail, testutil.SandboxPassword, false)
	e.eventually(func() bool { return a.upload.sess != nil }, "signed in")

	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 401, Count: 1})
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "refused.txt"), 300)
	e.ui(func() { a.addPaths([]string{p}) })
	e.eventually(func() bool { return a.upload.sum.WaitingSignIn && a.upload.waiting.Visible() }, "waits for a sign-in")
	e.ui(func() {
		assert.Zero(t, a.upload.sum.Done, "not counted as uploaded")
		assert.Equal(t, 1, a.upload.sum.Waiting)
		assert.True(t, a.upload.signInBtn.Visible())
	})
	assert.Zero(t, sb.Uploads(), "dStor holds nothing")

	e.ui(func() { test.Tap(a.upload.signInBtn) })
	e.eventually(func() bool { return a.win.Content() == a.signin.content }, "the sign-in screen")
	e.ui(func() {
		assert.Equal(t, testutil.SandboxEmail, a.signin.email.Text)
		a.signin.password.SetText(testutil.SandboxPassword)
		test.Tap(a.signin.loginSubmit)
	})
	e.eventually(func() bool { return a.upload.sum.Done == 1 && !a.upload.busy() }, "sent after the sign-in")
	e.ui(func() {
		assert.False(t, a.upload.waiting.Visible())
		assert.False(t, a.upload.sum.WaitingSignIn)
	})
	assert.Equal(t, 1, sb.Uploads(), "sent once")
}

// TestKeyringRefusingTheNewTokenAtStartSaysNothingFalse: a remembered API
// key signs in by itself at the next start, and the keyring, which still
// holds the key, refuses the fresh token. The window does not say the
// sign-in is kept only until it quits: the key signs in again at the next
// start, and does.
func TestKeyringRefusingTheNewTokenAtStartSaysNothingFalse(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e, fake := newKeyringTestEnv(t)
	e.signInCustom(sb)

	fake.FailOn(testutil.KeyringSet, errors.New("the collection is read-only"))
	for range 2 {
		e.restart(sb.URL)
		e.ui(func() {
			assert.False(t, e.a.upload.noticeBox.Visible(), "notice: %q", e.a.upload.notice.Text)
			assert.NotContains(t, e.a.upload.notice.Text, "until you quit")
		})
	}
}
