package api

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFilesTheSystemMakesUpAreRefused: a file of /proc or /sys is made up
// by the kernel as it is read, and its size says nothing of what reading
// it gives (0 bytes for /proc/cpuinfo, 4096 for a /sys attribute), so an
// upload of it was found "changed while it was being uploaded" on every
// attempt and failed after five, saying to wait until nothing writes to
// it. Named itself or found in a folder, or hashed by cid or verify
// (which said it "changed while it was read" and to run them again), it
// is refused at once, saying what it is and how to upload what it says;
// stored files of those sizes are not.
func TestFilesTheSystemMakesUpAreRefused(t *testing.T) {
	var madeUp []string
	for _, p := range []string{"/proc/cpuinfo", "/proc/self/status", "/sys/devices/system/cpu/online"} {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			madeUp = append(madeUp, p)
		}
	}
	if len(madeUp) == 0 {
		t.Skip("no /proc or /sys here")
	}
	const want = "is made up by the system as it is read (a file of /proc or /sys), not a stored file — only regular files can be uploaded; to upload what it says now, save a copy of it (with cp or cat) and upload the copy"
	for _, p := range madeUp {
		_, err := ValidateFile(p)
		checkValidation(t, err, "file", want)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Equal(t, ProblemNotRegular, ve.Problem, p)
		assert.Equal(t, KindSpecial, ve.Detail, p)
		_, _, err = ListedFile(filepath.Dir(p), p)
		checkValidation(t, err, "file", want)
		_, err = HashFile(t.Context(), p)
		checkValidation(t, err, "file", want)
		_, err = FileCID(t.Context(), p)
		checkValidation(t, err, "file", want)
	}

	dir := t.TempDir()
	for _, size := range []int{0, 4096} {
		p := filepath.Join(dir, "stored")
		require.NoError(t, os.WriteFile(p, make([]byte, size), 0o600))
		_, err := ValidateFile(p)
		assert.NoError(t, err, "a stored file of %d bytes", size)
		_, _, err = ListedFile(dir, p)
		assert.NoError(t, err, "a stored file of %d bytes in a folder", size)
		_, err = HashFile(t.Context(), p)
		assert.NoError(t, err, "a stored file of %d bytes hashed", size)
	}
}
