package api

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNamedPathOnADriveNotThereIsNoNameToCheck: a path named on a drive
// letter that is not there now (a USB drive unplugged) is not said to be a
// name typed wrong, though Windows answers "path not found" for it as for
// a typo: its absence is not sure, so upload queues it as before, to retry
// once the drive is back. A typo on a drive that is there still is one.
func TestNamedPathOnADriveNotThereIsNoNameToCheck(t *testing.T) {
	drive := ""
	for l := 'Q'; l <= 'Y' && drive == ""; l++ {
		if _, err := os.Lstat(string(l) + `:\`); err != nil {
			drive = string(l) + ":"
		}
	}
	if drive == "" {
		t.Skip("every drive letter from Q: to Y: is there")
	}
	p := drive + `\photos\trip.jpg`
	_, err := os.Lstat(p)
	require.True(t, Gone(err), "Windows says a path on %s is not there: %v", drive, err)
	assert.NoError(t, NamedNotThere(p, p), "the drive may be unplugged: no name to check")
	assert.ErrorContains(t, NamedNotThere(filepath.Join(t.TempDir(), "reprot.pdf"), ""), "does not exist — check the name")
}
