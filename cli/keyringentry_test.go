package cli

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// keyringTrouble is a keyring (testutil.Keyring) whose calls op on a
// secret of kind are refused ("refused by policy") or, hang, answered
// only once the test ends, after the store stopped waiting.
type keyringTrouble struct {
	op   testutil.KeyringOp
	kind storage.SecretKind
	hang bool
}

// store is a SecretStore on fake that troubles the calls tr names once
// on is true, waiting 200ms for each call.
func (tr keyringTrouble) store(t *testing.T, fake *testutil.Keyring, on *atomic.Bool) *storage.SecretStore {
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	funcs := fake.Funcs()
	trouble := func(op testutil.KeyringOp, user string) error {
		if !on.Load() || op != tr.op || !strings.HasSuffix(user, "|"+string(tr.kind)) {
			return nil
		}
		if tr.hang {
			<-hang
			return nil
		}
		return errors.New("refused by policy")
	}
	set, get, del := funcs.Set, funcs.Get, funcs.Delete
	funcs.Set = func(service, user, value string) error {
		if err := trouble(testutil.KeyringSet, user); err != nil {
			return err
		}
		return set(service, user, value)
	}
	funcs.Get = func(service, user string) (string, error) {
		if err := trouble(testutil.KeyringGet, user); err != nil {
			return "", err
		}
		return get(service, user)
	}
	funcs.Delete = func(service, user string) error {
		if err := trouble(testutil.KeyringDelete, user); err != nil {
			return err
		}
		return del(service, user)
	}
	return storage.NewSecretStoreOn(funcs, 200*time.Millisecond)
}

// TestKeyringTroubleNeverNamesTheEntry: every command line path where an
// error of the OS keyring reaches the person (login, logout, upload and
// resume signing in, --remember, the API key), with the keyring refusing
// or not answering each read, write and delete of the secret it needs.
// It printed the keyring entry's own name ("store
// http://…|tester@example.com|password in the keyring: refused by
// policy"): it must say in a sentence what was (not) kept and what to do.
func TestKeyringTroubleNeverNamesTheEntry(t *testing.T) {
	key := []string{"--api-key-stdin"}
	pw := []string{"--email", testutil.SandboxEmail, "--password-stdin"}
	pwRemember := append(append([]string{}, pw...), "--remember")
	tests := []struct {
		name    string
		before  []string // login before the trouble (nil: none)
		trouble keyringTrouble
		run     []string // the command, with login's way after it
		code    int
		want    []string // in what it says, besides no entry's name
	}{
		{"login: the key's write refused", nil, keyringTrouble{testutil.KeyringSet, storage.SecretAPIKey, false}, append([]string{"login"}, key...), 1, []string{"did not keep the API key of", "so this login is not kept", "run login again"}},
		{"login: the key's write unanswered", nil, keyringTrouble{testutil.KeyringSet, storage.SecretAPIKey, true}, append([]string{"login"}, key...), 1, []string{"did not keep the API key of", "so this login is not kept", "run login again"}},
		{"login: the token's write refused", nil, keyringTrouble{testutil.KeyringSet, storage.SecretToken, false}, append([]string{"login"}, pw...), 1, []string{"did not keep the token of", "so this login is not kept", "run login again"}},
		{"login: the token's write unanswered", nil, keyringTrouble{testutil.KeyringSet, storage.SecretToken, true}, append([]string{"login"}, pw...), 1, []string{"did not keep the token of", "so this login is not kept", "run login again"}},
		{"login --remember: the password's write refused", nil, keyringTrouble{testutil.KeyringSet, storage.SecretPassword, false}, append([]string{"login"}, pwRemember...), 1, []string{"did not keep the password (--remember): refused by policy", "run login again without --remember"}},
		{"login --remember: the password's write unanswered", nil, keyringTrouble{testutil.KeyringSet, storage.SecretPassword, true}, append([]string{"login"}, pwRemember...), 1, []string{"did not keep the password of", "so this login is not kept", "run login again"}},
		{"login again: the password's delete refused", pwRemember, keyringTrouble{testutil.KeyringDelete, storage.SecretPassword, false}, append([]string{"login"}, pw...), 0, []string{"did not delete the password an earlier login --remember kept (refused by policy)"}},
		{"login again: the password's delete unanswered", pwRemember, keyringTrouble{testutil.KeyringDelete, storage.SecretPassword, true}, append([]string{"login"}, pw...), 0, []string{"did not delete the password an earlier login --remember kept"}},
		{"upload: the key's read refused", key, keyringTrouble{testutil.KeyringGet, storage.SecretAPIKey, false}, []string{"upload"}, 1, []string{"did not give the API key of", "so this command could not sign in", "run the command again"}},
		{"upload: the key's read unanswered", key, keyringTrouble{testutil.KeyringGet, storage.SecretAPIKey, true}, []string{"upload"}, 1, []string{"did not give the API key of", "so this command could not sign in", "run the command again"}},
		{"upload: the token's read refused", pw, keyringTrouble{testutil.KeyringGet, storage.SecretToken, false}, []string{"upload"}, 1, []string{"did not give the token of", "so this command could not sign in", "run the command again"}},
		{"upload: the token's read unanswered", pw, keyringTrouble{testutil.KeyringGet, storage.SecretToken, true}, []string{"upload"}, 1, []string{"did not give the token of", "so this command could not sign in", "run the command again"}},
		{"upload: the password's read refused", pwRemember, keyringTrouble{testutil.KeyringGet, storage.SecretPassword, false}, []string{"upload"}, 0, []string{"Uploaded 1 file"}},
		{"resume: the key's read refused", key, keyringTrouble{testutil.KeyringGet, storage.SecretAPIKey, false}, []string{"resume"}, 1, []string{"did not give the API key of", "so this command could not sign in", "run the command again"}},
		{"resume: the token's read unanswered", pw, keyringTrouble{testutil.KeyringGet, storage.SecretToken, true}, []string{"resume"}, 1, []string{"did not give the token of", "so this command could not sign in", "run the command again"}},
		{"logout: the key's delete refused", key, keyringTrouble{testutil.KeyringDelete, storage.SecretAPIKey, false}, []string{"logout"}, 1, []string{"cannot sign out", "did not delete the API key, token or password (refused by policy), so the sign-in stays", `or delete the entries named "dstor-uploader" with the system's keyring app`}},
		{"logout: the key's delete unanswered", key, keyringTrouble{testutil.KeyringDelete, storage.SecretAPIKey, true}, []string{"logout"}, 1, []string{"cannot sign out", "so the sign-in stays"}},
		{"logout: the password's delete refused", pwRemember, keyringTrouble{testutil.KeyringDelete, storage.SecretPassword, false}, []string{"logout"}, 1, []string{"cannot sign out", "did not delete the API key, token or password (refused by policy), so the sign-in stays", `or delete the entries named "dstor-uploader" with the system's keyring app`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb, _ := signedOutSandbox(t)
			var on atomic.Bool
			secrets := tt.trouble.store(t, testutil.NewKeyring(), &on)
			require.True(t, secrets.Persistent(), secrets.Reason())
			withSecrets(t, secrets)
			secret := func(way []string) string {
				if way[0] == "--api-key-stdin" {
					return sb.Key + "\n"
				}
				return testutil.SandboxPassword + "\n"
			}
			if tt.before != nil {
				code, _, errOut := runCLI(t, secret(tt.before), append([]string{"login", "--env", sb.URL}, tt.before...)...)
				require.Equal(t, 0, code, errOut)
			}
			on.Store(true)
			args := append([]string{tt.run[0], "--env", sb.URL}, tt.run[1:]...)
			stdin := ""
			if tt.run[0] == "login" {
				stdin = secret(tt.run[1:])
			}
			if tt.run[0] == "upload" {
				args = append(args, makeFiles(t, t.TempDir(), 1, func(int) int { return 100 })[0])
			}
			code, out, errOut := runCLI(t, stdin, args...)
			assert.Equal(t, tt.code, code, "%s%s", out, errOut)
			assert.NotContains(t, out+errOut, "|", "a keyring entry's name")
			assert.NotContains(t, out+errOut, sb.URL+"|")
			for _, w := range tt.want {
				assert.Contains(t, out+errOut, w)
			}
			if tt.trouble.hang && code != 0 {
				assert.Contains(t, errOut, "answer in time")
			}
		})
	}
}
