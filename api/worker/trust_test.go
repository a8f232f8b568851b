package worker

// Trust: what a misbehaving server or a changing disk must not
// be able to do to the queue. The sandbox cannot lie about hashes or names,
// so those tests put a rewriting proxy on 127.0.0.1 in front of it.

import (
	"bytes"
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipfs/go-cid"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// cidV1 is the dag-pb CIDv1 (base32) naming the content of the CIDv0 v0.
func cidV1(t *testing.T, v0 string) string {
	t.Helper()
	c, err := cid.Decode(v0)
	require.NoError(t, err)
	return cid.NewCidV1(cid.DagProtobuf, c.Hash()).String()
}

// rewriteAdd is a reverse proxy on 127.0.0.1 in front of target that
// passes every request through and lets rewrite change the decoded JSON
// answer of each successful upload.
func rewriteAdd(t *testing.T, target string, rewrite func(ans map[string]any)) string {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	p := httputil.NewSingleHostReverseProxy(u)
	p.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != addPath || resp.StatusCode != http.StatusOK {
			return nil
		}
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		_ = resp.Body.Close()
		var ans map[string]any
		if err := json.Unmarshal(body, &ans); err == nil {
			rewrite(ans)
			body, _ = json.Marshal(ans)
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

// proxiedConfig is e's queue configuration with a client that goes
// through the proxy at base.
func (e *testEnv) proxiedConfig(base string) Config {
	e.t.Helper()
	c := clientFor(e.t, base, nil)
	cfg := e.config()
	cfg.Client = c
	cfg.Tokens = NewAPIKeyTokens(c, e.key, time.Hour)
	return cfg
}

// inert reports text with no control or formatting character.
func inert(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) < 0
}

// TestUnverifiableAnswerIsNeverDone: a proxy answers an opaque id, a
// lower-cased CIDv0 and a hostile string; each job fails with the
// sentence, no link and no history entry, and nothing of the answer that
// is kept can drive a terminal.
func TestUnverifiableAnswerIsNeverDone(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	answers := map[string]string{
		"opaque.txt":  "not-a-cid-at-all",
		"lower.txt":   "", // filled with the lower-cased real CID
		"hostile.txt": "../../x?y=\x1b[31mRED\x1b]0;title\a",
	}
	var paths []string
	for name := range answers {
		paths = append(paths, e.write(name, testutil.Content(name, 300)))
	}
	base := rewriteAdd(t, e.url, func(ans map[string]any) {
		name, _ := ans["Name"].(string)
		if a := answers[name]; a != "" {
			ans["Hash"] = a
		} else if h, ok := ans["Hash"].(string); ok {
			ans["Hash"] = strings.ToLower(h)
		}
	})
	q := e.queue(e.proxiedConfig(base))
	q.Add(Request{Path: filepath.Dir(paths[0])})
	require.NoError(t, wait(t, q, 30*time.Second))

	for _, p := range paths {
		j := jobFor(t, q, p)
		assert.Equal(t, storage.JobFailed, j.State, "%s", j.Name)
		assert.Contains(t, j.Err, "dStor answered a hash that cannot be checked", "%s", j.Name)
		assert.Contains(t, j.Err, testutil.CIDOf(t, p), "the sentence names the file's own hash")
		assert.False(t, j.Verified)
		assert.True(t, inert(j.Err), "%q", j.Err)
		assert.Equal(t, 1, j.Attempts, "not retried: the answer would not change")
		row := dbState(t, e.db, j.ID)
		assert.Equal(t, storage.JobFailed, row.State)
		assert.Equal(t, j.Err, row.Error, "the sentence is saved, the answer in it")
	}
	assert.Contains(t, jobFor(t, q, paths[0]).Err+jobFor(t, q, paths[1]).Err+jobFor(t, q, paths[2]).Err, `\x1b[31mRED`,
		"the hostile answer is kept, escaped, for inspection")
	assert.Empty(t, history(t, e.db), "nothing unverified reaches the history")
	assert.Equal(t, 3, q.Summary().Failed)
}

// TestVerifiedCIDv1AnswerIsDone: a CIDv1 of the same content is verified
// and recorded as answered.
func TestVerifiedCIDv1AnswerIsDone(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	p := e.write("v1.txt", testutil.Content("v1", 5000))
	base := rewriteAdd(t, e.url, func(ans map[string]any) {
		ans["Hash"] = cidV1(t, ans["Hash"].(string))
	})
	q := e.queue(e.proxiedConfig(base))
	q.Add(Request{Path: p})
	require.NoError(t, wait(t, q, 30*time.Second))
	j := jobFor(t, q, p)
	require.Equal(t, storage.JobDone, j.State, j.Err)
	want := cidV1(t, testutil.CIDOf(t, p))
	assert.Equal(t, want, j.Hash)
	assert.True(t, j.Verified)
	h := history(t, e.db)
	require.Len(t, h, 1)
	assert.Equal(t, want, h[0].Hash)
	assert.True(t, h[0].Verified)
}

// TestServerNameNeverReplacesLocalName: a proxy renames every file with
// terminal escapes; the history keeps the local name and the server's,
// inert (each escape escaped where it stands), apart.
func TestServerNameNeverReplacesLocalName(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	p := e.write("report.pdf", testutil.Content("report", 700))
	const hostile = "x\x1b]0;pwned\a\x1b[2J\r\nfake line\u202egpj.exe"
	base := rewriteAdd(t, e.url, func(ans map[string]any) { ans["Name"] = hostile })
	q := e.queue(e.proxiedConfig(base))
	q.Add(Request{Path: p})
	require.NoError(t, wait(t, q, 30*time.Second))
	j := jobFor(t, q, p)
	require.Equal(t, storage.JobDone, j.State, j.Err)
	assert.Equal(t, "report.pdf", j.Name)
	h := history(t, e.db)
	require.Len(t, h, 1)
	assert.Equal(t, "report.pdf", h[0].Name, "the history keeps the local name")
	assert.Equal(t, `x\x1b]0;pwned\a\x1b[2J\r\nfake line\u202egpj.exe`, h[0].ServerName, "the server's name is kept apart, inert")
}

// TestFolderWithInvalidUTF8NamesUploads: "\xff.txt" and "\xfe.txt" get
// distinct names, and a folder named "dir\xff" uploads instead of being
// refused as if the person had typed a bad folder path.
func TestFolderWithInvalidUTF8NamesUploads(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows file names are UTF-16: no name holds invalid UTF-8 bytes")
	}
	e := newTestEnv(t, sandbox.Config{})
	dir := filepath.Join(e.files, "dir\xff")
	var paths []string
	for _, n := range []string{"\xff.txt", "\xfe.txt", "%FF.txt", "new\nline.txt"} {
		paths = append(paths, e.write(filepath.Join("dir\xff", n), testutil.Content(n, 100)))
	}
	q := e.uploaded(Request{Path: dir, FolderPath: "/in/"})
	for _, p := range paths {
		j := jobFor(t, q, p)
		assert.Equal(t, storage.JobDone, j.State, "%q: %s", p, j.Err)
	}
	var got []string
	for _, u := range e.sandboxUploads() {
		assert.Equal(t, "/in/dir%FF/", u.FolderPath)
		got = append(got, u.Name)
	}
	sort.Strings(got)
	assert.Equal(t, []string{"%25FF.txt", "%FE.txt", "%FF.txt", "new%0Aline.txt"}, got, "distinct, reversible names")
	requireHistoryOnce(t, e.db, q.Jobs())
}

// TestSwappedFileIsSkippedNeverUploaded: a queued file of
// a folder replaced, before its turn, by a symbolic link to a private file
// outside the folder, or by another file, is skipped with a sentence; the
// private bytes never reach the server.
func TestSwappedFileIsSkippedNeverUploaded(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("file ids are read on Linux and Windows only so far")
	}
	e := newTestEnv(t, sandbox.Config{})
	secret := filepath.Join(t.TempDir(), "shadow")
	require.NoError(t, os.WriteFile(secret, []byte("root:$6$very-private-hash"), 0o600))
	var files []string
	for i := range 20 {
		files = append(files, e.write(fmt.Sprintf("folder/f%02d.txt", i), testutil.Content(fmt.Sprint("f", i), 500)))
	}
	q := e.queue(e.config())
	q.Pause()
	q.Add(Request{Path: filepath.Join(e.files, "folder")})
	eventually(t, 10*time.Second, func() bool { return q.Summary().Queued == len(files) }, "listed")

	// Without links, another file is put under the listed name: made
	// before the listed one is removed, so it cannot get its file id back.
	anew := filepath.Join(e.files, "anew.txt")
	require.NoError(t, os.WriteFile(anew, []byte("another file"), 0o644))
	require.NoError(t, os.Remove(files[14]))
	linked := testfs.Symlink(t, secret, files[14])
	if !linked {
		t.Log(testfs.NoSymlinks)
		require.NoError(t, os.Rename(anew, files[14]))
	}
	other := filepath.Join(e.files, "other.txt")
	require.NoError(t, os.WriteFile(other, []byte("not the listed file"), 0o644))
	require.NoError(t, os.Rename(other, files[15]))
	q.Resume()
	require.NoError(t, wait(t, q, 30*time.Second))

	for i, p := range files {
		j := jobFor(t, q, p)
		switch i {
		case 14:
			assert.Equal(t, storage.JobSkipped, j.State)
			if linked {
				assert.Contains(t, j.Err, "symbolic link")
			} else {
				assert.Contains(t, j.Err, "replaced by another file")
			}
			assert.Contains(t, j.Err, "not uploaded")
		case 15:
			assert.Equal(t, storage.JobSkipped, j.State)
			assert.Contains(t, j.Err, "replaced by another file")
		default:
			assert.Equal(t, storage.JobDone, j.State, "%s: %s", p, j.Err)
		}
	}
	secretCID := testutil.CIDOf(t, secret)
	otherCID := testutil.CIDOf(t, files[15])
	for _, u := range e.sandboxUploads() {
		assert.NotEqual(t, secretCID, u.Hash, "the private file reached the server")
		assert.NotEqual(t, otherCID, u.Hash, "a file that was not listed reached the server")
	}
	assert.Len(t, e.sandboxUploads(), 18)
	requireHistoryOnce(t, e.db, q.Jobs())
}

// TestNamedFileSwappedForALinkIsSkipped: files named themselves (not found
// in a folder) wait in the queue; before their turn another program puts a
// symbolic link to a private file in place of one, and saves another anew,
// as editors do. The link's private file was uploaded under the chosen
// name; that one is skipped now, and the file saved anew is uploaded in
// its new version.
func TestNamedFileSwappedForALinkIsSkipped(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("file ids are read on Linux and Windows only so far")
	}
	e := newTestEnv(t, sandbox.Config{})
	secret := filepath.Join(t.TempDir(), "shadow")
	require.NoError(t, os.WriteFile(secret, []byte("root:$6$very-private-hash"), 0o600))
	swapped := e.write("swapped.txt", testutil.Content("swapped", 500))
	edited := e.write("edited.txt", testutil.Content("edited", 500))
	plain := e.write("plain.txt", testutil.Content("plain", 500))
	q := e.queue(e.config())
	q.Pause()
	for _, p := range []string{swapped, edited, plain} {
		q.Add(Request{Path: p})
	}
	eventually(t, 10*time.Second, func() bool { return q.Summary().Queued == 3 }, "listed")

	require.NoError(t, os.Remove(swapped))
	testfs.SymlinkOrSkip(t, secret, swapped)
	saved := filepath.Join(e.files, "edited.txt.tmp")
	require.NoError(t, os.WriteFile(saved, []byte("saved anew"), 0o644))
	require.NoError(t, os.Rename(saved, edited))
	q.Resume()
	require.NoError(t, wait(t, q, 30*time.Second))

	j := jobFor(t, q, swapped)
	assert.Equal(t, storage.JobSkipped, j.State)
	assert.Contains(t, j.Err, "symbolic link")
	assert.Equal(t, storage.JobDone, jobFor(t, q, edited).State)
	assert.Equal(t, storage.JobDone, jobFor(t, q, plain).State)
	secretCID := testutil.CIDOf(t, secret)
	editedCID := testutil.CIDOf(t, edited)
	var hashes []string
	for _, u := range e.sandboxUploads() {
		assert.NotEqual(t, secretCID, u.Hash, "the private file reached the server")
		hashes = append(hashes, u.Hash)
	}
	assert.Contains(t, hashes, editedCID, "the file saved anew is uploaded as it now is")
	assert.Len(t, hashes, 2)
	requireHistoryOnce(t, e.db, q.Jobs())
}

// TestTornCopyIsSentAgainWhole, in the queue: a file
// rewritten in place during its upload, modification time restored, is not
// recorded from the torn attempt; it is sent again from the start and the
// history holds the CID of the file as it now is.
func TestTornCopyIsSentAgainWhole(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("change times are read on Linux and Windows only so far")
	}
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("big.bin", testutil.Content("old", 3*api.ChunkSize))
	st, err := os.Stat(f)
	require.NoError(t, err)
	oldCID := testutil.CIDOf(t, f)
	// The server answers the first attempt only once the file is rewritten.
	q := e.uploadChangedMidway(f, 30*time.Second, func() {
		time.Sleep(20 * time.Millisecond) // past the clock tick, so the change time moves
		w, err := os.OpenFile(f, os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = w.Write(testutil.Content("new", 3*api.ChunkSize))
		require.NoError(t, err)
		require.NoError(t, w.Close())
		require.NoError(t, os.Chtimes(f, st.ModTime(), st.ModTime()))
	})
	j := jobFor(t, q, f)
	require.Equal(t, storage.JobDone, j.State, j.Err)
	assert.Equal(t, 2, j.Attempts, "the torn attempt was thrown away")
	newCID := testutil.CIDOf(t, f)
	require.NotEqual(t, oldCID, newCID)
	h := history(t, e.db)
	require.Len(t, h, 1)
	assert.Equal(t, newCID, h[0].Hash, "one consistent version: the new content, whole")
}

// TestDeletedQueuedFileEndsAtOnce: a queued file that is no longer
// there by its turn (deleted, its folder deleted or replaced by a file, or
// itself replaced by a folder) ends on its first attempt, without
// retries, with a sentence that says what happened, not the system's bare
// "not a directory": a folder's file gone from the folder, which is still
// there, is skipped as no longer in it (as one gone while the folder was
// listed: no retry could send it); a file named on its own fails, saying
// to put it back, then retry it.
func TestDeletedQueuedFileEndsAtOnce(t *testing.T) {
	const leftFolder = "no longer in its folder"
	tests := []struct {
		name   string
		named  bool // the file is named on its own, not found in a folder
		change func(t *testing.T, gone string)
		state  storage.JobState
		want   string
		unix   bool // its sentence is the one Linux's errors give
	}{
		{name: "deleted", change: func(t *testing.T, gone string) {
			require.NoError(t, os.Remove(gone))
		}, state: storage.JobSkipped, want: leftFolder},
		{name: "its folder deleted", change: func(t *testing.T, gone string) {
			require.NoError(t, os.RemoveAll(filepath.Dir(gone)))
		}, state: storage.JobSkipped, want: leftFolder},
		{name: "named, deleted", named: true, change: func(t *testing.T, gone string) {
			require.NoError(t, os.Remove(gone))
		}, state: storage.JobFailed, want: "does not exist — it may have been moved or deleted; put it back, then retry it"},
		{name: "named, its folder deleted", named: true, change: func(t *testing.T, gone string) {
			require.NoError(t, os.RemoveAll(filepath.Dir(gone)))
		}, state: storage.JobFailed, want: "does not exist — it may have been moved or deleted; put it back, then retry it"},
		{name: "its folder replaced by a file", change: func(t *testing.T, gone string) {
			require.NoError(t, os.RemoveAll(filepath.Dir(gone)))
			require.NoError(t, os.WriteFile(filepath.Dir(gone), []byte("a file now"), 0o600))
		}, state: storage.JobFailed, want: "does not exist — a folder on its path is now a file", unix: true},
		{name: "replaced by a folder", change: func(t *testing.T, gone string) {
			require.NoError(t, os.Remove(gone))
			require.NoError(t, os.Mkdir(gone, 0o700))
		}, state: storage.JobFailed, want: "is a folder, not a file", unix: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unix && runtime.GOOS == "windows" {
				t.Skip("Windows reports a path through a file, and opens a folder, with errors of its own; this row's sentence is checked on Linux")
			}
			e := newTestEnv(t, sandbox.Config{})
			keep := e.write("d/keep.txt", testutil.Content("keep", 100))
			reqs := []Request{{Path: filepath.Dir(keep)}}
			var gone string
			if tt.named {
				gone = e.write("alone/gone.txt", testutil.Content("gone", 100))
				reqs = append(reqs, Request{Path: gone})
			} else {
				gone = e.write("d/sub/gone.txt", testutil.Content("gone", 100))
			}
			q := e.queue(e.config())
			q.Pause()
			q.Add(reqs...)
			eventually(t, 10*time.Second, func() bool { return q.Summary().Queued == 2 }, "listed")
			tt.change(t, gone)
			q.Resume()
			require.NoError(t, wait(t, q, 30*time.Second))
			j := jobFor(t, q, gone)
			assert.Equal(t, tt.state, j.State)
			assert.Equal(t, 1, j.Attempts, "no retries for a file that is gone")
			assert.Contains(t, j.Err, tt.want)
			assert.Equal(t, storage.JobDone, jobFor(t, q, keep).State)
		})
	}
}

// skewedEnv is a test env whose sandbox clock is this computer's plus
// skew (so this computer's clock is off by -skew), with tokens capped at
// maxLife when set.
func skewedEnv(t *testing.T, skew, maxLife time.Duration) *testEnv {
	return newTestEnv(t, sandbox.Config{
		Now:              func() time.Time { return time.Now().Add(skew) },
		MaxTokenLifetime: maxLife,
	})
}

// uploadAll queues n small files with cfg and waits for the queue.
func (e *testEnv) uploadAll(cfg Config, n int) *Queue {
	e.t.Helper()
	for i := range n {
		e.write(fmt.Sprintf("batch/f%02d.txt", i), testutil.Content(fmt.Sprint("skew", i), 200))
	}
	q := e.queue(cfg)
	q.Add(Request{Path: filepath.Join(e.files, "batch")})
	require.NoError(e.t, wait(e.t, q, 60*time.Second))
	return q
}

// TestClockBehindAPIKeyTokens: this computer's clock two hours behind
// dStor's. The first token is asked to expire on the local
// clock, so dStor issues it already expired; the source sees that from the
// answer's Date, asks again on dStor's clock, and the whole queue runs on
// that one token.
func TestClockBehindAPIKeyTokens(t *testing.T) {
	e := skewedEnv(t, 2*time.Hour, 0)
	q := e.uploadAll(e.config(), 20)
	assert.Equal(t, 20, q.Summary().Done, "%+v", q.Jobs()[0].Err)
	assert.LessOrEqual(t, e.requests(tokenPath), 2, "one token for the queue (one more to learn dStor's clock)")
}

// TestClockAheadLoginToken: this computer's clock two hours ahead of
// dStor's, a password sign-in whose one-hour token is already past its
// expiry by the local clock. Judged on dStor's clock it is valid: the
// queue runs, instead of waiting for a sign-in that would loop.
func TestClockAheadLoginToken(t *testing.T) {
	e := skewedEnv(t, -2*time.Hour, time.Hour)
	tok, err := e.client.TokenFromLogin(t.Context(), testEmail, testPassword)
	require.NoError(t, err)
	require.False(t, tok.ExpiresAt.After(time.Now()), "the token looks expired on the local clock")
	cfg := e.config()
	cfg.Tokens = NewStaticTokens(tok)
	q := e.uploadAll(cfg, 5)
	assert.Equal(t, 5, q.Summary().Done)
	assert.False(t, q.Summary().WaitingSignIn)
}

// TestShortTokensAreMintedOncePerToken: a server that issues 50-second
// tokens whatever is asked. The refresh margin follows the token's real
// life, so a queue of 30 files costs one token, not one per file.
func TestShortTokensAreMintedOncePerToken(t *testing.T) {
	e := skewedEnv(t, 0, 50*time.Second)
	q := e.uploadAll(e.config(), 30)
	assert.Equal(t, 30, q.Summary().Done)
	assert.Equal(t, 1, e.requests(tokenPath), "one token request for the whole queue")
}

// TestFreshTokenRefusedNamesTheClockOnlyWhenItDiffers: dStor refuses
// even a token minted a moment ago as expired. An API-key user is never
// told to sign in again: the job fails with a sentence that names this
// computer's clock when dStor's clock differs from it, and otherwise says
// that dStor refused its own fresh token (the clock is not the cause).
func TestFreshTokenRefusedNamesTheClockOnlyWhenItDiffers(t *testing.T) {
	cases := []struct {
		name    string
		skew    time.Duration // dStor's clock minus this computer's
		reason  ReasonCode
		says    []string
		saysNot []string
	}{
		{"clocks agree", 0, ReasonFreshToken,
			[]string{"dStor refused as expired a token it issued moments ago", "dStor's clock and this computer's agree", "the clock is not the cause", `dStor said: "token expired"`},
			[]string{"set this computer's date", "sign in again"}},
		{"this computer two hours behind", 2 * time.Hour, ReasonClock,
			[]string{"this computer's clock says", "and dStor's says", "set this computer's date, time and time zone correctly"},
			[]string{"sign in again", "not the cause"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := skewedEnv(t, tc.skew, 0)
			u, err := url.Parse(e.url)
			require.NoError(t, err)
			proxy := httputil.NewSingleHostReverseProxy(u)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == addPath {
					_, _ = io.Copy(io.Discard, r.Body)
					w.Header().Set("Content-Type", "application/json")
					w.WriteHeader(http.StatusUnauthorized)
					_, _ = io.WriteString(w, `{"message":"token expired"}`)
					return
				}
				proxy.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			p := e.write("f.txt", testutil.Content("f", 100))
			q := e.queue(e.proxiedConfig(srv.URL))
			q.Add(Request{Path: p})
			require.NoError(t, wait(t, q, 30*time.Second))
			j := jobFor(t, q, p)
			assert.Equal(t, storage.JobFailed, j.State)
			assert.Equal(t, tc.reason, j.Reason, j.Err)
			for _, s := range tc.says {
				assert.Contains(t, j.Err, s)
			}
			for _, s := range tc.saysNot {
				assert.NotContains(t, j.Err, s)
			}
			assert.False(t, q.Summary().WaitingSignIn, "an API key never waits for a sign-in")
		})
	}
}

// TestLongRetryAfterIsAnnounced: a 429 asking to wait a day is not a
// silent pause: the job says when it tries again (Job.RetryAt and the
// sentence), and that the wait was shortened.
func TestLongRetryAfterIsAnnounced(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	p := e.write("busy.txt", testutil.Content("busy", 100))
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Status: http.StatusTooManyRequests, RetryAfter: 24 * time.Hour, Count: 1})
	q := e.queue(e.config())
	events, stop := q.Subscribe(64)
	defer stop()
	before := time.Now()
	q.Add(Request{Path: p})
	var announced Job
	for ev := range events {
		if ev.Kind == JobChanged && !ev.Job.RetryAt.IsZero() {
			announced = ev.Job
			break
		}
	}
	after := time.Now()
	assert.Equal(t, storage.JobQueued, announced.State)
	// The 429's arrival lies between before and after: the wait is
	// MaxRetryAfter from it, however long the exchange took.
	assert.False(t, announced.RetryAt.Before(before.Add(MaxRetryAfter)), "retry at %s: earlier than %s after the request was made", announced.RetryAt, MaxRetryAfter)
	assert.False(t, announced.RetryAt.After(after.Add(MaxRetryAfter)), "retry at %s: later than %s after the announcement", announced.RetryAt, MaxRetryAfter)
	assert.Contains(t, announced.Err, "trying again at "+announced.RetryAt.Local().Format("15:04:05"))
	assert.Contains(t, announced.Err, "dStor asked to wait 24h0m0s, this app waits at most 5m0s")
	q.Retry(announced.ID) // not failed: nothing to retry
	q.Cancel(announced.ID)
	require.NoError(t, wait(t, q, 10*time.Second))
	assert.True(t, jobFor(t, q, p).RetryAt.IsZero(), "no retry time once canceled")
}

// onSmallDisk is a queue's setting for the full-disk tests: its database on
// a 16 MB disk of its own (room for SQLite's log to reach its checkpoint
// size), and a folder named folder of n files of size bytes to add.
func onSmallDisk(t *testing.T, folder string, n, size int) (disk string, e *testEnv, db *storage.DB, files []string, cfg Config) {
	t.Helper()
	disk = testfs.SmallDisk(t, 16<<20)
	e = newTestEnv(t, sandbox.Config{})
	db, err := storage.Open(filepath.Join(disk, "data"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	for i := range n {
		files = append(files, e.write(fmt.Sprintf("%s/f%02d.txt", folder, i), testutil.Content(fmt.Sprint(folder, i), size)))
	}
	cfg = e.config()
	cfg.DB = db
	return disk, e, db, files, cfg
}

// requireSentOnce checks that each of files reached the sandbox exactly
// once.
func requireSentOnce(t *testing.T, e *testEnv, files []string) {
	t.Helper()
	counts := map[string]int{}
	for _, u := range e.sandboxUploads() {
		counts[u.Hash]++
	}
	for _, f := range files {
		assert.Equal(t, 1, counts[testutil.CIDOf(t, f)], "%s sent %d times", f, counts[testutil.CIDOf(t, f)])
	}
}

// TestDiskFullMidRunSendsNothingTwice: once, when the disk filled mid-run,
// 37 of 60 files were sent twice after space came back. With the
// database's disk full, finished uploads wait to be recorded (nothing new
// starts, the queue says why), and once there is room again the queue goes
// on; every file reaches dStor exactly once. The uploads after the 10th
// wait at a gate until the first 10 are recorded, the database's
// write-ahead log is emptied and the disk is full, so the run is mid-way
// then however the machine is loaded, and the next record must meet the
// full disk (it used to fill the disk
// on an event, and the records after it could find room in the log:
// every file was recorded, and the test waited for a stall that never
// came).
func TestDiskFullMidRunSendsNothingTwice(t *testing.T) {
	disk, e, db, files, cfg := onSmallDisk(t, "many", 60, 3000)
	cfg.Concurrency = 3
	gate := newGatedRequests(t, addPath, 10)
	cfg.Client = clientFor(t, e.url, &http.Client{Transport: gate})
	q := e.queue(cfg)
	events, stop := q.Subscribe(4096)
	defer stop()
	q.Add(Request{Path: filepath.Join(e.files, "many")})

	gate.waitHeld(t)
	done := 0
	drainUntil(t, events, func(ev Event) { done = ev.Summary.Done }, func() bool { return done >= 10 })
	emptyWAL(t, filepath.Join(disk, "data"))
	free := testfs.KeepDiskFull(t, disk)
	gate.open()
	stalled := ""
	var stalledDisk *storage.DiskFullError
	drainUntil(t, events, func(ev Event) {
		if stalled == "" && ev.Summary.Stalled != "" {
			stalled, stalledDisk = ev.Summary.Stalled, ev.Summary.StalledDisk
		}
		require.Zero(t, ev.Summary.Failed, "nothing fails for a full disk: %+v", ev.Job)
	}, func() bool { return stalled != "" })
	assert.Contains(t, stalled, "the disk holding "+filepath.Join(disk, "data")+" is full")
	assert.Contains(t, stalled, "free at least")
	require.NotNil(t, stalledDisk, "the full disk for the window to word")
	assert.Equal(t, filepath.Join(disk, "data"), stalledDisk.Dir)
	atStall := len(e.sandboxUploads())
	time.Sleep(3 * diskRetryEvery) // nothing new may start while the disk is full
	assert.LessOrEqual(t, len(e.sandboxUploads()), atStall+cfg.Concurrency, "uploads kept starting on a full disk")
	free()
	require.NoError(t, wait(t, q, 60*time.Second))

	assert.Equal(t, len(files), q.Summary().Done)
	assert.Empty(t, q.Summary().Stalled)
	requireSentOnce(t, e, files)
	requireHistoryOnce(t, db, q.Jobs())
}

// emptyWAL checkpoints the database in dir, from a connection of its own,
// and empties its write-ahead log, so that the next write must grow the
// log. On a disk kept full that write then meets the full disk; else it
// may find room in the log, and after a full disk the database empties
// its log and tries once more, which the room the log held let succeed.
func emptyWAL(t *testing.T, dir string) {
	t.Helper()
	raw, err := sql.Open("sqlite", filepath.Join(dir, storage.DBFileName))
	require.NoError(t, err)
	defer raw.Close()
	eventually(t, hangGuard, func() bool {
		var busy, log, moved int
		err := raw.QueryRow(`PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &moved)
		return err == nil && busy == 0
	}, "the write-ahead log emptied")
}

// gatedRequests is a transport that lets the first n requests for path
// through and holds every later one until open (or the request's context
// ends), so a test knows the queue is mid-way, files sent and files left,
// for as long as it needs.
type gatedRequests struct {
	path              string
	n                 int64
	next              http.RoundTripper
	count             atomic.Int64
	held, opened      chan struct{}
	heldOnce, opening sync.Once
}

func newGatedRequests(t *testing.T, path string, n int64) *gatedRequests {
	g := &gatedRequests{path: path, n: n, next: api.NewTransport(api.Timeouts{}),
		held: make(chan struct{}), opened: make(chan struct{})}
	t.Cleanup(g.open)
	return g
}

func (g *gatedRequests) open() { g.opening.Do(func() { close(g.opened) }) }

// waitHeld returns once a request waits at the gate.
func (g *gatedRequests) waitHeld(t *testing.T) {
	t.Helper()
	select {
	case <-g.held:
	case <-time.After(hangGuard):
		t.Fatalf("no %s request past the first %d within %s", g.path, g.n, hangGuard)
	}
}

func (g *gatedRequests) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Path == g.path && g.count.Add(1) > g.n {
		g.heldOnce.Do(func() { close(g.held) })
		select {
		case <-g.opened:
		case <-r.Context().Done():
			if r.Body != nil {
				_ = r.Body.Close()
			}
			return nil, context.Cause(r.Context())
		}
	}
	return g.next.RoundTrip(r)
}

// TestDiskFullWhileListingWaitsForRoom: the rows of a folder's files that
// the disk refused while the folder was listed failed as "could not save
// this job to the queue database (disk full); retry it", and the command
// line exited 1 with those files not uploaded. They wait for room, as
// finished uploads do: the queue says which disk to free, nothing fails,
// and once there is room every file is uploaded once.
func TestDiskFullWhileListingWaitsForRoom(t *testing.T) {
	disk, e, db, files, cfg := onSmallDisk(t, "listed", 40, 2000)
	filled := make(chan func(), 1)
	cfg.beforeListedRows = func(group, _ int) {
		if group == 2 { // the first group is saved, the second meets the full disk
			emptyWAL(t, filepath.Join(disk, "data"))
			filled <- testfs.KeepDiskFull(t, disk)
		}
	}
	q := e.queue(cfg)
	events, stop := q.Subscribe(4096)
	defer stop()
	q.Add(Request{Path: filepath.Join(e.files, "listed")})

	stalled := ""
	drainUntil(t, events, func(ev Event) {
		require.Zero(t, ev.Summary.Failed, "nothing fails for a full disk: %+v", ev.Job)
		if stalled == "" {
			stalled = ev.Summary.Stalled
		}
	}, func() bool { return stalled != "" })
	assert.Contains(t, stalled, "the disk holding "+filepath.Join(disk, "data")+" is full")
	(<-filled)()
	require.NoError(t, wait(t, q, 60*time.Second))

	s := q.Summary()
	assert.Equal(t, len(files), s.Done, "failed: %d", s.Failed)
	assert.Empty(t, s.Stalled)
	requireSentOnce(t, e, files)
	requireHistoryOnce(t, db, q.Jobs())
}

// TestNamedFileInALinkedFolderSavedAnewIsUploaded: a file named itself
// through a folder that was a symbolic link before it was added (a home
// folder that is a link, /tmp → /private/tmp), saved anew by an editor
// before its turn, was skipped as if another program had put a link in
// its place. It is uploaded in its new version.
func TestNamedFileInALinkedFolderSavedAnewIsUploaded(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "windows" {
		t.Skip("file ids are read on Linux and Windows only so far")
	}
	e := newTestEnv(t, sandbox.Config{})
	linked := filepath.Join(t.TempDir(), "home")
	testfs.SymlinkOrSkip(t, e.files, linked)
	e.write("edited.txt", testutil.Content("edited", 500))
	edited := filepath.Join(linked, "edited.txt")
	fi, err := os.Lstat(linked)
	require.NoError(t, err)
	eventually(t, 10*time.Second, func() bool {
		return time.Since(fi.ModTime()) > 300*time.Millisecond // the link is older than the add, on any clock
	}, "time passed since the link was made")
	q := e.queue(e.config())
	q.Pause()
	q.Add(Request{Path: edited})
	eventually(t, 10*time.Second, func() bool { return q.Summary().Queued == 1 }, "listed")

	saved := filepath.Join(e.files, "edited.txt.tmp")
	require.NoError(t, os.WriteFile(saved, []byte("saved anew"), 0o644))
	require.NoError(t, os.Rename(saved, filepath.Join(e.files, "edited.txt")))
	q.Resume()
	require.NoError(t, wait(t, q, 30*time.Second))

	j := jobFor(t, q, edited)
	assert.Equal(t, storage.JobDone, j.State, j.Err)
	assert.Equal(t, testutil.CIDOf(t, edited), j.Hash)
}

// addOnAFullDisk is a queue of cfg, its database on disk, that was given
// the folder at path while the disk was full: the walk row that saves the
// request before it is listed was refused (Added says so), and the listing
// waits for room (Summary.Stalled). free gives the room back.
func addOnAFullDisk(t *testing.T, disk, path string, cfg Config) (q *Queue, free func()) {
	t.Helper()
	q, err := New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { _ = q.Close() }) // a test that failed before its own Close
	events, stop := q.Subscribe(4096)
	defer stop()
	emptyWAL(t, filepath.Join(disk, "data"))
	free = testfs.KeepDiskFull(t, disk)
	added := q.Add(Request{Path: path})
	select {
	case <-added.Done():
	case <-time.After(hangGuard):
		t.Fatalf("the walk row was neither saved nor refused within %s", hangGuard)
	}
	require.ErrorIs(t, added.Err(), storage.ErrDiskFull, "the walk row's save must meet the full disk")
	stalled := ""
	drainUntil(t, events, func(ev Event) {
		require.Zero(t, ev.Summary.Failed, "nothing fails for a full disk: %+v", ev.Job)
		stalled = cmp.Or(stalled, ev.Summary.Stalled)
	}, func() bool { return stalled != "" })
	assert.Contains(t, stalled, "the disk holding "+filepath.Join(disk, "data")+" is full")
	return q, free
}

// TestWalkRowRefusedByAFullDiskDoesNotFailARunThatFinished: a folder added
// while the data folder's disk was full, whose walk row (what lets a
// listing cut short resume) the disk refused, was then listed and every
// file uploaded and recorded once there was room, yet Close reported the
// refusal and the command line exited 1 ("The queue could not be saved
// (save the added files and folders: …full…)"). The walk row matters only
// while the listing is unfinished: once it is listed to its end with every
// row saved, the run ends cleanly, no walk row left.
func TestWalkRowRefusedByAFullDiskDoesNotFailARunThatFinished(t *testing.T) {
	disk, e, db, files, cfg := onSmallDisk(t, "walked", 20, 2000)
	q, free := addOnAFullDisk(t, disk, filepath.Join(e.files, "walked"), cfg)
	free()
	require.NoError(t, wait(t, q, 60*time.Second))
	require.NoError(t, q.Close())

	assert.Equal(t, len(files), q.Summary().Done)
	walks, err := db.Walks(cfg.Env, cfg.Account)
	require.NoError(t, err)
	assert.Empty(t, walks, "no walk row left for a folder listed to its end")
	requireSentOnce(t, e, files)
	requireHistoryOnce(t, db, q.Jobs())
}

// TestWalkRowRefusedByAFullDiskIsSaidWhenTheListingDidNotFinish: a folder
// whose walk row the full disk refused, stopped (Close) while the disk is
// still full and its listing unfinished, could not be resumed from the
// database: Close says so.
func TestWalkRowRefusedByAFullDiskIsSaidWhenTheListingDidNotFinish(t *testing.T) {
	disk, e, _, _, cfg := onSmallDisk(t, "walked", 20, 2000)
	q, free := addOnAFullDisk(t, disk, filepath.Join(e.files, "walked"), cfg)
	defer free()
	err := q.Close()
	require.ErrorIs(t, err, storage.ErrDiskFull)
	assert.Contains(t, err.Error(), "save the added files and folders")
}
