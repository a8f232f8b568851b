package ui

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFileSizeLimitIsSaidInEveryLanguage: a history that reached the
// program's file size limit (ulimit -f, storage.FileSizeLimitError) was
// said in the storage package's English in every language, framed as the
// program's words ("… (Meldung des Programms, nur auf Englisch)"). The
// window now words it itself: the file, the limit and what to do.
func TestFileSizeLimitIsSaidInEveryLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	err := fmt.Errorf("finish job j1: %w", &storage.FileSizeLimitError{Path: "/data/uploads.db", File: "/data/uploads.db-wal", Limit: 400 << 10})
	var english string
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		said := errorText(err)
		assert.Contains(t, said, "/data/uploads.db ", l.Tag)
		assert.Contains(t, said, "/data/uploads.db-wal", l.Tag)
		assert.Contains(t, said, formatSize(400<<10), l.Tag)
		assert.Contains(t, said, "ulimit -f unlimited", l.Tag)
		assert.NotContains(t, said, "the largest file this program may write", "%s: the storage package's English", l.Tag)
		if l.Tag == "en" {
			english = said
			assert.Equal(t, "The upload history /data/uploads.db cannot grow: /data/uploads.db-wal has reached "+formatSize(400<<10)+
				", the largest file dStor Uploader may write here (its file size limit, ulimit -f). Start dStor Uploader again where that limit is larger or there is none (ulimit -f unlimited).", said)
			continue
		}
		assert.NotEqual(t, english, said, l.Tag)
	}
}
