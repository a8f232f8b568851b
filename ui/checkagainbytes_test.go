package ui

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestHistoryCheckAgainComparesTheBytes: "Check again" through a gateway
// that serves as many bytes as the file has, but other ones (zeros), keeps
// the entry "not reachable yet": a small file by its CID, a larger one by
// the first bytes of its local file, still the version uploaded.
func TestHistoryCheckAgainComparesTheBytes(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	dir := t.TempDir()
	content := []byte(strings.Repeat("a file longer than a live check's probe\n", 100))
	path := filepath.Join(dir, "large.txt")
	require.NoError(t, os.WriteFile(path, content, 0o600))
	id, _, err := api.ListedFile(dir, path)
	require.NoError(t, err)
	largeCID, err := api.ComputeCID(bytes.NewReader(content))
	require.NoError(t, err)
	const smallCID = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o" // "hello world\n"
	sizes := map[string]int{smallCID: len("hello world\n"), largeCID: len(content)}
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		size := sizes[strings.TrimPrefix(r.URL.Path, "/ipfs/")]
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(make([]byte, size)))
	}))
	t.Cleanup(gateway.Close)
	a.changeSettings(func(s storage.Settings) storage.Settings { s.GatewayOverride = gateway.URL; return s })
	const was = "not reachable yet: the gateway answered 404 Not Found"
	for _, h := range []storage.HistoryEntry{
		{JobID: "small", Name: "hello.txt", Size: int64(sizes[smallCID]), Hash: smallCID, Verified: true},
		{JobID: "large", Name: "large.txt", Size: int64(len(content)), Hash: largeCID, Verified: true, LocalPath: path,
			File: storage.FileVersion{Size: id.Size, ModTime: id.ModTime, ChangeTime: id.ChangeTime, ID: id.ID}},
	} {
		hid, err := e.db.AddHistory(h)
		require.NoError(t, err)
		require.NoError(t, e.db.SetLive(hid, storage.LiveCheck{At: fixedNow, Error: was}))
	}
	e.reloadHistory(2)

	for i := range 2 {
		var r *historyRow
		e.ui(func() {
			r = newHistoryRow(a.history)
			r.set(a.history.entries[i])
			test.Tap(r.recheck)
		})
		e.eventually(func() bool { return a.history.entries[i].Live.Error != was }, "checked again")
		e.ui(func() {
			got := a.history.entries[i]
			t.Logf("%s: %q", got.Name, got.Live.Error)
			assert.Equal(t, "not reachable yet: the gateway served other bytes than this file's", got.Live.Error, got.Name)
			r.set(got)
			assert.Equal(t, "not reachable yet", r.live.Text, got.Name)
			assert.True(t, r.recheck.Visible(), got.Name)
		})
	}
}
