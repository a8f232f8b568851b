// Package thumbnail makes the small previews History shows for pictures,
// from the uploaded file still on disk, and keeps them in a folder of
// bounded size. A picture is read only when it is small enough to read
// safely: its file under MaxFileSize, its header's dimensions under
// MaxPixels (a few bytes can claim a picture of gigabytes), its decoding
// within the caller's context, and its bytes still those uploaded. Only
// the standard library's JPEG, PNG and GIF decoders are used.
package thumbnail

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/gif" // decoders image.Decode dispatches to
	_ "image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
)

const (
	// Size is a thumbnail's longest side in pixels: twice the 40 points
	// History gives it, so it stays sharp on a HiDPI screen.
	Size = 80
	// MaxFileSize is the largest file a thumbnail is made of.
	MaxFileSize = 64 << 20
	// MaxPixels is the most pixels a picture's header may claim: decoded,
	// at most 4 bytes each (8 for a 16-bit PNG), the one picture decoded
	// at a time stays in a bounded piece of memory.
	MaxPixels = 40_000_000
	// samples is how many source pixels a side of each thumbnail pixel
	// averages (samples² in all): smooth enough, and the same few
	// thousand reads whatever the picture's size.
	samples = 4
)

// formats are the decoders thumbnails use, by image.Decode's names.
var formats = map[string]bool{"jpeg": true, "png": true, "gif": true}

// exts are the extensions of the files of those formats.
var exts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true}

// ForName reports whether a file called name is worth a thumbnail: its
// extension is one of a format Make reads (which it checks by content).
func ForName(name string) bool {
	return exts[strings.ToLower(filepath.Ext(name))]
}

var (
	// ErrTooLarge is a file or a picture past MaxFileSize or MaxPixels.
	ErrTooLarge = errors.New("too large for a thumbnail")
	// ErrNotPicture is a file none of the decoders reads.
	ErrNotPicture = errors.New("not a JPEG, PNG or GIF picture")
	// ErrChanged is a file whose bytes are no longer those uploaded.
	ErrChanged = errors.New("the file changed since it was uploaded")
)

// Source is the file a thumbnail is made of and what it held when it was
// uploaded.
type Source struct {
	// Path is where the file is on this machine.
	Path string
	// Size is its size when uploaded; 0 when unknown.
	Size int64
	// SHA256 is its SHA-256 when uploaded (lowercase hex); "" when unknown.
	SHA256 string
}

// Make reads src's picture, opened with open, and returns a PNG of it
// scaled to fit Size×Size (never scaled up). open is the caller's: it
// knows how to refuse without waiting a file whose open blocks (a named
// pipe), which a plain os.Open does not. Make gives up with ctx: a
// decoding that takes too long fails at its next read. Errors that say the
// content cannot make a thumbnail are ErrTooLarge, ErrNotPicture and
// ErrChanged; others (a missing file, ctx's, open's refusals) may pass.
func Make(ctx context.Context, open func(path string) (*os.File, error), src Source) ([]byte, error) {
	f, err := open(src.Path)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s for its thumbnail: %w", src.Path, err)
	}
	defer f.Close()
	if err := checkFile(f, src); err != nil {
		return nil, err
	}
	if err := checkHeader(f); err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("cannot read %s for its thumbnail: %w", src.Path, err)
	}
	sum := sha256.New()
	in := io.TeeReader(&ctxReader{ctx: ctx, r: f}, sum)
	buffered := bufio.NewReaderSize(in, 32<<10)
	pic, _, err := image.Decode(buffered)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("thumbnail of %s: %w", src.Path, ctx.Err())
		}
		return nil, fmt.Errorf("thumbnail of %s: %w: %v", src.Path, ErrNotPicture, err)
	}
	if src.SHA256 != "" {
		// The rest of the file (after the picture's last marker) counts too.
		if _, err := io.Copy(io.Discard, buffered); err != nil {
			return nil, fmt.Errorf("cannot read %s for its thumbnail: %w", src.Path, err)
		}
		if hex.EncodeToString(sum.Sum(nil)) != src.SHA256 {
			return nil, fmt.Errorf("thumbnail of %s: %w", src.Path, ErrChanged)
		}
	}
	var out bytes.Buffer
	if err := png.Encode(&out, Scale(pic, Size)); err != nil {
		return nil, fmt.Errorf("thumbnail of %s: %w", src.Path, err)
	}
	return out.Bytes(), nil
}

// checkFile refuses a file past MaxFileSize or of another size than the
// one uploaded.
func checkFile(f *os.File, src Source) error {
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("cannot read %s for its thumbnail: %w", src.Path, err)
	}
	switch {
	case !info.Mode().IsRegular():
		return fmt.Errorf("thumbnail of %s: %w", src.Path, ErrNotPicture)
	case info.Size() > MaxFileSize:
		return fmt.Errorf("thumbnail of %s (%d bytes): %w", src.Path, info.Size(), ErrTooLarge)
	case src.Size > 0 && info.Size() != src.Size:
		return fmt.Errorf("thumbnail of %s: %w", src.Path, ErrChanged)
	}
	return nil
}

// checkHeader reads only the picture's header and refuses a format not in
// formats or dimensions past MaxPixels, before any pixel is decoded.
func checkHeader(f *os.File) error {
	cfg, format, err := image.DecodeConfig(bufio.NewReader(f))
	if err != nil || !formats[format] {
		return fmt.Errorf("thumbnail of %s: %w", f.Name(), ErrNotPicture)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return fmt.Errorf("thumbnail of %s (%d×%d): %w", f.Name(), cfg.Width, cfg.Height, ErrTooLarge)
	}
	return nil
}

// ctxReader fails its reads once ctx is done, so a decoder reading it
// stops soon after.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// Scale returns pic scaled down to fit side×side, keeping its proportions
// (at least one pixel a side); a picture that fits already is copied as
// it is. Each pixel averages samples×samples points of its area.
func Scale(pic image.Image, side int) *image.RGBA {
	b := pic.Bounds()
	w, h := fit(b.Dx(), b.Dy(), side)
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			out.SetRGBA(x, y, average(pic, b, x, y, w, h))
		}
	}
	return out
}

// fit is the size of a w×h picture scaled down to fit side×side.
func fit(w, h, side int) (int, int) {
	if w <= side && h <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, h*side/w)
	}
	return max(1, w*side/h), side
}

// average is the mean colour (alpha-premultiplied) of the points of b
// that thumbnail pixel (x, y) of a w×h thumbnail covers.
func average(pic image.Image, b image.Rectangle, x, y, w, h int) color.RGBA {
	var r, g, bl, a uint64
	n := uint64(0)
	for sy := range samples {
		py := b.Min.Y + ((y*samples+sy)*b.Dy()+b.Dy()/2)/(h*samples)
		for sx := range samples {
			px := b.Min.X + ((x*samples+sx)*b.Dx()+b.Dx()/2)/(w*samples)
			cr, cg, cb, ca := pic.At(min(px, b.Max.X-1), min(py, b.Max.Y-1)).RGBA()
			r, g, bl, a = r+uint64(cr), g+uint64(cg), bl+uint64(cb), a+uint64(ca)
			n++
		}
	}
	return color.RGBA{R: uint8(r / n >> 8), G: uint8(g / n >> 8), B: uint8(bl / n >> 8), A: uint8(a / n >> 8)}
}
