package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestFailedExportLeavesTheFileItWouldReplace: an export onto a file
// already there (after "Replace the file?") that fails part-way, here on
// a disk that fills up, opened that file with O_TRUNC and wrote into it:
// the export it replaced was gone, and what was left was a CSV cut in the
// middle of a row, under the name the person chose, that reads as an
// export. Now the failure leaves that file as it was and no part of the
// new one; an export that succeeds still replaces it.
func TestFailedExportLeavesTheFileItWouldReplace(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	seedHistory(t, e.db, 400)
	disk := testfs.SmallDisk(t, 512<<10)
	out := filepath.Join(disk, "uploads.csv")
	const before = "the export before\n"
	require.NoError(t, os.WriteFile(out, []byte(before), 0o600))
	free := testfs.FillDisk(t, disk)

	since := e.markShown()
	e.ui(func() { exportCSV(a)(out) })
	requireDialogSays(e, since, "the export fails on the full disk", tr("Cannot export"))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, before, string(b), "the file the export would have replaced")
	assert.ElementsMatch(t, []string{"uploads.csv", "filler"}, namesIn(t, disk), "no part of the export is left")

	free()
	exportCSVAndWait(e, out, "exported once there is room")
	b, err = os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, 403, strings.Count(string(b), "\n"), "header and 402 rows")
}

// namesIn lists the names in dir.
func namesIn(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, f := range entries {
		names = append(names, f.Name())
	}
	return names
}
