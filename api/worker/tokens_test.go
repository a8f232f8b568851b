package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

func TestAPIKeyTokensReuseAndRefresh(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	ctx := context.Background()
	ts := NewAPIKeyTokens(e.client, e.key, time.Hour).(*renewingTokens)
	now := time.Now()
	clock := now
	ts.now = func() time.Time { return clock }

	tok, err := ts.Token(ctx, false)
	require.NoError(t, err)
	asked := time.Now()
	assert.Equal(t, e.acc.ID, tok.Subject)
	// One hour from when the server answered (whole seconds), however
	// long the request took on a busy machine.
	assert.False(t, tok.ExpiresAt.Before(now.Add(time.Hour-time.Second)), "x-expiration asked for one hour: %v", tok.ExpiresAt.Sub(now))
	assert.False(t, tok.ExpiresAt.After(asked.Add(time.Hour+time.Second)), "x-expiration asked for one hour: %v", tok.ExpiresAt.Sub(asked))
	again, err := ts.Token(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, tok.Raw, again.Raw, "reused")
	assert.Equal(t, 1, e.requests(tokenPath))

	// Forced after a 401: a new one.
	_, err = ts.Token(ctx, true)
	require.NoError(t, err)
	assert.Equal(t, 2, e.requests(tokenPath))

	// Within a minute of exp: refreshed ahead of time.
	clock = now.Add(59*time.Minute + 30*time.Second)
	_, err = ts.Token(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, 3, e.requests(tokenPath))
}

func TestAPIKeyTokensMintOneAtATime(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	// The first mint is held until every caller waits for it (parked in
	// Token's select: the one minting inside its request, the others on
	// the mint slot), not for a fixed time a late caller could outlast.
	held := newHeldRequest(t, tokenPath)
	held.arm()
	ts := NewAPIKeyTokens(held.client(t, e.url), e.key, 0)
	var wg sync.WaitGroup
	toks := make([]api.Token, 8)
	for i := range toks {
		wg.Go(func() {
			tok, err := ts.Token(context.Background(), i%2 == 0)
			assert.NoError(t, err)
			toks[i] = tok
		})
	}
	held.waitStarted(t)
	eventually(t, 30*time.Second, func() bool { return testutil.ParkedIn("worker.(*renewingTokens).Token") == len(toks) },
		"every caller waits for the mint")
	held.release()
	wg.Wait()
	// Callers that waited for a mint in progress take its token, forced or
	// not: one mint.
	assert.Equal(t, 1, e.requests(tokenPath))
	for _, tok := range toks {
		assert.True(t, tok.Valid(time.Now(), time.Minute))
	}
}

func TestAPIKeyTokensRejectedKeyNeedsSignIn(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	require.NoError(t, e.srv.RevokeAPIKey(e.key))
	ts := NewAPIKeyTokens(e.client, e.key, time.Hour)
	_, err := ts.Token(context.Background(), false)
	require.ErrorIs(t, err, ErrSignInRequired)
	require.ErrorIs(t, err, api.ErrUnauthorized)

	// Through the queue: the job waits for sign-in instead of failing.
	f := e.write("f.txt", testutil.Content("f", 10))
	cfg := e.config()
	cfg.Tokens = ts
	q := e.queue(cfg)
	q.Add(Request{Path: f})
	require.ErrorIs(t, wait(t, q, 10*time.Second), ErrSignInRequired)
	key, err := e.srv.CreateAPIKey(e.acc.ID, time.Time{})
	require.NoError(t, err)
	q.SetTokens(NewAPIKeyTokens(e.client, key, time.Hour))
	require.NoError(t, wait(t, q, 10*time.Second))
	assert.Equal(t, 1, q.Summary().Done)
}

func TestAPIKeyTokensNetworkErrorIsRetryable(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.srv.InjectFault(sandbox.Fault{Path: tokenPath, Status: 503, Count: 1})
	ts := NewAPIKeyTokens(e.client, e.key, time.Hour)
	_, err := ts.Token(context.Background(), false)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrSignInRequired)
	assert.True(t, api.Retryable(err))

	// Through the queue: retried like an upload error.
	e.srv.InjectFault(sandbox.Fault{Path: tokenPath, Status: 503, Count: 1})
	f := e.write("f.txt", testutil.Content("f", 10))
	cfg := e.config()
	q := e.queue(cfg)
	q.Add(Request{Path: f})
	require.NoError(t, wait(t, q, 10*time.Second))
	j := jobFor(t, q, f)
	assert.Equal(t, "done", string(j.State), j.Err)
	assert.Equal(t, 2, j.Attempts)
}

// TestAPIKeyTokensContext: Token honours its context, both in the call
// that mints (its request ends with it) and in a call waiting for that
// mint (it stops waiting). The token request stalls an hour, so only the
// contexts end the calls: the waiting call must end while the mint still
// runs, and the mint with its context, not with the client's own minute's
// bound on a token request.
func TestAPIKeyTokensContext(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	e.srv.InjectFault(sandbox.Fault{Path: tokenPath, Stall: time.Hour, Count: 1})
	ts := NewAPIKeyTokens(e.client, e.key, time.Hour)
	mintCtx, stopMint := context.WithCancel(context.Background())
	defer stopMint()
	minted := make(chan error, 1)
	go func() { _, err := ts.Token(mintCtx, false); minted <- err }()
	eventually(t, hangGuard, func() bool { return len(ts.(*renewingTokens).mintSem) == 1 }, "the first call mints")

	waitCtx, stopWaiting := context.WithCancel(context.Background())
	waited := make(chan error, 1)
	go func() { _, err := ts.Token(waitCtx, false); waited <- err }()
	stopWaiting()
	select {
	case err := <-waited:
		require.ErrorIs(t, err, context.Canceled)
	case err := <-minted:
		t.Fatalf("the waiting call waited for the mint, which ended first (%v)", err)
	case <-time.After(hangGuard):
		t.Fatal("the waiting call did not honour its context")
	}
	stopMint()
	select {
	case err := <-minted:
		require.ErrorIs(t, err, context.Canceled, "the mint ended by its context, not by a timeout")
	case <-time.After(hangGuard):
		t.Fatal("the mint did not honour its context")
	}
}

func TestAPIKeyTokensMargin(t *testing.T) {
	assert.Equal(t, time.Minute, NewAPIKeyTokens(nil, "", 0).(*renewingTokens).margin)
	assert.Equal(t, DefaultTokenLifetime, NewAPIKeyTokens(nil, "", 0).(*renewingTokens).lifetime)
	assert.Equal(t, 30*time.Second, NewAPIKeyTokens(nil, "", 2*time.Minute).(*renewingTokens).margin)
}

func TestStaticTokens(t *testing.T) {
	ctx := context.Background()
	valid := api.Token{Raw: "a.b.c", ExpiresAt: time.Now().Add(time.Hour)}
	ts := NewStaticTokens(valid)
	tok, err := ts.Token(ctx, false)
	require.NoError(t, err)
	assert.Equal(t, valid.Raw, tok.Raw)
	_, err = ts.Token(ctx, true)
	require.ErrorIs(t, err, ErrSignInRequired, "a rejected login token cannot be renewed")

	_, err = NewStaticTokens(api.Token{Raw: "a.b.c", ExpiresAt: time.Now().Add(50 * time.Second)}).Token(ctx, false)
	require.ErrorIs(t, err, ErrSignInRequired, "expiring within a minute")
	_, err = NewStaticTokens(api.Token{}).Token(ctx, false)
	require.ErrorIs(t, err, ErrSignInRequired)
	tok, err = NewStaticTokens(api.Token{Raw: "opaque"}).Token(ctx, false)
	require.NoError(t, err, "unknown expiry is usable")
	assert.Equal(t, "opaque", tok.Raw)

	canceled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = ts.Token(canceled, false)
	require.ErrorIs(t, err, context.Canceled)
}

func TestSignInWithAPIKey(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	account, ts, err := SignInWithAPIKey(context.Background(), e.client, e.key)
	require.NoError(t, err)
	assert.Equal(t, e.acc.ID, account, "the account is the token's subject")
	before := e.requests(tokenPath)
	tok, err := ts.Token(context.Background(), false)
	require.NoError(t, err)
	assert.True(t, tok.Valid(time.Now(), time.Minute))
	assert.Equal(t, before, e.requests(tokenPath), "the token minted to check the key is reused")

	wrong := strings.Repeat("N0tAKey0", 8)
	_, _, err = SignInWithAPIKey(context.Background(), e.client, wrong)
	require.ErrorIs(t, err, api.ErrUnauthorized)
	assert.NotContains(t, api.Human(err), wrong)
	assert.Contains(t, api.Human(err), "API key")

	_, _, err = SignInWithAPIKey(context.Background(), e.client, "short")
	var verr *api.ValidationError
	require.ErrorAs(t, err, &verr, "a malformed key is refused before any request")
}

// TestPasswordTokensRenewWithoutAsking: a remembered password gets a new
// token when the one in use is rejected (401) or about to expire, so the
// queue never waits for sign-in; only a password dStor refuses does.
func TestPasswordTokensRenewWithoutAsking(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	first, err := e.client.TokenFromLogin(t.Context(), testEmail, testPassword)
	require.NoError(t, err)
	ts := NewPasswordTokens(e.client, testEmail, testPassword, first).(*renewingTokens)
	tok, err := ts.Token(t.Context(), false)
	require.NoError(t, err)
	assert.Equal(t, first.Raw, tok.Raw, "the sign-in's token first")

	f := e.write("f.txt", testutil.Content("f", 1000))
	g := e.write("g.txt", testutil.Content("g", 1000))
	cfg := e.config()
	cfg.Tokens = ts
	cfg.Concurrency = 1
	q := e.queue(cfg)
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 401, Count: 1})
	q.Add(Request{Path: f})
	require.NoError(t, wait(t, q, 20*time.Second), "a 401 is answered with a fresh login, not a wait for sign-in")
	assert.Equal(t, storage.JobDone, jobFor(t, q, f).State)

	// Near its expiry, the token is renewed before it is used.
	at := ts.tok.ExpiresAt.Add(-ts.margin / 2)
	ts.now = func() time.Time { return at }
	// Counted in mints, not by comparing tokens: two signed in the same
	// second by the sandbox are the same bytes.
	ts.mu.Lock()
	mintsBefore := ts.gen
	ts.mu.Unlock()
	q.Add(Request{Path: g})
	require.NoError(t, wait(t, q, 20*time.Second))
	assert.Equal(t, storage.JobDone, jobFor(t, q, g).State)
	ts.mu.Lock()
	mints := ts.gen - mintsBefore
	ts.mu.Unlock()
	assert.Equal(t, uint64(1), mints, "renewed once, ahead of its expiry")
	requireHistoryOnce(t, e.db, q.Jobs())

	// A password dStor refuses is the one case to ask the person.
	wrong := NewPasswordTokens(e.client, testEmail, "not-the-password", api.Token{})
	_, err = wrong.Token(t.Context(), false)
	assert.ErrorIs(t, err, ErrSignInRequired)
	assert.ErrorIs(t, err, api.ErrUnauthorized)
}

// TestBornExpiredTokenNamesTheClockOnlyWhenItDiffers: a token already
// past its expiry when it arrives cannot be used, and asking again would
// not help. When dStor's answer shows its clock agrees with this
// computer's, the token is dStor's fault and the sentence says so; only
// when dStor's time is unknown does it name this computer's clock.
func TestBornExpiredTokenNamesTheClockOnlyWhenItDiffers(t *testing.T) {
	cases := []struct {
		name    string
		date    bool // the answer says dStor's time (Date, and iat)
		want    error
		says    string
		saysNot string
	}{
		{"dStor's clock agrees", true, api.ErrFreshToken, "dStor issued a token already past its expiry", "set this computer's date"},
		{"dStor's time unknown", false, api.ErrClock, "set this computer's date, time and time zone correctly", "not the cause"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				now := time.Now()
				claims := map[string]any{"sub": "acct-1", "exp": now.Add(-time.Hour).Unix()}
				if tc.date {
					claims["iat"] = now.Add(-2 * time.Hour).Unix()
				} else {
					w.Header()["Date"] = nil // net/http adds none then
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(map[string]string{"access_token": unsignedJWT(t, claims)})
			}))
			t.Cleanup(srv.Close)
			c := clientFor(t, srv.URL, nil)

			_, err := NewAPIKeyTokens(c, testutilKey, time.Hour).Token(t.Context(), false)
			require.ErrorIs(t, err, tc.want)
			assert.NotErrorIs(t, err, ErrSignInRequired)
			assert.Contains(t, api.Human(err), tc.says)
			assert.NotContains(t, api.Human(err), tc.saysNot)
		})
	}
}

// TestUnreadableTokenAnswerIsRetried: a token request answered with
// something that is not a token (a captive portal's or a proxy's page with
// 200, broken JSON) carried no file, so the upload waiting for it is
// retried later, as after a network error or a 503: it does not fail for
// good, whether the answer came to the first token or to the refresh
// after a 401 mid-queue. The file is sent once and recorded once.
func TestUnreadableTokenAnswerIsRetried(t *testing.T) {
	answers := map[string]sandbox.Fault{
		"portal page with 200": {Path: tokenPath, HTMLError: true, Status: 200, Count: 1},
		"broken JSON":          {Path: tokenPath, Malformed: true, Count: 1},
	}
	for name, answer := range answers {
		for _, refresh := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s, refresh %v", name, refresh), func(t *testing.T) {
				e := newTestEnv(t, sandbox.Config{})
				ts := NewAPIKeyTokens(e.client, e.key, time.Hour)
				if refresh {
					_, err := ts.Token(t.Context(), false)
					require.NoError(t, err)
					e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: 401, Count: 1})
				}
				e.srv.InjectFault(answer)
				f := e.write("f.txt", testutil.Content("f", 10))
				cfg := e.config()
				cfg.Tokens = ts
				q := e.queue(cfg)
				q.Add(Request{Path: f})
				require.NoError(t, wait(t, q, 10*time.Second))
				j := jobFor(t, q, f)
				assert.Equal(t, storage.JobDone, j.State, j.Err)
				assert.Equal(t, 2, j.Attempts)
				requireHistoryOnce(t, e.db, q.Jobs())
				assert.Len(t, e.sandboxUploads(), 1)
			})
		}
	}
}
