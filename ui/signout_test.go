package ui

import (
	"errors"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// fakeKeyring is a keyring in memory whose deletions can be made to fail,
// as a Secret Service that lets the app store and read but refuses to
// delete (a policy, a locked collection).
type fakeKeyring struct {
	mu        sync.Mutex
	entries   map[string]string
	deleteErr error
}

func (k *fakeKeyring) funcs() storage.KeyringFuncs {
	return storage.KeyringFuncs{
		Set: func(service, user, value string) error {
			k.mu.Lock()
			defer k.mu.Unlock()
			k.entries[service+"/"+user] = value
			return nil
		},
		Get: func(service, user string) (string, error) {
			k.mu.Lock()
			defer k.mu.Unlock()
			v, ok := k.entries[service+"/"+user]
			if !ok {
				return "", keyring.ErrNotFound
			}
			return v, nil
		},
		Delete: func(service, user string) error {
			k.mu.Lock()
			defer k.mu.Unlock()
			if k.deleteErr != nil {
				return k.deleteErr
			}
			if _, ok := k.entries[service+"/"+user]; !ok {
				return keyring.ErrNotFound
			}
			delete(k.entries, service+"/"+user)
			return nil
		},
	}
}

func (k *fakeKeyring) failDeletes(err error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.deleteErr = err
}

// TestSignOutSaysTheKeyringKeptTheCredentials: a keyring that refuses to
// delete. Signing out says the credentials are still there and how to
// remove them, and nothing on the screen says they were removed.
func TestSignOutSaysTheKeyringKeptTheCredentials(t *testing.T) {
	fake := &fakeKeyring{entries: map[string]string{}}
	e := newTestEnv(t)
	e.secrets = storage.NewSecretStoreOn(fake.funcs(), 5*time.Second)
	require.True(t, e.secrets.Persistent(), e.secrets.Reason())
	e.a.Close()
	e.a = e.open(Deps{})
	e.signInSandbox()
	a := e.a
	var account string
	e.ui(func() { account = a.sess.Account })
	_, err := e.secrets.Get(api.SandboxKey, account, storage.SecretAPIKey)
	require.NoError(t, err, "kept at sign-in")

	fake.failDeletes(errors.New("the collection is read-only"))
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
	fake.failDeletes(nil)
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
