package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
)

// TestQRCodeOfTheLongestName: Windows and macOS take a file name of 255
// characters, so of 255 CJK characters, whose ?filename= is 2,295 bytes
// percent-encoded: the link still makes a QR code (with less error
// correction than the usual medium, which holds 2,331 bytes at most) that
// decodes back to it exactly. A link longer than any QR code holds is
// refused with a sentence saying to copy the link instead.
func TestQRCodeOfTheLongestName(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	for _, name := range []string{strings.Repeat("写", 251) + ".txt", strings.Repeat("写", 255)} {
		link := api.Links{}.GatewayLink("production", cid, name)
		b, err := qrPNG(link, qrPNGSize)
		require.NoError(t, err, "a QR code of a %d-byte link", len(link))
		path := filepath.Join(t.TempDir(), "qr.png")
		require.NoError(t, os.WriteFile(path, b, 0o600))
		assert.Equal(t, link, zbarimg(t, path))
	}

	_, err := qrPNG("https://gw.example/ipfs/"+cid+"?filename="+strings.Repeat("a", 3000), qrPNGSize)
	require.ErrorIs(t, err, errQRTooLong)
	assert.Contains(t, err.Error(), "copy the link instead")
}
