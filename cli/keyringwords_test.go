package cli

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestKeyringSentencesSpeakToTheCommandLine: login with a keyring that
// does not answer in time, or refuses the probe, says why the sign-in
// cannot be kept in the command line's words — run the command again,
// secrets last until the command ends — not the window's ("restart the
// app", "until you quit").
func TestKeyringSentencesSpeakToTheCommandLine(t *testing.T) {
	sb, _ := signedOutSandbox(t)
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	waits := func(string, string, string) error { <-hang; return nil }
	refuses := func(string, string, string) error {
		return errors.New("the name org.freedesktop.secrets was not provided")
	}
	tests := []struct {
		name string
		set  func(service, user, value string) error
		want string
	}{
		{"a keyring that does not answer", waits, "Unlock"},
		{"a keyring that refuses", refuses, "No working keyring was found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secrets := storage.NewSecretStoreOn(storage.KeyringFuncs{
				Set:    tt.set,
				Get:    func(string, string) (string, error) { return "", errors.New("unused") },
				Delete: func(string, string) error { return nil },
			}, 100*time.Millisecond)
			require.False(t, secrets.Persistent())
			withSecrets(t, secrets)

			code, _, errOut := runCLI(t, sb.Key+"\n", "login", "--env", sb.URL, "--api-key-stdin")
			assert.Equal(t, 1, code, errOut)
			assert.Contains(t, errOut, tt.want)
			assert.Contains(t, errOut, "until this command ends")
			for _, windows := range []string{"restart the app", "until you quit", "Run the app"} {
				assert.NotContains(t, errOut, windows)
			}
		})
	}
}
