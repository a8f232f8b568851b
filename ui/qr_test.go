package ui

import (
	"bytes"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zbarimg decodes the QR code in the PNG file at path with zbar (Debian's
// zbar-tools, which make test installs): an independent decoder.
func zbarimg(t *testing.T, path string) string {
	t.Helper()
	bin, err := exec.LookPath("zbarimg")
	require.NoError(t, err, "zbarimg is missing: apt-get install zbar-tools (make test installs it)")
	out, err := exec.Command(bin, "--raw", "-q", "-Sdisable", "-Sqrcode.enable", path).Output()
	require.NoError(t, err, "zbarimg found no QR code in %s", path)
	return strings.TrimRight(string(out), "\n")
}

// TestQRCodeDecodesToTheLink: every kind of link, up to a long one with
// an encoded file name, decodes back exactly.
func TestQRCodeDecodesToTheLink(t *testing.T) {
	const cid = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	links := []string{
		"https://api.dstor.cloud/ipfs/" + cid,
		"https://api.dstor.cloud/ipfs/" + cid + "?filename=r%C3%A9sum%C3%A9%20%282026%29.pdf",
		"ipfs://" + cid,
		"http://127.0.0.1:8787/ipfs/" + cid + "?filename=" + strings.Repeat("a", 300) + ".txt",
	}
	for _, link := range links {
		b, err := qrPNG(link, qrPNGSize)
		require.NoError(t, err)
		img, err := png.Decode(bytes.NewReader(b))
		require.NoError(t, err)
		assert.Equal(t, qrPNGSize, img.Bounds().Dx())
		assert.Equal(t, qrPNGSize, img.Bounds().Dy())
		path := filepath.Join(t.TempDir(), "qr.png")
		require.NoError(t, os.WriteFile(path, b, 0o600))
		assert.Equal(t, link, zbarimg(t, path))
	}
}

// TestQRDialogScansFromTheWindow: the dialog's code, captured from the
// window as a person would screenshot it, scans to the link; its buttons
// copy the link and offer a sensible file name.
func TestQRDialogScansFromTheWindow(t *testing.T) {
	e := newTestEnv(t)
	const link = "http://127.0.0.1:8787/ipfs/QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o?filename=notes.txt"
	var q *qrDialog
	e.ui(func() {
		e.a.win.Resize(e.a.win.Canvas().Size().Max(e.a.win.Content().MinSize()).Max(fyne.NewSize(900, 700)))
		q = e.a.showQR("notes.txt", link)
	})
	require.NotNil(t, q)
	var shot []byte
	e.ui(func() {
		assert.Equal(t, link, q.link.Text)
		var buf bytes.Buffer
		require.NoError(t, png.Encode(&buf, e.a.win.Canvas().Capture()))
		shot = buf.Bytes()
		test.Tap(q.copy)
		assert.Equal(t, link, e.a.fyne.Clipboard().Content())
	})
	path := filepath.Join(t.TempDir(), "window.png")
	require.NoError(t, os.WriteFile(path, shot, 0o600))
	assert.Equal(t, link, zbarimg(t, path), "the code on screen scans to the link")
}

func TestQRFileName(t *testing.T) {
	for in, want := range map[string]string{
		"notes.txt":       "notes-qr.png",
		"archive.tar.gz":  "archive.tar-qr.png",
		"a:b*c?.png":      "a_b_c_-qr.png",
		"":                "link-qr.png",
		"line\nbreak.txt": "line_break-qr.png",
		"no extension":    "no extension-qr.png",
		// A bidi override would draw "invoice\u202efdp-qr.png" as
		// "invoicegnp.rq-pdf" in the save dialog and the file manager.
		"invoice\u202efdp.exe":       "invoice_fdp-qr.png",
		"a\u2067b\u2069c\u200fd.txt": "a_b_c_d-qr.png",
		"zero\u200bwidth.txt":        "zero_width-qr.png",
		"del\x7f\u0085c1.txt":        "del__c1-qr.png",
		"👩\u200d💻 notes.md":          "👩\u200d💻 notes-qr.png",
	} {
		assert.Equal(t, want, qrFileName(in), in)
	}
}
