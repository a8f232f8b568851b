package instance

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// holdEnv makes this test binary a window that claims the folder it
// names, prints "claimed", then the paths of each request it is handed, a
// line each, until it is killed (TestStaleClaimAfterCrash).
const holdEnv = "DSTOR_TEST_INSTANCE_HOLD"

// launchEnv makes this test binary a later launch on the folder it names:
// it hands its arguments after -- to the window as paths and exits 0, or
// prints why not and exits 4 (TestLaunchesHandOverToAnotherProcess).
const launchEnv = "DSTOR_TEST_INSTANCE_LAUNCH"

func TestMain(m *testing.M) {
	if dir := os.Getenv(launchEnv); dir != "" {
		flag.Parse()
		start := time.Now()
		_, handed, err := Claim(context.Background(), dir, Request{Paths: flag.Args()})
		if err != nil || !handed {
			fmt.Fprintf(os.Stderr, "handed %v after %s: %v\n", handed, time.Since(start), err)
			os.Exit(4)
		}
		os.Exit(0)
	}
	if dir := os.Getenv(holdEnv); dir != "" {
		srv, handed, err := Claim(context.Background(), dir, Request{})
		if err != nil || handed {
			os.Exit(3)
		}
		os.Stdout.WriteString("claimed\n")
		for h := range srv.Requests() {
			os.Stdout.WriteString(strings.Join(h.Paths, " ") + "\n")
			h.Done()
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// claimOrFail claims dir, which no window holds.
func claimOrFail(t *testing.T, dir string) *Server {
	t.Helper()
	srv, handed, err := Claim(t.Context(), dir, Request{})
	require.NoError(t, err)
	require.False(t, handed, "no window holds %s yet", dir)
	require.NotNil(t, srv)
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// claimAnswering is claimOrFail for a window that takes every launch's
// files at once, until it is closed.
func claimAnswering(t *testing.T, dir string) *Server {
	t.Helper()
	srv := claimOrFail(t, dir)
	go func() {
		for h := range srv.Requests() {
			h.Done()
		}
	}()
	return srv
}

// TestSecondLaunchHandsItsFilesToTheWindow: a second launch hands its
// request to the window that answers and returns at once, waiting on
// none of its timeouts: with both an hour long, a hand-off that waited
// on one would still be waiting at the hang guard.
func TestSecondLaunchHandsItsFilesToTheWindow(t *testing.T) {
	shortenWaits(t, time.Hour, time.Hour)
	dir := t.TempDir()
	srv := claimOrFail(t, dir)
	got := make(chan Request, 1)
	go func() { h := <-srv.Requests(); h.Done(); got <- h.Request }()

	want := Request{Env: "sandbox", Paths: []string{"/tmp/a b.txt", "/tmp/ünï/x"}}
	start := time.Now()
	var r claimResult
	select {
	case r = <-claimAsync(t, dir, want):
	case <-time.After(2 * time.Minute):
		t.Fatal("the hand-off waits on a timeout")
	}
	require.NoError(t, r.err)
	assert.True(t, r.handed)
	assert.Nil(t, r.srv, "the second launch does not become a window")
	assert.Equal(t, want, <-got)
	t.Logf("hand-off took %s", time.Since(start))
}

func TestHandOffsArriveInOrder(t *testing.T) {
	dir := t.TempDir()
	srv := claimOrFail(t, dir)
	for i, p := range []string{"/one", "/two", "/three"} {
		done := make(chan error, 1)
		go func() {
			_, handed, err := Claim(t.Context(), dir, Request{Paths: []string{p}})
			if err == nil && !handed {
				err = assert.AnError
			}
			done <- err
		}()
		h := <-srv.Requests()
		assert.Equal(t, []string{p}, h.Paths, "hand-off %d", i)
		h.Done()
		require.NoError(t, <-done)
	}
}

// A window that quits gives the folder up: the next launch is the window.
func TestCloseGivesTheFolderUp(t *testing.T) {
	dir := t.TempDir()
	srv := claimOrFail(t, dir)
	require.NoError(t, srv.Close())
	require.NoError(t, srv.Close(), "twice is fine")
	_, ok := <-srv.Requests()
	assert.False(t, ok, "Requests is closed")
	claimOrFail(t, dir)
}

// TestHandOffKeepsNamesThatAreNotUTF8: a Unix file name is any bytes. JSON
// text turned the byte 0xff into U+FFFD, so "Open with" on \xff.txt handed
// the window the path of another file, "\uFFFD.txt", which it uploaded
// when one of that name was there. The spellings the paths were typed in
// (Typed, for the window's ~ hint) cross too.
func TestHandOffKeepsNamesThatAreNotUTF8(t *testing.T) {
	dir := t.TempDir()
	srv := claimOrFail(t, dir)
	for _, want := range []Request{
		{Paths: []string{"/tmp/\xff.txt", "/tmp/\uFFFD.txt", "/tmp/plain"}},
		{Env: "sandbox", Paths: []string{"/tmp/a\x80b/\xc3"}, Pick: true},
		{Paths: []string{"/tmp/ünï"}},
		{Paths: []string{"/tmp/~/report.pdf", "/tmp/b"}, Typed: []string{"~/report.pdf", "b"}},
	} {
		got := make(chan Request, 1)
		go func() { h := <-srv.Requests(); h.Done(); got <- h.Request }()
		_, handed, err := Claim(t.Context(), dir, want)
		require.NoError(t, err)
		require.True(t, handed)
		assert.Equal(t, want, <-got)
	}
}

// TestHandOffFromAnOlderLaunch: a launch of an older version sends paths
// as JSON text only; the window reads them as they are.
func TestHandOffFromAnOlderLaunch(t *testing.T) {
	var r Request
	require.NoError(t, json.Unmarshal([]byte(`{"env":"testnet","paths":["/a","/b"],"pick":true}`), &r))
	assert.Equal(t, Request{Env: "testnet", Paths: []string{"/a", "/b"}, Pick: true}, r)
	assert.Error(t, json.Unmarshal([]byte(`{"paths":["/a","/b"],"raw_paths":["AA=="]}`), &r), "raw paths that do not match the paths")
}

// TestLaunchWhileTheWindowQuits: a window that has stopped taking hand-offs
// (it is quitting) and then closes never answers a launch's request. It
// used to answer as soon as the request was read, so the launch exited as
// if the window had its files, and the quitting window dropped them. The
// launch now tries again, and becomes the next window.
func TestLaunchWhileTheWindowQuits(t *testing.T) {
	dir := t.TempDir()
	srv := claimOrFail(t, dir)
	type result struct {
		srv    *Server
		handed bool
		err    error
	}
	res := make(chan result, 1)
	go func() {
		s, handed, err := Claim(t.Context(), dir, Request{Paths: []string{"/late"}})
		res <- result{s, handed, err}
	}()
	h := <-srv.Requests() // read, never taken: the window is quitting
	assert.Equal(t, []string{"/late"}, h.Paths)
	require.NoError(t, srv.Close())
	r := <-res
	require.NoError(t, r.err)
	assert.False(t, r.handed, "the window that quit did not take the files")
	require.NotNil(t, r.srv, "the launch is the window now")
	require.NoError(t, r.srv.Close())
}

// TestSlowWindowGetsEachLaunchOnce: a window that takes longer than a
// connection's read timeout to queue a launch's files (a big folder walk,
// a busy window) hung up on the launch without an answer while it still
// held the request; the launch tried again and its files were queued
// twice. The launch now waits for the window's answer (up to
// HandoffTimeout), and its request reaches the window once.
func TestSlowWindowGetsEachLaunchOnce(t *testing.T) {
	dir := t.TempDir()
	srv := claimOrFail(t, dir)
	res := make(chan error, 1)
	go func() {
		_, handed, err := Claim(t.Context(), dir, Request{Paths: []string{"/big"}})
		if err == nil && !handed {
			err = errors.New("not handed")
		}
		res <- err
	}()
	h := <-srv.Requests()
	received := time.Now()
	deadline := time.NewTimer(connTimeout + time.Second)
	defer deadline.Stop()
	select { // the window still queuing the first
	case again := <-srv.Requests():
		t.Fatalf("the launch handed %v again while the window was queuing it", again.Paths)
	case err := <-res:
		t.Fatalf("the launch gave up while the window was queuing its files: %v", err)
	case <-deadline.C:
	}
	require.Greater(t, time.Since(received), connTimeout)
	h.Done()
	require.NoError(t, <-res)
}

// TestRefusedLaunchIsToldWhy: a window that does not take a launch's files
// (it could not save them, or has nowhere valid to add them) answers so,
// with its sentence; the launch returns it at once, neither handed nor the
// window, and does not hand the same files again.
func TestRefusedLaunchIsToldWhy(t *testing.T) {
	dir := t.TempDir()
	srv := claimOrFail(t, dir)
	const why = "Nothing was added: the folder path is only spaces. Correct it on the window's Upload tab, then open the files again."
	go func() {
		h := <-srv.Requests()
		h.Fail(why)
		h.Done() // too late: the first answer counts
	}()
	second, handed, err := Claim(t.Context(), dir, Request{Paths: []string{"/refused"}})
	assert.False(t, handed)
	assert.Nil(t, second, "the refused launch does not become a window")
	require.ErrorIs(t, err, ErrRefused)
	assert.NotErrorIs(t, err, ErrNotAnswering)
	assert.Equal(t, why, err.Error())
	assert.Zero(t, len(srv.Requests()), "not handed again")
}

// claimResult is what a Claim run on a goroutine returned.
type claimResult struct {
	srv    *Server
	handed bool
	err    error
}

// claimAsync runs Claim for req on a goroutine.
func claimAsync(t *testing.T, dir string, req Request) <-chan claimResult {
	res := make(chan claimResult, 1)
	go func() {
		s, handed, err := Claim(t.Context(), dir, req)
		res <- claimResult{s, handed, err}
	}()
	return res
}

// shortenWaits sets handoffWait and saveWait for one test.
func shortenWaits(t *testing.T, handoff, save time.Duration) {
	oldHandoff, oldSave := handoffWait, saveWait
	handoffWait, saveWait = handoff, save
	t.Cleanup(func() { handoffWait, saveWait = oldHandoff, oldSave })
}

// TestWindowSlowerThanTheHandoffTimeoutGetsTheFilesOnce: a window that
// held a launch's request but took longer than HandoffTimeout to save its
// files (a loaded machine, a busy database; seen in CI under -race) was
// taken for one that does not answer: the launch opened a second window
// for the files the first one then uploaded. The window now says at once
// that it holds the request, and the launch waits up to SaveTimeout for
// its answer, handing the files once.
func TestWindowSlowerThanTheHandoffTimeoutGetsTheFilesOnce(t *testing.T) {
	shortenWaits(t, 200*time.Millisecond, time.Minute)
	dir := t.TempDir()
	srv := claimOrFail(t, dir)
	res := claimAsync(t, dir, Request{Paths: []string{"/slow"}})
	h := <-srv.Requests()
	deadline := time.NewTimer(5 * handoffWait)
	defer deadline.Stop()
	select { // the window still saving the files
	case again := <-srv.Requests():
		t.Fatalf("the launch handed %v again while the window was saving them", again.Paths)
	case r := <-res:
		t.Fatalf("the launch gave up while the window was saving its files: handed %v, window %v, %v", r.handed, r.srv != nil, r.err)
	case <-deadline.C:
	}
	h.Done()
	r := <-res
	require.NoError(t, r.err)
	assert.True(t, r.handed)
	assert.Nil(t, r.srv, "no second window")
}

// TestReceivedButNeverConfirmedSaysSo: a window that holds a launch's
// request but never says the files are saved leaves the launch with
// ErrUnconfirmed after SaveTimeout: neither handed (exit 0) nor a second
// window for the same files, and the request is not handed again.
func TestReceivedButNeverConfirmedSaysSo(t *testing.T) {
	shortenWaits(t, time.Minute, 300*time.Millisecond)
	dir := t.TempDir()
	srv := claimOrFail(t, dir)
	res := claimAsync(t, dir, Request{Paths: []string{"/stuck"}})
	h := <-srv.Requests() // held, never answered
	assert.Equal(t, []string{"/stuck"}, h.Paths)
	r := <-res
	require.ErrorIs(t, r.err, ErrUnconfirmed)
	assert.False(t, r.handed)
	assert.Nil(t, r.srv, "no second window")
	assert.Zero(t, len(srv.Requests()), "not handed again")
}

// TestOlderLaunchGetsTheAnswerAlone: a launch of an older version, which
// does not ask to be told its request was received, reads the answer
// alone, as before.
func TestOlderLaunchGetsTheAnswerAlone(t *testing.T) {
	dir := t.TempDir()
	srv := claimOrFail(t, dir)
	conn, err := dial(t.Context(), dir)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte(`{"paths":["/old"]}` + "\n"))
	require.NoError(t, err)
	h := <-srv.Requests()
	assert.Equal(t, []string{"/old"}, h.Paths)
	h.Done()
	var r reply
	require.NoError(t, json.NewDecoder(conn).Decode(&r))
	assert.Equal(t, reply{OK: true}, r)
}
