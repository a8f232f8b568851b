package ui

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/zalando/go-keyring"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestPasswordTooLongForTheKeyringIsSaid: "Remember me" with a password
// the keyring refuses as too long (Windows' Credential Manager keeps at
// most 2,560 bytes in one entry; a fake keyring refusing every password
// so, as the sandbox takes none past 72 bytes). The sign-in works, and
// the window says that the password is not remembered because of its
// length, not that "the credentials" are kept only until the quit: the
// token is kept, and the next start signs in with it by itself.
func TestPasswordTooLongForTheKeyringIsSaid(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	e, fake := newKeyringTestEnv(t)
	fake.Fail(func(op testutil.KeyringOp, user, _ string) error {
		if op == testutil.KeyringSet && strings.HasSuffix(user, "|"+string(storage.SecretPassword)) {
			return keyring.ErrSetDataTooBig
		}
		return nil
	})
	e.signInPassword(sb, testutil.SandboxEmail, testutil.SandboxPassword, true)
	e.ui(func() {
		assert.True(t, e.a.upload.noticeBox.Visible())
		assert.Contains(t, e.a.upload.notice.Text, "too long for the system keyring")
		assert.NotContains(t, e.a.upload.notice.Text, "until you quit")
		assert.NotContains(t, e.a.upload.notice.Text, testutil.SandboxPassword)
	})

	e.restart(sb.URL)
	e.ui(func() {
		assert.Equal(t, testutil.SandboxEmail, e.a.sess.Account, "signed in by itself with the token kept")
	})
}
