package ui

import (
	"fmt"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	dstorage "github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFolderDroppedTwiceIsQueuedOnceAndSaysSo: a folder dropped again, the
// second time while the first drop is still being listed, and one of its
// files dropped on its own, add no job twice; the window says how many
// files were already in the queue, and each file is uploaded once.
func TestFolderDroppedTwiceIsQueuedOnceAndSaysSo(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	src := filepath.Join(t.TempDir(), "twice")
	files := testutil.WriteFiles(t, src, "t", testutil.Sizes(300, func(i int) int { return 100 + i }))
	since := e.markShown()
	e.ui(func() {
		a.sess.queue.Pause() // nothing finishes before the drops are listed
		a.onDropped([]fyne.URI{storage.NewFileURI(src)})
		a.onDropped([]fyne.URI{storage.NewFileURI(src)})
	})
	told := e.waitToastAfter(since, "the second drop is told")
	since = e.markShown()
	e.ui(func() {
		assert.Equal(t, "300 files were already in the queue, so they were not added again.", told)
		assert.Equal(t, widget.MediumImportance, a.toast.Importance, "nothing added is no success, and nothing wrong")
		a.upload.folder.SetText("/twice/") // where the folder's files go
		a.onDropped([]fyne.URI{storage.NewFileURI(files[7])})
	})
	want := fmt.Sprintf("“%s” is already in the queue, so it was not added again.", filepath.Base(files[7]))
	assert.Equal(t, want, e.waitToastAfter(since, "the single file is told"))
	e.ui(func() { a.sess.queue.Resume() })
	e.eventually(func() bool { return a.upload.sum.Done == len(files) && !a.upload.busy() }, "every file uploaded")
	seen := map[string]int{}
	for _, h := range allHistoryOf(t, e.db) {
		seen[h.LocalPath]++
	}
	for _, f := range files {
		assert.Equal(t, 1, seen[f], "%s uploaded %d times", f, seen[f])
	}
	assert.Len(t, seen, len(files))
}

// allHistoryOf is every history entry of db.
func allHistoryOf(t *testing.T, db *dstorage.DB) []dstorage.HistoryEntry {
	t.Helper()
	page, err := db.HistoryPage(dstorage.HistoryQuery{Limit: 100_000})
	require.NoError(t, err)
	return page
}

// TestAlreadyQueuedInEveryLanguage: the sentence is the language's own, with
// the count or the file's name in it.
func TestAlreadyQueuedInEveryLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	one := worker.Event{Kind: worker.AlreadyQueued, Count: 1, Job: worker.Job{Name: "beach.jpg"}}
	many := worker.Event{Kind: worker.AlreadyQueued, Count: 25}
	english := map[string]string{}
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		s1, s25 := alreadyQueuedText(one), alreadyQueuedText(many)
		assert.Contains(t, s1, "beach.jpg", l.Tag)
		assert.Contains(t, s25, "25", l.Tag)
		if l.Tag == "en" {
			english[s1], english[s25] = l.Tag, l.Tag
			continue
		}
		assert.NotContains(t, english, s1, "%s: %s", l.Tag, s1)
		assert.NotContains(t, english, s25, "%s: %s", l.Tag, s25)
	}
	require.NoError(t, useLanguage("de"))
	assert.Equal(t, "25 Dateien waren schon in der Warteschlange und wurden nicht noch einmal hinzugefügt.", alreadyQueuedText(many))
	assert.Equal(t, "„beach.jpg“ ist schon in der Warteschlange und wurde nicht noch einmal hinzugefügt.", alreadyQueuedText(one))
}
