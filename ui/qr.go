package ui

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/skip2/go-qrcode"
)

// QR code sizes: the PNG is big enough to print or to scan from a screen
// across a room; the dialog shows it smaller, pixel-sharp.
const (
	qrPNGSize   = 512
	qrShownSize = 256
)

// qrIcon is "QR code" (three finder squares and a few modules); the
// default theme has none. Themed, so it follows light and dark.
var qrIcon = theme.NewThemedResource(fyne.NewStaticResource("qr-code.svg", []byte(
	`<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">`+
		`<path fill="#000000" d="M3 3h8v8H3V3zm2 2v4h4V5H5zm8-2h8v8h-8V3zm2 2v4h4V5h-4zM3 13h8v8H3v-8zm2 2v4h4v-4H5z"/>`+
		`<path fill="#000000" d="M6 6h2v2H6zM16 6h2v2h-2zM6 16h2v2H6zM13 13h2v2h-2zM15 15h2v2h-2zM17 13h4v2h-4zM13 17h2v4h-2zM17 17h2v2h-2zM19 19h2v2h-2zM17 19h2v2h-2z"/>`+
		`</svg>`)))

// errQRTooLong is a link longer than any QR code holds (2,953 bytes).
var errQRTooLong = errors.New("the link is too long for a QR code")

// qrPNG is a QR code of link as a size×size PNG: medium error correction
// (a smudged or partly covered code still scans) and the quiet zone
// scanners need around it; low error correction for a link too long for
// medium (2,331 bytes: a name of 255 CJK characters, which Windows and
// macOS allow, is 2,295 in ?filename=), since a code that scans less
// surely beats none. errQRTooLong beyond what low holds.
func qrPNG(link string, size int) ([]byte, error) {
	q, err := qrcode.New(link, qrcode.Medium)
	if err != nil {
		q, err = qrcode.New(link, qrcode.Low)
	}
	if err != nil {
		return nil, fmt.Errorf("%w (%d characters): copy the link instead", errQRTooLong, len(link))
	}
	b, err := q.PNG(size)
	if err != nil {
		return nil, fmt.Errorf("make a QR code of the link: %w", err)
	}
	return b, nil
}

// qrFileName is the file name offered when saving the QR code of name:
// a character no file system takes, a control, or an invisible formatting
// character (a bidi override would draw "invoice\u202efdp-qr.png" as
// "invoicegnp.rq-pdf") is "_"; the joiners of emoji and scripts stay.
func qrFileName(name string) string {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	base = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || (unicode.Is(unicode.Cf, r) && r != '\u200d' && r != '\u200c') || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, base)
	if base == "" || base == "." || base == ".." {
		base = "link"
	}
	return base + "-qr.png"
}

// qrDialog is the dialog that shows a link's QR code, for a phone to scan.
type qrDialog struct {
	d     *dialog.CustomDialog
	image *canvas.Image
	// scroll holds all but the Close button: a long link wraps to many
	// lines, and the dialog is no taller than the window lets it be.
	scroll *container.Scroll
	link   *widget.Label
	copy   *escapeButton
	save   *escapeButton
	png    []byte
}

// showQR opens a dialog with the QR code of link (the upload named name),
// the link itself, and buttons to copy it or save the code as a PNG.
func (a *App) showQR(name, link string) *qrDialog {
	png, err := qrPNG(link, qrPNGSize)
	if err != nil {
		a.showError(tr("Cannot make a QR code"), err)
		return nil
	}
	q := &qrDialog{png: png}
	q.image = canvas.NewImageFromResource(fyne.NewStaticResource(qrFileName(name), png))
	q.image.FillMode = canvas.ImageFillContain
	q.image.ScaleMode = canvas.ImageScalePixels
	q.image.SetMinSize(fyne.NewSquareSize(qrShownSize))
	q.link = widget.NewLabel(link)
	q.link.Wrapping = fyne.TextWrapBreak
	// Not selectable: selectable text would take the focus and keep
	// Escape from closing the dialog; Copy link copies it whole.
	q.link.Alignment = fyne.TextAlignCenter
	closeQR := func() { q.d.Hide() }
	q.copy = newEscapeButton(tr("Copy link"), theme.ContentCopyIcon(), func() { a.copyText(link, "Link") }, closeQR)
	q.save = newEscapeButton(tr("Save as PNG…"), theme.DocumentSaveIcon(), func() { a.saveQR(qrFileName(name), png) }, closeQR)
	hint := widget.NewLabel(tr("Scan it with a phone's camera to open the file."))
	hint.Importance = widget.MediumImportance
	hint.Alignment = fyne.TextAlignCenter
	content := container.NewVBox(
		container.NewCenter(q.image), hint,
		container.New(&maxWidthLayout{width: 420}, q.link),
		container.NewCenter(container.NewHBox(q.copy, q.save)),
	)
	q.scroll = container.NewVScroll(content)
	q.d = a.newDialog(tr("QR code — {{.Name}}", map[string]any{"Name": nameText(name)}), nil, q.scroll, dialogChoice{label: tr("Close")})
	a.showScrolled(q.d, q.scroll)
	return q
}

// saveQR asks where to save the QR code's PNG (native dialog, else
// Fyne's) and writes it there.
func (a *App) saveQR(name string, png []byte) {
	a.goPicker(func() {
		path, err := a.pickSaveAs(tr("Save the QR code"), name, "png")
		a.do(func() {
			switch {
			case err == errUseFyneDialog:
				a.fyneSaveFile(tr("Save the QR code"), name, func(path string) { a.saveQRTo(path, png) })
			case err != nil:
				a.showError(tr("Cannot save the QR code"), err)
			case path != "":
				a.saveQRTo(path, png)
			}
		})
	})
}

// saveQRTo writes the PNG to path (App.saveFile), refusing a path in
// dStor Uploader's own data folder, or a hard link to a file there, where
// it could overwrite the history database, its journal, a lock or the
// Local sandbox's store, as an export is refused there
// (storage.DB.InDataFolder).
func (a *App) saveQRTo(path string, png []byte) {
	a.goBg(func() {
		saved := a.saveFile(path, 0o644, tr("Cannot save the QR code"), qrRefusals(), func(w io.Writer) error { // a picture to share
			_, err := w.Write(png)
			return err
		})
		if saved {
			a.do(func() { a.showToast(tr("QR code saved to {{.Where}}", map[string]any{"Where": displayPath(path)})) })
		}
	})
}

// qrRefusals are the sentences of a QR code's save refused in the data
// folder.
func qrRefusals() saveRefusals {
	return saveRefusals{
		inside:  tr("This is dStor Uploader's own data folder, where its history and queue are kept: a file saved there could overwrite them. Choose another folder."),
		link:    tr("The chosen file is the same file as one dStor Uploader keeps in its data folder: saving the QR code onto it would overwrite that file. Choose another name or folder."),
		newFile: tr("The chosen file is a symbolic link to a new file in dStor Uploader's own data folder, where its history and queue are kept: saving the QR code through it would make that file there. Choose another name or folder."),
		journal: tr("The chosen name is one SQLite gives the journal of dStor Uploader's upload history, in the folder that history really is in (its data folder links to it): saving the QR code there would make a file SQLite could take for the history's own. Choose another name or folder."),
	}
}
