package cli

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestLoginTheKeyringAnswersLateLeavesNoTokenBehind (helper-247's
// repro): a keyring that keeps the token only after the store's timeout
// (600 ms against 200 ms). login fails, saying the keyring did not
// answer in time, and logout finds no account signed in: so the token
// must not be in the keyring once the write lands either, where no
// command would ever find it. The command waits for the keyring before it
// ends, as its process would otherwise end before the delete that undoes
// the late write runs.
func TestLoginTheKeyringAnswersLateLeavesNoTokenBehind(t *testing.T) {
	sb, _ := signedOutSandbox(t)
	email, password := testutil.SandboxEmail, testutil.SandboxPassword
	funcs, landed := testutil.LateTokenWrites(testutil.NewKeyring().Funcs(), 600*time.Millisecond)
	secrets := storage.NewSecretStoreOn(funcs, 200*time.Millisecond)
	require.True(t, secrets.Persistent(), secrets.Reason())
	withSecrets(t, secrets)

	code, out, errOut := runCLI(t, password+"\n", "login", "--env", sb.URL, "--email", email, "--password-stdin")
	assert.Equal(t, 1, code, out)
	assert.Contains(t, errOut, "did not answer in time")
	select {
	case <-landed: // the command waited for the keyring to finish: a process ends with it
	default:
		t.Fatal("login ended before the keyring's late token write did")
	}
	code, out, errOut = runCLI(t, "", "logout", "--env", sb.URL)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "No account was signed in")
	_, err := funcs.Get(storage.AppName, sb.Env.Key()+"|"+email+"|"+string(storage.SecretToken))
	assert.ErrorIs(t, err, keyring.ErrNotFound, "a token left in the keyring that no logout removes")
}
