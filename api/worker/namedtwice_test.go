package worker

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
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
