package ui

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestSignInTheKeyringRefusesThePasswordSaysWhatIsTrue: "Remember me"
// with a keyring that refuses the password (locked, say) and keeps the
// token, or refuses both. The window said "kept only until you quit" in
// both cases, untrue in the first: the next start signs in by itself with
// the token while it lasts. Each case checks the notice and the next
// start.
func TestSignInTheKeyringRefusesThePasswordSaysWhatIsTrue(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	for _, tc := range []struct {
		name        string
		refused     []storage.SecretKind
		says        string
		signsInNext bool
	}{
		{"the token is kept", []storage.SecretKind{storage.SecretPassword},
			"did not accept your password, so it is not remembered: once this sign-in ends", true},
		{"neither is kept", []storage.SecretKind{storage.SecretPassword, storage.SecretToken},
			"so they are kept only until you quit", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, fake := newKeyringTestEnv(t)
			fake.RefuseWrites(errors.New("refused"), tc.refused...)
			e.signInPassword(sb, testutil.SandboxEmail, testutil.SandboxPassword, true)
			e.ui(func() {
				assert.True(t, e.a.upload.noticeBox.Visible())
				assert.Contains(t, e.a.upload.notice.Text, tc.says)
			})
			if tc.signsInNext {
				e.restart(sb.URL)
				e.ui(func() {
					assert.Equal(t, testutil.SandboxEmail, e.a.sess.Account, "the next start signs in with the token")
				})
				return
			}
			e.a.Close()
			e.a = e.open(Deps{Env: sb.URL})
			e.eventually(func() bool { return e.a.signin.errorLabel().Visible() }, "the next start says why it did not sign in")
			e.ui(func() {
				assert.Nil(t, e.a.sess)
				assert.NotContains(t, e.a.signin.errorLabel().Text, "expired", "the keyring never held the sign-in")
			})
		})
	}
}
