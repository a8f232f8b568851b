package worker

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestFileChangedBeforeItsTurnShowsTheSizeSent: a file that grows or
// shrinks between being listed and its turn (a log still written to, a
// download still arriving) is uploaded as it is at its turn, and its done
// job says the size that was sent, as its history entry does, also once
// it has left memory and is read back from the database.
func TestFileChangedBeforeItsTurnShowsTheSizeSent(t *testing.T) {
	tests := []struct {
		name     string
		inFolder bool
		size     int
	}{
		{"in a folder, grown", true, 5000},
		{"in a folder, shrunk", true, 10},
		{"named itself, grown", false, 5000},
		{"named itself, emptied", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			f := e.write("logs/app.log", testutil.Content("listed", 100))
			req := Request{Path: f}
			if tt.inFolder {
				req.Path = filepath.Dir(f)
			}
			cfg := e.config()
			cfg.Paused = true
			q := e.queue(cfg)
			q.Add(req)
			eventually(t, 10*time.Second, func() bool { s := q.Summary(); return s.Queued == 1 && !s.Walking }, "listed")
			require.Equal(t, int64(100), jobFor(t, q, f).Size, "the size listed")

			require.NoError(t, os.WriteFile(f, testutil.Content("at its turn", tt.size), 0o644))
			q.Resume()
			require.NoError(t, wait(t, q, 20*time.Second))

			want := int64(tt.size)
			h := history(t, e.db)
			require.Len(t, h, 1)
			require.Equal(t, want, h[0].Size, "the file as it was at its turn was sent")
			require.Equal(t, testutil.CIDOf(t, f), h[0].Hash)
			j := jobFor(t, q, f)
			require.Equal(t, storage.JobDone, j.State, j.Err)
			assert.Equal(t, want, j.Size, "the done job says the size sent")
			assert.Equal(t, want, dbState(t, e.db, j.ID).Size, "and so does its saved row")
			s := q.Summary()
			assert.Equal(t, want, s.BytesTotal)
			assert.Equal(t, want, s.BytesDone)
		})
	}
}
