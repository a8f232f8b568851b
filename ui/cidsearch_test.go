package ui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/ipfs/go-cid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSearchByCIDv1FindsItsUpload: dStor answers the CIDv0 (Qm…), which
// the history holds; a person who has the same content's CIDv1 (bafy…, as
// a subdomain gateway shows it) types it, or its subdomain link, into
// History's search and finds the upload. The window said "Nothing matches
// “bafy…”.".
func TestSearchByCIDv1FindsItsUpload(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	e.signInSandbox()
	src := testutil.WriteFile(t, filepath.Join(t.TempDir(), "one.txt"), 1000)
	other := testutil.WriteFile(t, filepath.Join(t.TempDir(), "other.txt"), 2000)
	e.ui(func() { a.addPaths([]string{src, other}) })
	e.eventually(func() bool { return a.upload.sum.Done == 2 }, "uploaded")
	e.reloadHistory(2)
	var v0 string
	e.ui(func() {
		a.tabs.Select(a.historyTab)
		for _, en := range a.history.entries {
			if en.Name == "one.txt" {
				v0 = en.Hash
			}
		}
	})
	c, err := cid.Decode(v0)
	require.NoError(t, err, "the history holds a CID of one.txt")
	require.EqualValues(t, 0, c.Version(), "dStor's sandbox answers a CIDv0")
	v1 := cid.NewCidV1(cid.DagProtobuf, c.Hash()).String()
	for _, typed := range []string{v1, strings.ToUpper(v1), "https://" + v1 + ".ipfs.dweb.link/"} {
		e.ui(func() {
			a.win.Canvas().Focus(a.history.search)
			a.history.search.SetText(typed)
			a.history.reload()
		})
		e.eventually(func() bool { return !a.history.loading }, "searched")
		e.ui(func() {
			if assert.Len(t, a.history.entries, 1, "%q finds one.txt's upload; the window says %q", typed, a.history.empty.Text) {
				assert.Equal(t, v0, a.history.entries[0].Hash)
			}
			assert.Equal(t, "1 match", a.history.count.Text, typed)
		})
	}
}
