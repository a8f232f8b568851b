package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
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

// TestQRDialogOfALongNameFitsTheWindow: the QR dialog's title names the
// file, and a 250-byte name (Linux takes 255) made the dialog as wide as
// the name in bold, wider than the window at its smallest and off the
// screen at 1280 points: its title ran out past both edges.
func TestQRDialogOfALongNameFitsTheWindow(t *testing.T) {
	e := newTestEnv(t)
	name := strings.Repeat("a", 246) + ".txt"
	link := api.Links{}.GatewayLink("production", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", name)
	e.ui(func() {
		e.a.win.SetContent(e.a.mainView)
		e.a.win.Resize(e.a.win.Content().MinSize())
		q := e.a.showQR(name, link)
		require.NotNil(t, q)
		width := e.a.win.Canvas().Size().Width
		assert.LessOrEqual(t, q.d.MinSize().Width, width, "the QR dialog of a %d-byte name in a window %.0f wide", len(name), width)
	})
}

// TestQRDialogFitsAShortWindow: the QR dialog was as tall as its code,
// the link wrapped to forty lines (a name of 255 CJK characters makes a
// 2,295-byte link) and its buttons, taller than the window at its least
// height and, for such a link, than a 1280x800 screen: its Copy link and
// Save as PNG buttons were drawn below the window's edge, its Close button
// over the link. The dialog fits the window, and what it holds scrolls.
func TestQRDialogFitsAShortWindow(t *testing.T) {
	e := newTestEnv(t)
	for _, name := range []string{strings.Repeat("a", 246) + ".txt", strings.Repeat("写", 255)} {
		link := api.Links{}.GatewayLink("production", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", name)
		for _, size := range []fyne.Size{{}, fyne.NewSize(1280, 800)} {
			e.ui(func() {
				e.a.win.SetContent(e.a.mainView)
				e.a.win.Resize(e.a.win.Content().MinSize().Max(size))
				q := e.a.showQR(name, link)
				require.NotNil(t, q)
				defer q.d.Hide()
				height := e.a.win.Canvas().Size().Height
				assert.LessOrEqual(t, q.d.MinSize().Height, height, "the dialog of a %d-byte link in a window %.0f high", len(link), height)
				assert.Equal(t, float32(qrShownSize), q.image.Size().Width, "the code is shown whole, to scan")
				shown := q.scroll.Size().Height
				assert.GreaterOrEqual(t, shown+0.5, min(q.scroll.Content.MinSize().Height, height/2), "the dialog shows what it holds, or half a window of it")
			})
		}
	}
}
