package worker

import (
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderNamedTwiceInOneAddIsListedOnce: one folder named twice in one
// Add call, by its path and through a symbolic link to it (upload d l, a
// drop of both), is one folder, as the same path named twice is: each of
// its files is uploaded once, under the name first given, and the
// folder's share lists each once.
func TestFolderNamedTwiceInOneAddIsListedOnce(t *testing.T) {
	for _, tc := range []struct {
		name  string
		paths func(folder, link, link2 string) []string
		first string // the name the files go under
	}{
		{"the folder, then a link to it", func(f, l, _ string) []string { return []string{f, l} }, "photos"},
		{"a link, then the folder", func(f, l, _ string) []string { return []string{l, f} }, "trip"},
		{"two links to it", func(_, l, l2 string) []string { return []string{l, l2} }, "trip"},
		{"the folder, then a link to a link to it", func(f, _, l2 string) []string { return []string{f, l2, f + "/"} }, "photos"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			folder := filepath.Dir(e.write("photos/a.jpg", []byte("a")))
			e.write("photos/2026/b.jpg", []byte("b"))
			link := filepath.Join(e.files, "trip")
			testfs.SymlinkOrSkip(t, folder, link)
			link2 := filepath.Join(e.files, "trip2")
			testfs.SymlinkOrSkip(t, link, link2)
			var reqs []Request
			for _, p := range tc.paths(folder, link, link2) {
				reqs = append(reqs, Request{Path: p})
			}

			q := e.uploaded(reqs...)

			assert.Equal(t, 2, len(e.sandboxUploads()), "each file sent once")
			entries := history(t, e.db)
			require.Equal(t, 2, len(entries), "each file recorded once")
			for _, h := range entries {
				assert.True(t, strings.HasPrefix(h.FolderPath, "/"+tc.first+"/"), "%s went to %s, not under the name first given", h.LocalPath, h.FolderPath)
			}
			assert.Equal(t, 2, len(q.Jobs()), "one job per file")
			key := newestShare(t, e, folder)
			share := filesOf(t, e, key)
			assert.Equal(t, 2, len(share), "the folder's list holds each file once")
			left := leftOf(t, e, key)
			assert.False(t, left.Any(), "the folder's list is whole: %+v", left)
		})
	}
}

// TestFolderNamedTwiceCutAfterItsFirstNameIsListedOnce: an Add call that
// names a folder, another folder, then a symbolic link to the first, cut
// short (a kill) while the second is listed, once the first was listed to
// the end and its walk row deleted, lists the first folder once when
// resumed: the link's walk row is left, and the folder's is no longer
// there to tell that the call listed it under its first name.
func TestFolderNamedTwiceCutAfterItsFirstNameIsListedOnce(t *testing.T) {
	for _, tc := range []struct {
		name         string
		linkFirst    bool
		first, again string // the name the files go under, and the other
	}{
		{"the folder, then a link to it", false, "photos", "trip"},
		{"a link, then the folder", true, "trip", "photos"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			folder := filepath.Dir(e.write("photos/a.jpg", []byte("a")))
			e.write("photos/2026/b.jpg", []byte("b"))
			link := filepath.Join(e.files, "trip")
			testfs.SymlinkOrSkip(t, folder, link)
			// Enough files for two groups of rows to be saved while it is
			// listed, the first with the walk row of the name before it.
			e.writeNumbered("other/%03d.txt", 100)
			other := filepath.Join(e.files, "other")
			firstPath, againPath := folder, link
			if tc.linkFirst {
				firstPath, againPath = link, folder
			}

			cutAfterFirstName(t, e, firstPath, other, Request{Path: firstPath}, Request{Path: other}, Request{Path: againPath})
			paths := map[string]bool{}
			for _, w := range walksLeft(t, e.db) {
				paths[w.Path] = true
			}
			require.False(t, paths[firstPath], "the first name was listed to the end")
			require.True(t, paths[againPath], "the second name was not listed: its walk row is left")

			q := e.queue(e.config())
			require.NoError(t, wait(t, q, hangGuard))
			assert.Equal(t, 2+100, len(e.sandboxUploads()), "each file sent once")
			for _, h := range history(t, e.db) {
				assert.False(t, strings.HasPrefix(h.FolderPath, "/"+tc.again+"/"), "%s went to %s, under the second name", h.LocalPath, h.FolderPath)
			}
			share := filesOf(t, e, newestShare(t, e, folder))
			assert.Equal(t, 2, len(share), "the folder's list holds each file once")
			for _, h := range share {
				assert.True(t, strings.HasPrefix(h.FolderPath, "/"+tc.first+"/"), "%s went to %s, not under the name first given", h.LocalPath, h.FolderPath)
			}
		})
	}
}

// TestFolderAndAFolderInItCutBetweenThemAreTwoFolders: a folder and a
// folder in it named in one Add call are two folders (upload d d/sub: the
// files of d/sub go to /d/sub/ and /sub/), also when the call is cut short
// after the first was listed: the second's files found by the first's
// listing do not make it one listed before under another name.
func TestFolderAndAFolderInItCutBetweenThemAreTwoFolders(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	folder := filepath.Dir(e.write("photos/a.jpg", []byte("a")))
	inner := filepath.Dir(e.write("photos/2026/b.jpg", []byte("b")))
	e.writeNumbered("other/%03d.txt", 100)
	other := filepath.Join(e.files, "other")

	cutAfterFirstName(t, e, folder, other, Request{Path: folder}, Request{Path: other}, Request{Path: inner})
	q := e.queue(e.config())
	require.NoError(t, wait(t, q, hangGuard))
	places := map[string]bool{}
	for _, h := range history(t, e.db) {
		if filepath.Base(h.LocalPath) == "b.jpg" {
			places[h.FolderPath] = true
		}
	}
	assert.Equal(t, map[string]bool{"/photos/2026/": true, "/2026/": true}, places)
	assert.Equal(t, 3+100, len(e.sandboxUploads()))
}

// cutAfterFirstName adds reqs to a queue that waits for a sign-in and
// closes it, as a kill would, at the second group of rows saved while
// the folder between is listed, once the walk row of the request for
// first is deleted (the first group saved after it was listed carries
// its deletion).
func cutAfterFirstName(t *testing.T, e *testEnv, first, between string, reqs ...Request) {
	t.Helper()
	cfg := e.tokenless()
	var listing atomic.Bool
	var groups atomic.Int32
	cfg.beforeListingEntry = func(p string) { listing.Store(listing.Load() || p == between) }
	var q atomic.Pointer[Queue]
	cut := make(chan bool, 1)
	cfg.beforeListedRows = func(int, int) {
		if !listing.Load() || groups.Add(1) != 2 {
			return
		}
		cut <- walkGone(e.db, first)
		<-q.Load().ctx.Done() // this group is saved, no later one
	}
	cutQ, err := New(cfg)
	require.NoError(t, err)
	q.Store(cutQ)
	cutQ.Add(reqs...)
	select {
	case gone := <-cut:
		require.True(t, gone, "the walk row of "+first+" was not deleted in time")
	case <-time.After(hangGuard):
		t.Fatal("no second group of rows saved while " + between + " was listed")
	}
	require.NoError(t, cutQ.Close())
}

// walkGone waits, within hangGuard, until no walk row of db is for path,
// and reports whether that came.
func walkGone(db *storage.DB, path string) bool {
	deadline := time.Now().Add(hangGuard)
	for time.Now().Before(deadline) {
		walks, err := db.Walks(testEnvName, testEmail)
		if err == nil && !slices.ContainsFunc(walks, func(w storage.WalkRow) bool { return w.Path == path }) {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}
