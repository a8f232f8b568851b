package ui

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestDeleteSelectedStoppedPartwaySaysHowMany: "Delete selected" of a
// large selection deletes it a batch of entries a transaction, so an
// error in a later batch (here a trigger refuses the older half) comes
// after earlier batches were committed: the message says why, how many
// were deleted (what the history lost, not the selection) and that the
// others are still in the list, and the list shows them.
func TestDeleteSelectedStoppedPartwaySaysHowMany(t *testing.T) {
	const n = 1200 // several of storage's batches
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, n-2)
	ids := historyIDs(t, e.db, n)
	raw, err := sql.Open("sqlite", filepath.Join(e.dir, storage.DBFileName))
	require.NoError(t, err)
	_, err = raw.Exec(fmt.Sprintf(`CREATE TRIGGER delete_refused BEFORE DELETE ON history WHEN old.id <= %d
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`, n/2))
	require.NoError(t, raw.Close())
	require.NoError(t, err)

	since := e.markShown()
	e.ui(func() { a.history.deleteSelected(ids) })
	e.eventually(func() bool { return since.dialogAfter(a) != nil }, "the delete ends")
	left, err := e.db.HistoryCount("")
	require.NoError(t, err)
	deleted := n - left
	t.Logf("%d of %d deleted before the error", deleted, n)
	require.Positive(t, deleted, "batches were committed before the error")
	require.GreaterOrEqual(t, left, n/2, "the refused entries are still there")
	e.eventually(func() bool { return len(a.history.entries) > 0 }, "the list shows what is left")
	requireDialogSays(e, since, "a delete stopped partway",
		"refused by the test",
		fmt.Sprintf("%d entries were deleted; the others are still in the list: select them and delete them again.", deleted))
	e.ui(func() {
		assert.Empty(t, since.toastAfter(a), "no toast claims the selection deleted")
		assert.Equal(t, fmt.Sprintf("%s uploads", formatCount(left)), a.history.count.Text, "the list's count")
	})
}
