package session

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

func TestParseKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  ", ""},
		{"sandbox", api.SandboxKey},
		{"Local", api.SandboxKey},
		{"local-sandbox", api.SandboxKey},
		{"production", "production"},
		{"PROD", "production"},
		{"testnet", "testnet"},
		{"test", "testnet"},
		{"http://127.0.0.1:8787/", "http://127.0.0.1:8787"},
		{" https://dstor.example.com ", "https://dstor.example.com"},
		{"HTTP://127.0.0.1:8787", "http://127.0.0.1:8787"},
		{"http://LocalHost:80/", "http://localhost"},
		{"https://Dstor.Example.com:443/", "https://dstor.example.com"},
		{"https://api.dstor.cloud/", "production"},
		{"HTTPS://api.testnet.dstor.cloud:443", "testnet"},
	}
	tests = append(tests, []struct{ in, want string }{
		{" http://127.0.0.1:8787 / ", "http://127.0.0.1:8787"},
		{"https://", "https://"},
	}...)
	for _, tt := range tests {
		assert.Equal(t, tt.want, ParseKey(tt.in), "%q", tt.in)
	}
}

func TestCommandLineEnv(t *testing.T) {
	remembered := func(envs ...string) []storage.RememberedAccount {
		var out []storage.RememberedAccount
		for _, e := range envs {
			out = append(out, storage.RememberedAccount{Env: e, Account: "a@example.com", Method: storage.MethodPassword})
		}
		return out
	}
	tests := []struct {
		name, flag string
		settings   storage.Settings
		want       string // the environment's key; "" with wantErr
		wantErr    error
	}{
		{"default", "", storage.Settings{}, "production", nil},
		{"last used", "", storage.Settings{LastEnv: "testnet"}, "testnet", nil},
		{"last used was the window's sandbox, nothing before", "", storage.Settings{LastEnv: api.SandboxKey, RememberedAccounts: remembered(api.SandboxKey)}, "production", nil},
		// The window opened on its sandbox since the last sign-in to
		// testnet: the command still goes to testnet, not production.
		{"last used was the window's sandbox, testnet before", "", storage.Settings{LastEnv: api.SandboxKey, RememberedAccounts: remembered(api.SandboxKey, "testnet", "production")}, "testnet", nil},
		{"flag wins", "http://127.0.0.1:8787", storage.Settings{LastEnv: "testnet"}, "http://127.0.0.1:8787", nil},
		{"the window's sandbox by flag", "sandbox", storage.Settings{}, "", ErrSandboxFromCommandLine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := CommandLineEnv(tt.flag, tt.settings)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, env.Key())
		})
	}
	_, err := CommandLineEnv("nowhere", storage.Settings{})
	var ve *api.ValidationError
	assert.ErrorAs(t, err, &ve, "an unknown name is a validation error")
	// A scheme alone says the host is missing; it was read as the name
	// "https:", and the person was asked whether they meant https://https:.
	_, err = CommandLineEnv("https://", storage.Settings{})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, api.ProblemNoHost, ve.Problem, "%v", err)
}

func TestCustomEnv(t *testing.T) {
	env, err := CustomEnv("http://127.0.0.1:1/", "", " http://127.0.0.1:2/ipfs/ ")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:1/api/v0/add", env.UploadURL)
	assert.Equal(t, "http://127.0.0.1:2/ipfs/", env.GatewayURL)
	_, err = CustomEnv("http://127.0.0.1:1", "http://192.0.2.1/add", "")
	assert.Error(t, err, "an http upload URL off loopback is refused")
}

// signInEnv is a sandbox, a client for it and an in-memory keyring.
type signInEnv struct {
	sb      *testutil.Sandbox
	client  *api.Client
	secrets *storage.SecretStore
}

func newSignInEnv(t *testing.T) signInEnv {
	sb := testutil.StartSandbox(t, sandbox.Config{})
	client, err := api.NewClient(sb.Env, nil)
	require.NoError(t, err)
	t.Cleanup(client.CloseIdleConnections)
	return signInEnv{sb: sb, client: client, secrets: storage.NewMemorySecretStore()}
}

func TestSignInWithAPIKeyKeepsKeyAndToken(t *testing.T) {
	e := newSignInEnv(t)
	creds := Credentials{Method: storage.MethodAPIKey, APIKey: " " + e.sb.Key + "\n"}
	s, err := SignIn(t.Context(), e.client, creds, time.Now())
	require.NoError(t, err)
	assert.Equal(t, e.sb.Acc.ID, s.Account, "the account the token names")
	assert.Equal(t, e.sb.Env.Key(), s.EnvKey)
	assert.NotEmpty(t, s.Token.Raw)
	tok, err := s.Tokens.Token(t.Context(), false)
	require.NoError(t, err)
	assert.Equal(t, s.Token.Raw, tok.Raw, "the token minted at sign-in is the first one used")

	require.NoError(t, Keep(e.secrets, s, Credentials{APIKey: e.sb.Key}, false))
	key, err := e.secrets.Get(s.EnvKey, s.Account, storage.SecretAPIKey)
	require.NoError(t, err)
	assert.Equal(t, e.sb.Key, key)
	_, err = e.secrets.Get(s.EnvKey, s.Account, storage.SecretToken)
	assert.NoError(t, err)

	_, err = SignIn(t.Context(), e.client, Credentials{Method: storage.MethodAPIKey, APIKey: "short"}, time.Now())
	var ve *api.ValidationError
	assert.ErrorAs(t, err, &ve, "a malformed key is refused before any request")
}

func TestSignInWithPassword(t *testing.T) {
	e := newSignInEnv(t)
	creds := Credentials{Method: storage.MethodPassword, Email: testutil.SandboxEmail, Password: testutil.SandboxPassword}
	s, err := SignIn(t.Context(), e.client, creds, time.Now())
	require.NoError(t, err)
	assert.Equal(t, testutil.SandboxEmail, s.Account)

	// A stored token valid for TokenMargin is reused without the password.
	again, err := SignIn(t.Context(), e.client, Credentials{Method: storage.MethodPassword, Email: s.Account, Token: s.Token.Raw}, time.Now())
	require.NoError(t, err)
	assert.Equal(t, s.Token.Raw, again.Token.Raw)

	// One that is not (as seen from later on) needs the password.
	later := s.Token.ExpiresAt.Add(-TokenMargin / 2)
	_, err = SignIn(t.Context(), e.client, Credentials{Method: storage.MethodPassword, Email: s.Account, Token: s.Token.Raw}, later)
	assert.ErrorIs(t, err, ErrNoPassword)

	_, err = SignIn(t.Context(), e.client, Credentials{Method: storage.MethodPassword, Email: s.Account, Password: "wrong"}, time.Now())
	assert.ErrorIs(t, err, api.ErrUnauthorized)
}

func TestKeepRemembersPasswordOnlyWhenAsked(t *testing.T) {
	e := newSignInEnv(t)
	creds := Credentials{Method: storage.MethodPassword, Email: testutil.SandboxEmail, Password: testutil.SandboxPassword}
	s, err := SignIn(t.Context(), e.client, creds, time.Now())
	require.NoError(t, err)

	require.NoError(t, Keep(e.secrets, s, creds, true))
	pw, err := e.secrets.Get(s.EnvKey, s.Account, storage.SecretPassword)
	require.NoError(t, err)
	assert.Equal(t, testutil.SandboxPassword, pw)

	require.NoError(t, Keep(e.secrets, s, creds, false))
	_, err = e.secrets.Get(s.EnvKey, s.Account, storage.SecretPassword)
	assert.ErrorIs(t, err, storage.ErrSecretNotFound, "not remembered: the password leaves the keyring")
	_, err = e.secrets.Get(s.EnvKey, s.Account, storage.SecretToken)
	assert.NoError(t, err, "the token stays")
}

// TestPasswordNotToBeRememberedIsNotUsed: a password sign-in with Remember
// me unticked is remembered as such, and a password the keyring still
// holds for the account (kept by an earlier sign-in, when the keyring
// could not delete it at this one) is not read back: it is deleted. A
// sign-in with Remember me ticked again uses it once more.
func TestPasswordNotToBeRememberedIsNotUsed(t *testing.T) {
	e := newSignInEnv(t)
	creds := Credentials{Method: storage.MethodPassword, Email: testutil.SandboxEmail, Password: testutil.SandboxPassword}
	s, err := SignIn(t.Context(), e.client, creds, time.Now())
	require.NoError(t, err)
	ra := s.Remembered()
	assert.True(t, ra.WithoutRememberMe)
	require.NoError(t, KeepToken(e.secrets, s))
	require.NoError(t, e.secrets.Set(s.EnvKey, s.Account, storage.SecretPassword, "kept earlier"))

	sv, err := ReadSaved(e.secrets, ra)
	require.NoError(t, err, "the token still signs in")
	assert.Empty(t, sv.Password)
	assert.False(t, sv.Remember)
	_, err = e.secrets.Get(s.EnvKey, s.Account, storage.SecretPassword)
	assert.ErrorIs(t, err, storage.ErrSecretNotFound, "deleted")

	creds.Remember = true
	s, err = SignIn(t.Context(), e.client, creds, time.Now())
	require.NoError(t, err)
	require.NoError(t, Keep(e.secrets, s, creds, true))
	ra = s.Remembered()
	assert.False(t, ra.WithoutRememberMe)
	sv, err = ReadSaved(e.secrets, ra)
	require.NoError(t, err)
	assert.Equal(t, testutil.SandboxPassword, sv.Password)
}

func TestRestore(t *testing.T) {
	e := newSignInEnv(t)
	envKey := e.sb.Env.Key()
	settings := storage.DefaultSettings()

	_, err := Restore(t.Context(), e.client, settings, e.secrets)
	var notSignedIn *ErrNotSignedIn
	require.ErrorAs(t, err, &notSignedIn)
	assert.Equal(t, envKey, notSignedIn.EnvKey)

	// A remembered API-key account whose key left the keyring.
	keyAccount := storage.RememberedAccount{Env: envKey, Account: e.sb.Acc.ID, Method: storage.MethodAPIKey}
	settings = settings.WithRememberedAccount(keyAccount)
	_, err = Restore(t.Context(), e.client, settings, e.secrets)
	var missing *MissingSecretError
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, storage.SecretAPIKey, missing.Kind)

	// A password account with only an expired token: it says the sign-in
	// expired.
	payload := fmt.Sprintf(`{"sub":%q,"exp":%d}`, testutil.SandboxEmail, time.Now().Add(-time.Hour).Unix())
	expired := api.Token{Raw: "e30." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"}
	pwAccount := storage.RememberedAccount{Env: envKey, Account: testutil.SandboxEmail, Method: storage.MethodPassword}
	require.NoError(t, KeepToken(e.secrets, &Session{EnvKey: envKey, Account: pwAccount.Account, Token: expired}))
	_, err = Restore(t.Context(), e.client, storage.DefaultSettings().WithRememberedAccount(pwAccount), e.secrets)
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, storage.SecretPassword, missing.Kind)

	// With the key back, the key account signs in and its token is kept.
	require.NoError(t, e.secrets.Set(envKey, keyAccount.Account, storage.SecretAPIKey, e.sb.Key))
	s, err := Restore(t.Context(), e.client, settings, e.secrets)
	require.NoError(t, err)
	assert.Equal(t, keyAccount.Account, s.Account)
	tok, err := e.secrets.Get(envKey, keyAccount.Account, storage.SecretToken)
	require.NoError(t, err)
	assert.Equal(t, s.Token.Raw, tok)

	// Signed in to the password account last: its expired sign-in is the
	// answer, and the key account (another dStor account, signed in to
	// before it) is not tried after it.
	_, err = Restore(t.Context(), e.client, settings.WithRememberedAccount(pwAccount), e.secrets)
	require.ErrorAs(t, err, &missing)
	assert.Equal(t, storage.SecretPassword, missing.Kind)

	newest, ok := Newest(settings.WithRememberedAccount(storage.RememberedAccount{Env: "testnet", Account: "other"}), "")
	require.True(t, ok)
	assert.Equal(t, "other", newest.Account, "the newest of any environment")
	newest, ok = Newest(settings.WithRememberedAccount(pwAccount), envKey)
	require.True(t, ok)
	assert.Equal(t, pwAccount.Account, newest.Account, "the newest, though it cannot sign in")
	_, ok = Newest(settings, "testnet")
	assert.False(t, ok, "no account of that environment")
}

func TestForget(t *testing.T) {
	secrets := storage.NewMemorySecretStore()
	for _, k := range storage.SecretKinds() {
		require.NoError(t, secrets.Set("production", "me", k, "secret-"+string(k)))
	}
	require.NoError(t, Forget(secrets, storage.RememberedAccount{Env: "production", Account: "me"}))
	for _, k := range storage.SecretKinds() {
		_, err := secrets.Get("production", "me", k)
		assert.True(t, errors.Is(err, storage.ErrSecretNotFound), k)
	}
}

// An account remembered before environments were keyed in normal form has
// its secrets filed under the spelling it signed in with: they are still
// found (and moved to the normal form), and signing out removes them.
func TestSecretsFiledUnderAnotherSpellingAreFound(t *testing.T) {
	const old = "HTTP://127.0.0.1:8787"
	secrets := storage.NewMemorySecretStore()
	require.NoError(t, secrets.Set(old, "me", storage.SecretAPIKey, "the-key"))
	settings := storage.Settings{RememberedAccounts: []storage.RememberedAccount{
		{Env: old, Account: "me", Method: storage.MethodAPIKey}}}.Normalize()
	a := settings.RememberedAccounts[0]
	require.Equal(t, "http://127.0.0.1:8787", a.Env)
	newest, ok := Newest(settings, ParseKey("http://127.0.0.1:8787/"))
	require.True(t, ok)
	sv, err := ReadSaved(secrets, newest)
	require.NoError(t, err, "the remembered account signs in by itself")
	assert.Equal(t, "the-key", sv.APIKey)
	got, err := secrets.Get(a.Env, "me", storage.SecretAPIKey)
	require.NoError(t, err)
	assert.Equal(t, "the-key", got, "moved to the environment's normal form")
	_, err = secrets.Get(old, "me", storage.SecretAPIKey)
	assert.ErrorIs(t, err, storage.ErrSecretNotFound, "and no longer under the old spelling")

	require.NoError(t, secrets.Set(old, "me", storage.SecretPassword, "left behind"))
	require.NoError(t, Forget(secrets, a))
	for _, env := range []string{a.Env, old} {
		for _, k := range storage.SecretKinds() {
			_, err := secrets.Get(env, "me", k)
			assert.ErrorIs(t, err, storage.ErrSecretNotFound, "%s %s", env, k)
		}
	}
}

// restartEnv is a sandbox whose clock a test moves forward, so that every
// token it issued before has expired for it ("started again hours later",
// or a server that no longer takes the tokens: the Local sandbox's key is
// new at each start), while they still look valid to the client.
type restartEnv struct {
	signInEnv
	offset atomic.Int64
}

func newRestartEnv(t *testing.T) *restartEnv {
	e := &restartEnv{}
	sb := testutil.StartSandbox(t, sandbox.Config{Now: func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }})
	client, err := api.NewClient(sb.Env, nil)
	require.NoError(t, err)
	t.Cleanup(client.CloseIdleConnections)
	e.signInEnv = signInEnv{sb: sb, client: client, secrets: storage.NewMemorySecretStore()}
	return e
}

// later moves the server's clock d ahead.
func (e *restartEnv) later(d time.Duration) { e.offset.Add(int64(d)) }

// upload sends a small file as the queue does: a token from s, and after a
// 401 a forced new one.
func (e *restartEnv) upload(t *testing.T, s *Session) error {
	p := testutil.WriteFile(t, filepath.Join(t.TempDir(), "f.txt"), 100)
	tok, err := s.Tokens.Token(t.Context(), false)
	if err != nil {
		return err
	}
	_, err = e.client.Upload(t.Context(), tok, api.UploadRequest{Path: p})
	if errors.Is(err, api.ErrUnauthorized) || errors.Is(err, api.ErrTokenExpired) {
		if tok, err = s.Tokens.Token(t.Context(), true); err != nil {
			return err
		}
		_, err = e.client.Upload(t.Context(), tok, api.UploadRequest{Path: p})
	}
	return err
}

// TestRememberedSignInSurvivesRestarts: an account remembered with its
// password or its API key signs in again by itself after a restart whose
// server no longer takes the stored token, and keeps uploading when tokens
// expire during the session; the person is asked only when the secret
// itself is refused.
func TestRememberedSignInSurvivesRestarts(t *testing.T) {
	for _, method := range []string{storage.MethodPassword, storage.MethodAPIKey} {
		t.Run(method, func(t *testing.T) {
			e := newRestartEnv(t)
			creds := Credentials{Method: method, Email: testutil.SandboxEmail, Password: testutil.SandboxPassword, Remember: true}
			if method == storage.MethodAPIKey {
				creds = Credentials{Method: method, APIKey: e.sb.Key}
			}
			s, err := SignIn(t.Context(), e.client, creds, time.Now())
			require.NoError(t, err)
			require.NoError(t, Keep(e.secrets, s, creds, true))
			settings := storage.DefaultSettings().WithRememberedAccount(s.Remembered())
			require.NoError(t, e.upload(t, s))

			// What ends a token: for a password account, hours passing
			// (the server's clock moves); for a key, whose tokens are asked
			// to live an hour from the client's clock, the server refusing
			// the token in use (a 401, as after the server's restart).
			dead := func() { e.later(3 * time.Hour) }
			if method == storage.MethodAPIKey {
				dead = func() { e.sb.Srv.InjectFault(sandbox.Fault{Path: "/api/v0/add", Status: 401, Count: 1}) }
			}
			for start := range 3 {
				dead() // the stored token is dead for the server
				r, err := Restore(t.Context(), e.client, settings, e.secrets)
				require.NoError(t, err, "start %d", start)
				if method == storage.MethodPassword {
					assert.NotEqual(t, s.Token.Raw, r.Token.Raw, "start %d: a new token at start", start)
				}
				require.NoError(t, e.upload(t, r), "start %d", start)

				dead() // its token ends during the session
				require.NoError(t, e.upload(t, r), "start %d: renewed after the 401", start)
				s = r
			}
		})
	}
}

// TestRememberedPasswordSignedInToAnotherAccountIsRefused: a remembered
// password signs in again by itself at the next start. When dStor then
// names another account than the stored token did, the sign-in is
// refused with both accounts named (the uploads would go to that account,
// filed under this email); the same stored account signs in as before.
func TestRememberedPasswordSignedInToAnotherAccountIsRefused(t *testing.T) {
	e := newRestartEnv(t)
	creds := Credentials{Method: storage.MethodPassword, Email: testutil.SandboxEmail, Password: testutil.SandboxPassword, Remember: true}
	s, err := SignIn(t.Context(), e.client, creds, time.Now())
	require.NoError(t, err)
	mine := s.Token.Subject
	require.NotEmpty(t, mine, "the sandbox names the account")

	creds.Token = s.Token.Raw
	_, err = SignIn(t.Context(), e.client, creds, time.Now())
	require.NoError(t, err, "the account it stood for")

	creds.Token = withSubject(t, s.Token.Raw, "acct-before")
	_, err = SignIn(t.Context(), e.client, creds, time.Now())
	var changed *api.AccountChangedError
	require.ErrorAs(t, err, &changed)
	assert.Equal(t, "acct-before", changed.SignedIn)
	assert.Equal(t, mine, changed.Renewed)
	assert.Contains(t, api.Human(err), "acct-before")

	creds.Token = ""
	_, err = SignIn(t.Context(), e.client, creds, time.Now())
	require.NoError(t, err, "signing in by hand compares nothing")
}

// withSubject is raw, a JWT, with its sub claim set to sub (its signature
// no longer matches, which a stored token's check never looks at).
func withSubject(t *testing.T, raw, sub string) string {
	parts := strings.Split(raw, ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	claims := map[string]any{}
	require.NoError(t, json.Unmarshal(payload, &claims))
	claims["sub"] = sub
	payload, err = json.Marshal(claims)
	require.NoError(t, err)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

// The one case that asks: the remembered secret itself is refused.
func TestRefusedRememberedPasswordAsks(t *testing.T) {
	e := newRestartEnv(t)
	a := storage.RememberedAccount{Env: e.sb.Env.Key(), Account: testutil.SandboxEmail, Method: storage.MethodPassword}
	require.NoError(t, e.secrets.Set(a.Env, a.Account, storage.SecretPassword, "changed-elsewhere"))
	_, err := Restore(t.Context(), e.client, storage.DefaultSettings().WithRememberedAccount(a), e.secrets)
	assert.ErrorIs(t, err, api.ErrUnauthorized)
}

// TestStoredTokenJudgedOnServerClock, the whole loop: this computer's
// clock two hours ahead of dStor's, a one-hour login token kept in the
// keyring looks expired here. dStor's clock says it has most of
// its hour left, so it is reused: no password needed, no "sign in again".
func TestStoredTokenJudgedOnServerClock(t *testing.T) {
	sb := testutil.StartSandbox(t, sandbox.Config{
		Now:              func() time.Time { return time.Now().Add(-2 * time.Hour) },
		MaxTokenLifetime: time.Hour,
	})
	client, err := api.NewClient(sb.Env, nil)
	require.NoError(t, err)
	t.Cleanup(client.CloseIdleConnections)
	first, err := SignIn(t.Context(), client, Credentials{Method: storage.MethodPassword, Email: testutil.SandboxEmail, Password: testutil.SandboxPassword}, time.Now())
	require.NoError(t, err, "the login itself works")
	require.True(t, first.Token.ExpiresAt.Before(time.Now()), "on this computer's clock the token is already past its expiry")

	fresh, err := api.NewClient(sb.Env, nil) // a new process: nothing measured yet
	require.NoError(t, err)
	t.Cleanup(fresh.CloseIdleConnections)
	again, err := SignIn(t.Context(), fresh, Credentials{Method: storage.MethodPassword, Email: testutil.SandboxEmail, Token: first.Token.Raw}, time.Now())
	require.NoError(t, err, "the stored token is reused without the password")
	assert.Equal(t, first.Token.Raw, again.Token.Raw)
	tok, err := again.Tokens.Token(t.Context(), false)
	require.NoError(t, err, "and the queue may use it")
	assert.Equal(t, first.Token.Raw, tok.Raw)
}

// TestLoginTokenBornExpiredIsNotTheClock: a token that is past its expiry
// right after login, from a dStor whose clock agrees with this
// computer's, cannot be fixed by signing in again nor by setting the
// clock; the sentence says dStor issued it so, not that the clock is wrong.
func TestLoginTokenBornExpiredIsNotTheClock(t *testing.T) {
	// dStor's clock 2 s behind (within the tolerance: the clocks agree), so
	// the token's exp, whole seconds, is before the now passed to SignIn
	// however the request straddles a second: with the same clock, a login
	// that began at hh:mm:ss.999 got exp hh:mm:ss+1, still valid then.
	behind := func() time.Time { return time.Now().Add(-2 * time.Second) }
	sb := testutil.StartSandbox(t, sandbox.Config{MaxTokenLifetime: time.Nanosecond, Now: behind})
	client, err := api.NewClient(sb.Env, nil)
	require.NoError(t, err)
	t.Cleanup(client.CloseIdleConnections)
	_, err = SignIn(t.Context(), client, Credentials{Method: storage.MethodPassword, Email: testutil.SandboxEmail, Password: testutil.SandboxPassword}, time.Now())
	require.Error(t, err)
	assert.ErrorIs(t, err, api.ErrFreshToken)
	assert.NotErrorIs(t, err, api.ErrClock)
	assert.Contains(t, api.Human(err), "dStor issued a token already past its expiry")
	assert.Contains(t, api.Human(err), "the clock is not the cause")
	assert.NotContains(t, api.Human(err), "set this computer's date")
}

// TestLoginTokenExpiredOnArrivalAfterASlowLoginIsNotASignIn: a login
// answered slowly (here dStor takes 3 s before it handles it) brings a
// token past its expiry on arrival, on either clock. SignIn judged it at
// the now it was given, taken before the request, when it was still
// valid, and signed in with it: its first upload would be refused.
// TestLoginTokenBornExpiredIsNotTheClock failed so when a busy machine
// held its login for 2 s or more.
func TestLoginTokenExpiredOnArrivalAfterASlowLoginIsNotASignIn(t *testing.T) {
	// As in TestLoginTokenBornExpiredIsNotTheClock: the clocks agree (dStor's
	// 2 s behind, within the tolerance) and the token's exp is whole seconds,
	// at most dStor's time of the login; 3 s on, it is past on either clock.
	behind := func() time.Time { return time.Now().Add(-2 * time.Second) }
	sb := testutil.StartSandbox(t, sandbox.Config{MaxTokenLifetime: time.Nanosecond, Now: behind})
	sb.Srv.InjectFault(sandbox.Fault{Path: "/v1/dev/temp-token", Delay: 3 * time.Second})
	client, err := api.NewClient(sb.Env, nil)
	require.NoError(t, err)
	t.Cleanup(client.CloseIdleConnections)
	asked := time.Now()
	_, err = SignIn(t.Context(), client, Credentials{Method: storage.MethodPassword, Email: testutil.SandboxEmail, Password: testutil.SandboxPassword}, asked)
	require.Error(t, err, "a token past its expiry when it arrives is no sign-in")
	assert.ErrorIs(t, err, api.ErrFreshToken)
	assert.NotErrorIs(t, err, api.ErrClock)
	var fe *api.FreshTokenError
	require.ErrorAs(t, err, &fe)
	assert.False(t, fe.Local.Before(asked.Add(3*time.Second)), "the time it arrived (%s), not the time it was asked for (%s)", fe.Local, asked)
}

// TestDamagedStoredTokenIsNotASignIn: a login token in the keyring that
// cannot be sent in a header (an entry an older version or another program
// left: spaces, a line break that would start a header of its own, control
// characters) is not a sign-in. Reused, it would sign the account in and
// then fail every upload of the queue for good ("the saved token is
// damaged"), not wait for a sign-in; it counts as no token: the person is
// asked to sign in, or a remembered password signs in, and never the
// damaged token, not even when dStor cannot be reached.
func TestDamagedStoredTokenIsNotASignIn(t *testing.T) {
	e := newSignInEnv(t)
	envKey := e.sb.Env.Key()
	a := storage.RememberedAccount{Env: envKey, Account: testutil.SandboxEmail, Method: storage.MethodPassword}
	settings := storage.DefaultSettings().WithRememberedAccount(a)
	payload := fmt.Sprintf(`{"sub":"acct","exp":%d}`, time.Now().Add(time.Hour).Unix())
	good := "e30." + base64.RawURLEncoding.EncodeToString([]byte(payload)) + ".c2ln"
	for name, damaged := range map[string]string{
		"a space inside":  "abc def",
		"a header after":  good + "\r\nX-Injected: 1",
		"a line break":    good[:10] + "\n" + good[10:],
		"control bytes":   "\x00\x01tok",
		"not ASCII":       "t\u00f6ken",
		"a DEL character": "tok\x7fen",
		"1 MiB long":      good + "." + strings.Repeat("a", 1<<20),
	} {
		t.Run(name, func(t *testing.T) {
			secrets := storage.NewMemorySecretStore()
			require.NoError(t, secrets.Set(envKey, a.Account, storage.SecretToken, damaged))
			_, err := Restore(t.Context(), e.client, settings, secrets)
			var missing *MissingSecretError
			require.ErrorAs(t, err, &missing, "no password remembered: sign in again")
			assert.Equal(t, storage.SecretPassword, missing.Kind)

			require.NoError(t, secrets.Set(envKey, a.Account, storage.SecretPassword, testutil.SandboxPassword))
			s, err := Restore(t.Context(), e.client, settings, secrets)
			require.NoError(t, err, "a remembered password signs in")
			assert.NotEqual(t, damaged, s.Token.Raw)
			kept, err := secrets.Get(envKey, a.Account, storage.SecretToken)
			require.NoError(t, err)
			assert.Equal(t, s.Token.Raw, kept, "the fresh token replaces the damaged one")

			// dStor out of reach: the damaged token does not stand in.
			offline := unreachableClient(t)
			_, err = SignIn(t.Context(), offline, Credentials{Method: storage.MethodPassword, Email: a.Account,
				Password: testutil.SandboxPassword, Token: damaged}, time.Now())
			assert.ErrorIs(t, err, api.ErrUnreachable)
		})
	}
}

// unreachableClient is a client for a loopback port nothing listens on.
func unreachableClient(t *testing.T) *api.Client {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	u := "http://" + l.Addr().String()
	require.NoError(t, l.Close())
	env, err := api.CustomEnvironment(u)
	require.NoError(t, err)
	c, err := api.NewClient(env, nil)
	require.NoError(t, err)
	return c
}

// TestRememberedKeyOfAnotherAccountIsRefused: an API key remembered for
// one account (the sub its token named at login) that dStor now issues
// tokens for another account with. Restore filed the session under the
// remembered account while its uploads went to the other; it is refused
// with both named, as a remembered password's is. A key whose tokens
// named no account ("api-key") compares nothing.
func TestRememberedKeyOfAnotherAccountIsRefused(t *testing.T) {
	e := newSignInEnv(t)
	envKey := e.sb.Env.Key()
	for _, tt := range []struct {
		filedAs string
		changed bool
	}{
		{filedAs: e.sb.Acc.ID},
		{filedAs: "acct-before", changed: true},
		{filedAs: "api-key"},
	} {
		t.Run(tt.filedAs, func(t *testing.T) {
			a := storage.RememberedAccount{Env: envKey, Account: tt.filedAs, Method: storage.MethodAPIKey}
			require.NoError(t, e.secrets.Set(envKey, a.Account, storage.SecretAPIKey, e.sb.Key))
			s, err := Restore(t.Context(), e.client, storage.DefaultSettings().WithRememberedAccount(a), e.secrets)
			if !tt.changed {
				require.NoError(t, err)
				assert.Equal(t, tt.filedAs, s.Account)
				return
			}
			var changed *api.AccountChangedError
			require.ErrorAs(t, err, &changed)
			assert.Equal(t, "acct-before", changed.SignedIn)
			assert.Equal(t, e.sb.Acc.ID, changed.Renewed)
		})
	}
}

// TestKeyringFailingToReadIsNotAnExpiredSignIn: a keyring that answered
// the probe and then fails to read (locked again, its daemon gone) is not
// a sign-in that expired: Restore says the keyring could not be read, and
// the remembered password and token are still there once it can.
func TestKeyringFailingToReadIsNotAnExpiredSignIn(t *testing.T) {
	e := newSignInEnv(t)
	fake := testutil.NewKeyring()
	secrets := fake.Store()
	require.True(t, secrets.Persistent(), secrets.Reason())
	creds := Credentials{Method: storage.MethodPassword, Email: testutil.SandboxEmail, Password: testutil.SandboxPassword, Remember: true}
	s, err := SignIn(t.Context(), e.client, creds, time.Now())
	require.NoError(t, err)
	require.NoError(t, Keep(secrets, s, creds, true))
	settings := storage.DefaultSettings().WithRememberedAccount(s.Remembered())

	fake.FailOn(testutil.KeyringGet, errors.New("the collection is locked"))
	_, err = Restore(t.Context(), e.client, settings, secrets)
	require.Error(t, err)
	var missing *MissingSecretError
	assert.False(t, errors.As(err, &missing), "not an expired sign-in: %v", err)
	assert.Contains(t, err.Error(), "the collection is locked")
	assert.Contains(t, err.Error(), "keyring")

	fake.FailOn(testutil.KeyringGet, nil)
	_, err = Restore(t.Context(), e.client, settings, secrets)
	require.NoError(t, err, "the keyring readable again: the remembered password signs in")
}

// TestKeepWhenTheKeyringRefusesTheToken: a keyring that takes no value
// over 2,560 bytes (Windows' Credential Manager) and a server whose
// tokens are longer. An API key, or a remembered password, is what signs
// in again, and the token only spares a request: keeping them succeeds,
// so the command line's login is not refused, leaving the key in the
// keyring with no account remembered for it. A password not remembered
// has only its token to sign in again with: that is an error still.
func TestKeepWhenTheKeyringRefusesTheToken(t *testing.T) {
	big := strings.Repeat("t", 3000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = fmt.Fprintf(w, `{"access_token":%q}`, big)
	}))
	t.Cleanup(srv.Close)
	env, err := api.CustomEnvironment(srv.URL)
	require.NoError(t, err)
	client, err := api.NewClient(env, nil)
	require.NoError(t, err)
	t.Cleanup(client.CloseIdleConnections)

	fake := testutil.NewKeyring() // Windows' Credential Manager takes at most 2,560 bytes
	fake.Fail(func(op testutil.KeyringOp, _, value string) error {
		if op == testutil.KeyringSet && len(value) > 2560 {
			return keyring.ErrSetDataTooBig
		}
		return nil
	})
	secrets := fake.Store()
	require.True(t, secrets.Persistent(), secrets.Reason())

	key := strings.Repeat("k", api.APIKeyLength)
	creds := Credentials{Method: storage.MethodAPIKey, APIKey: key}
	s, err := SignIn(t.Context(), client, creds, time.Now())
	require.NoError(t, err)
	require.Equal(t, big, s.Token.Raw)
	require.NoError(t, Keep(secrets, s, creds, false), "the key is kept: it signs in again")
	kept, err := secrets.Get(s.EnvKey, s.Account, storage.SecretAPIKey)
	require.NoError(t, err)
	assert.Equal(t, key, kept)

	pw := &Session{Env: env, EnvKey: env.Key(), Account: "me@example.com", Method: storage.MethodPassword, Token: s.Token}
	pwCreds := Credentials{Method: storage.MethodPassword, Email: pw.Account, Password: "the password"}
	require.NoError(t, Keep(secrets, pw, pwCreds, true), "a remembered password signs in again")
	assert.ErrorIs(t, Keep(secrets, pw, pwCreds, false), keyring.ErrSetDataTooBig, "the token is the sign-in itself")
}
