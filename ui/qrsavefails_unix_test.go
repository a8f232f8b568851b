//go:build unix

package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// qrFileSizeLimitEnv makes this test binary the run of
// TestFailedQRSaveLeavesTheFileItWouldReplace under a file size limit.
const qrFileSizeLimitEnv = "DSTOR_TEST_QR_FILE_SIZE_LIMIT"

// TestFailedQRSaveLeavesTheFileItWouldReplace: Save as PNG… onto a file
// already there (after "Replace the file?") wrote into it in place, so a
// write that failed part-way (here past the program's file size limit,
// ulimit -f; a full disk or a drive unplugged alike) had already
// destroyed the file it was to replace and left, under the name chosen, a
// PNG cut short. Now it is written as an export is (saveReplacing): the
// failure leaves that file as it was and no part of the new one, and a
// save that succeeds still replaces it. The limit is set in a process of
// its own, so no other test's files meet it.
func TestFailedQRSaveLeavesTheFileItWouldReplace(t *testing.T) {
	if os.Getenv(qrFileSizeLimitEnv) != "" {
		saveQRPastTheFileSizeLimit(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestFailedQRSaveLeavesTheFileItWouldReplace$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), qrFileSizeLimitEnv+"=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the run under the limit:\n%s", out)
	assert.Contains(t, string(out), "--- PASS", "the run under the limit ran the test")
}

// saveQRPastTheFileSizeLimit saves a QR code's PNG (about 1 KiB) onto a
// file under a file size limit of 512 bytes, then again without it.
func saveQRPastTheFileSizeLimit(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	png, err := qrPNG("https://gateway.example/ipfs/QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG?filename=trip.jpg", qrPNGSize)
	require.NoError(t, err)
	require.Greater(t, len(png), 512)
	dir := t.TempDir()
	out := filepath.Join(dir, "trip-qr.png")
	const before = "the QR code saved before\n"
	require.NoError(t, os.WriteFile(out, []byte(before), 0o644))

	var was unix.Rlimit
	require.NoError(t, unix.Getrlimit(unix.RLIMIT_FSIZE, &was))
	require.NoError(t, unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: 512, Max: was.Max}))
	since := e.markShown()
	e.ui(func() { a.saveQRTo(out, png) })
	requireDialogSays(e, since, "the save fails past the limit", tr("Cannot save the QR code"), "Cannot use "+out+" (")
	require.NoError(t, unix.Setrlimit(unix.RLIMIT_FSIZE, &was))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, before, string(b), "the file the save would have replaced")
	assert.Equal(t, []string{"trip-qr.png"}, namesIn(t, dir), "no part of the PNG is left")

	since = e.markShown()
	e.ui(func() { a.saveQRTo(out, png) })
	assert.Contains(t, e.waitToastAfter(since, "saved once the limit is lifted"), filepath.Base(out))
	b, err = os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, png, b)
}

// TestSavedQRCodeKeepsTheModeItHad: Save as PNG… made a new file readable
// by all (0644 under the umask), as a picture to share is, and one it
// replaced kept its mode, as a write in place does; written as an export
// is (saveReplacing, mode 0600), they still are.
func TestSavedQRCodeKeepsTheModeItHad(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	dir := t.TempDir()
	like := filepath.Join(dir, "like-a-picture")
	require.NoError(t, os.WriteFile(like, nil, 0o644))
	fresh, replaced := filepath.Join(dir, "new-qr.png"), filepath.Join(dir, "old-qr.png")
	require.NoError(t, os.WriteFile(replaced, []byte("before"), 0o640))
	require.NoError(t, os.Chmod(replaced, 0o640))
	for _, path := range []string{fresh, replaced} {
		e.ui(func() { a.saveQRTo(path, []byte("a PNG")) })
		e.eventually(func() bool { return strings.Contains(a.toast.Text, filepath.Base(path)) }, "saved")
	}
	assert.Equal(t, modeOf(t, like), modeOf(t, fresh), "a new PNG")
	assert.Equal(t, os.FileMode(0o640), modeOf(t, replaced), "a PNG that replaced a file")
}

// modeOf is the permission bits of the file at path.
func modeOf(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Mode().Perm()
}
