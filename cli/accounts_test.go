package cli

import (
	"encoding/base64"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestARunNeverUploadsAsAnEarlierAccount: two dStor accounts are signed in
// to one environment, first A (its API key), then B. When B's sign-in no
// longer works (its token expired without a remembered password, its key
// was revoked), a run does not quietly sign in as A instead and upload
// there, into an account the person did not last sign in to: it stops,
// says what became of B's sign-in and what to do, and uploads nothing.
func TestARunNeverUploadsAsAnEarlierAccount(t *testing.T) {
	const emailB, passwordB = "second@example.com", "second-password-123"
	for _, tc := range []struct {
		name  string
		login func(t *testing.T, sb *testutil.Sandbox, b sandbox.Account) (stdin string, args []string)
		lose  func(t *testing.T, sb *testutil.Sandbox, keyB string)
		want  string
	}{
		{"B's token expired", func(t *testing.T, sb *testutil.Sandbox, _ sandbox.Account) (string, []string) {
			return passwordB + "\n", []string{"--email", emailB, "--password-stdin"}
		}, func(t *testing.T, sb *testutil.Sandbox, _ string) {
			// The token login kept, as it is once its hour is over.
			payload := fmt.Sprintf(`{"sub":%q,"exp":%d}`, emailB, time.Now().Add(-time.Hour).Unix())
			expired := "e30." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
			secrets := storage.NewSecretStore(testutil.KeyringTimeout)
			require.NoError(t, secrets.Set(sb.Env.Key(), emailB, storage.SecretToken, expired))
		}, "the sign-in of " + emailB + " on"},
		{"B's key revoked", func(t *testing.T, sb *testutil.Sandbox, b sandbox.Account) (string, []string) {
			key, err := sb.Srv.CreateAPIKey(b.ID, time.Time{})
			require.NoError(t, err)
			return key + "\n", []string{"--api-key-stdin"}
		}, func(t *testing.T, sb *testutil.Sandbox, keyB string) {
			require.NoError(t, sb.Srv.RevokeAPIKey(keyB))
		}, "then sign in with it: \"dstor-uploader login --env "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sb, _ := loginSandbox(t)
			b, err := sb.Srv.CreateAccount(emailB, passwordB)
			require.NoError(t, err)

			code, _, errOut := runCLI(t, sb.Key+"\n", "login", "--env", sb.URL, "--api-key-stdin")
			require.Equal(t, 0, code, errOut)
			t.Cleanup(func() { runCLI(t, "", "logout", "--env", sb.URL) })
			stdin, args := tc.login(t, sb, b)
			code, _, errOut = runCLI(t, stdin, append([]string{"login", "--env", sb.URL}, args...)...)
			require.Equal(t, 0, code, errOut)
			tc.lose(t, sb, stdin[:len(stdin)-1])

			f := makeFiles(t, t.TempDir(), 1, func(int) int { return 2000 })[0]
			code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, f)
			assert.Equal(t, 1, code, "%s%s", out, errOut)
			assert.Contains(t, errOut, tc.want)
			assert.Contains(t, errOut, sb.URL, "the environment to sign in to")
			assert.Empty(t, sb.Srv.Uploads(sb.Acc.ID), "nothing uploaded as A")
			assert.Empty(t, sb.Srv.Uploads(b.ID), "nor as B")
		})
	}
}

// TestLoginToAnotherAccountWhileARunUploads: while a run of account A (its
// API key) is in the middle of an upload, another process signs in to
// account B on the same environment and uploads with it. Each run's files
// go to its own dStor account and are recorded under it: the run of A
// keeps the sign-in it began with, whatever is signed in to last meanwhile,
// also when dStor refuses its token and it signs in again.
func TestLoginToAnotherAccountWhileARunUploads(t *testing.T) {
	const emailB, passwordB = "second@example.com", "second-password-123"
	sb, _ := loginSandbox(t)
	b, err := sb.Srv.CreateAccount(emailB, passwordB)
	require.NoError(t, err)
	hold := testutil.NewUploadHold(sb.Srv, 0)
	ts := httptest.NewServer(hold)
	t.Cleanup(ts.Close)
	t.Cleanup(hold.Release)
	t.Cleanup(func() { runCLI(t, "", "logout", "--env", ts.URL) })
	code, _, errOut := runCLI(t, sb.Key+"\n", "login", "--env", ts.URL, "--api-key-stdin")
	require.Equal(t, 0, code, errOut)

	fileA := makeFiles(t, t.TempDir(), 1, func(int) int { return 2100 })[0]
	fileB := makeFiles(t, t.TempDir(), 1, func(int) int { return 2200 })[0]
	hold.Arm()
	runA := startHeld(t, hold, "the run of A", nil, "upload", "--env", ts.URL, fileA)
	hold.Disarm()

	code, _, errOut = runCLI(t, passwordB+"\n", "login", "--env", ts.URL, "--email", emailB, "--password-stdin", "--remember")
	require.Equal(t, 0, code, errOut)
	code, out, errOut := runCLI(t, "", "upload", "--env", ts.URL, fileB)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, testutil.CIDOf(t, fileB))

	// A's upload is refused as if its token had expired: it gets a new
	// one, for A still, with the key it signed in with.
	sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 401, Count: 1})
	hold.Release()
	require.NoError(t, runA.wait("its upload's release"), runA.stderr.String())
	assert.Contains(t, runA.stdout.String(), testutil.CIDOf(t, fileA))
	assert.Equal(t, 1, sb.LogLines("/api/v0/add", " 401 "), "A's upload was refused once")

	hashes := func(id string) []string {
		var hs []string
		for _, u := range sb.Srv.Uploads(id) {
			hs = append(hs, u.Hash)
		}
		return hs
	}
	assert.Equal(t, []string{testutil.CIDOf(t, fileA)}, hashes(sb.Acc.ID), "A's file in A's dStor account alone")
	assert.Equal(t, []string{testutil.CIDOf(t, fileB)}, hashes(b.ID), "B's file in B's alone")
	recorded := map[string]string{}
	for _, r := range historyJSON(t) {
		recorded[r.LocalPath] = r.Account
	}
	assert.Equal(t, map[string]string{fileA: sb.Acc.ID, fileB: emailB}, recorded, "each recorded under its own account")
}
