package thumbnail

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// picture is a w×h picture of two halves: red on the left, blue on the
// right, so a scaled copy shows whether it kept the sides.
func picture(w, h int) *image.RGBA {
	pic := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{R: 255, A: 255}
			if x >= w/2 {
				c = color.RGBA{B: 255, A: 255}
			}
			pic.SetRGBA(x, y, c)
		}
	}
	return pic
}

func encoded(t testing.TB, format string, pic image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	switch format {
	case "png":
		require.NoError(t, png.Encode(&b, pic))
	case "jpeg":
		require.NoError(t, jpeg.Encode(&b, pic, &jpeg.Options{Quality: 90}))
	case "gif":
		require.NoError(t, gif.Encode(&b, pic, nil))
	}
	return b.Bytes()
}

// pngClaiming is a valid 1×1 PNG whose header claims w×h pixels: what a
// decompression bomb looks like to a decoder.
func pngClaiming(t testing.TB, w, h uint32) []byte {
	data := encoded(t, "png", picture(1, 1))
	// signature (8), then IHDR: length (4), "IHDR" (4), width, height, ….
	binary.BigEndian.PutUint32(data[16:], w)
	binary.BigEndian.PutUint32(data[20:], h)
	crc := crc32.ChecksumIEEE(data[12:29]) // type and the 13 bytes of data
	binary.BigEndian.PutUint32(data[29:], crc)
	return data
}

func write(t testing.TB, name string, data []byte) Source {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, data, 0o600))
	sum := sha256.Sum256(data)
	return Source{Path: p, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
}

// allocated is how many bytes f allocated on the heap.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestMake(t *testing.T) {
	jpg := encoded(t, "jpeg", picture(1200, 900))
	tall := encoded(t, "png", picture(300, 1000))
	gifData := encoded(t, "gif", picture(160, 40))
	small := encoded(t, "png", picture(10, 6))
	cases := []struct {
		name    string
		src     func(t *testing.T) Source
		w, h    int   // the thumbnail's size, when one is made
		wantErr error // else
		claims  int64 // pixels the file's header claims: what memory is bounded by
	}{
		{"jpeg, landscape", func(t *testing.T) Source { return write(t, "a.jpg", jpg) }, Size, 60, nil, 1200 * 900},
		{"png, portrait", func(t *testing.T) Source { return write(t, "b.png", tall) }, 24, Size, nil, 300 * 1000},
		{"gif, wide", func(t *testing.T) Source { return write(t, "c.gif", gifData) }, Size, 20, nil, 160 * 40},
		{"png smaller than a thumbnail: not scaled up", func(t *testing.T) Source { return write(t, "d.png", small) }, 10, 6, nil, 60},
		{"a jpeg named .png", func(t *testing.T) Source { return write(t, "e.png", jpg) }, Size, 60, nil, 1200 * 900},
		{"truncated jpeg", func(t *testing.T) Source { return write(t, "f.jpg", jpg[:len(jpg)/2]) }, 0, 0, ErrNotPicture, 1200 * 900},
		{"png claiming 100000×100000 pixels", func(t *testing.T) Source {
			return write(t, "bomb.png", pngClaiming(t, 100_000, 100_000))
		}, 0, 0, ErrTooLarge, 0},
		{"png claiming one pixel over MaxPixels", func(t *testing.T) Source {
			return write(t, "bomb2.png", pngClaiming(t, MaxPixels/1000, 1001))
		}, 0, 0, ErrTooLarge, 0},
		{"not a picture", func(t *testing.T) Source { return write(t, "notes.txt", []byte("plain words, not pixels")) }, 0, 0, ErrNotPicture, 0},
		{"empty file", func(t *testing.T) Source { return write(t, "g.png", nil) }, 0, 0, ErrNotPicture, 0},
		{"missing file", func(t *testing.T) Source {
			return Source{Path: filepath.Join(t.TempDir(), "gone.jpg")}
		}, 0, 0, fs.ErrNotExist, 0},
		{"a folder", func(t *testing.T) Source { return Source{Path: t.TempDir()} }, 0, 0, ErrNotPicture, 0},
		{"file over MaxFileSize", func(t *testing.T) Source {
			src := write(t, "huge.png", small)
			require.NoError(t, os.Truncate(src.Path, MaxFileSize+1)) // sparse: costs no disk
			src.Size, src.SHA256 = 0, ""
			return src
		}, 0, 0, ErrTooLarge, 0},
		{"other size than uploaded", func(t *testing.T) Source {
			src := write(t, "h.jpg", jpg)
			src.Size++
			return src
		}, 0, 0, ErrChanged, 0},
		{"same size, other bytes than uploaded", func(t *testing.T) Source {
			src := write(t, "i.png", small)
			src.SHA256 = hex.EncodeToString(make([]byte, 32))
			return src
		}, 0, 0, ErrChanged, 60},
		{"no receipt to check against", func(t *testing.T) Source {
			src := write(t, "j.png", small)
			src.Size, src.SHA256 = 0, ""
			return src
		}, 10, 6, nil, 60},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := tc.src(t)
			var thumb []byte
			var err error
			alloc := allocated(func() { thumb, err = Make(context.Background(), os.Open, src) })
			// A bounded read: at most 8 bytes for each pixel the header
			// claims (a 16-bit PNG's), plus buffers; nothing for a refusal.
			assert.LessOrEqual(t, alloc, uint64(8*tc.claims+2<<20), "bytes allocated")
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				assert.Nil(t, thumb)
				return
			}
			require.NoError(t, err)
			pic, format, err := image.Decode(bytes.NewReader(thumb))
			require.NoError(t, err)
			assert.Equal(t, "png", format)
			assert.Equal(t, image.Rect(0, 0, tc.w, tc.h), pic.Bounds())
			// The left stays red and the right blue.
			r, _, b, _ := pic.At(0, tc.h/2).RGBA()
			assert.Greater(t, r, b, "left edge")
			r, _, b, _ = pic.At(tc.w-1, tc.h/2).RGBA()
			assert.Greater(t, b, r, "right edge")
		})
	}
}

// A context that is done stops Make before it decodes anything.
func TestMakeGivesUpWithItsContext(t *testing.T) {
	src := write(t, "a.png", encoded(t, "png", picture(600, 400)))
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	thumb, err := Make(ctx, os.Open, src)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, ErrNotPicture, "a slow read is not a verdict on the file")
	assert.Nil(t, thumb)
}

// cancelAfter reads through r, 512 bytes at a time, and calls cancel
// after its first n reads.
type cancelAfter struct {
	r      io.Reader
	n      int
	cancel func()
	read   int // bytes read
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	if c.n--; c.n < 0 {
		c.cancel()
	}
	n, err := c.r.Read(p[:min(len(p), 512)])
	c.read += n
	return n, err
}

// A decoding under way stops at its next read once the time is up: the
// decoder is left with the bytes it had, not the rest of the file.
func TestDecodingStopsWhenTimeIsUp(t *testing.T) {
	data := encoded(t, "png", picture(1000, 1000))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := &cancelAfter{r: bytes.NewReader(data), n: 3, cancel: cancel}
	_, _, err := image.Decode(&ctxReader{ctx: ctx, r: src})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 4*512, src.read, "the reads before the cancel and the one that made it")
}

func TestForName(t *testing.T) {
	for name, want := range map[string]bool{"IMG_0001.JPG": true, "a.jpeg": true, "b.png": true, "c.Gif": true,
		"d.webp": false, "e.txt": false, "png": false, "f.jpg.txt": false, "": false} {
		assert.Equal(t, want, ForName(name), name)
	}
}

func TestFit(t *testing.T) {
	for _, tc := range []struct{ w, h, side, wantW, wantH int }{
		{1200, 900, 80, 80, 60},
		{900, 1200, 80, 60, 80},
		{80, 80, 80, 80, 80},
		{10_000, 1, 80, 80, 1}, // never below one pixel
		{1, 10_000, 80, 1, 80},
		{5, 5, 80, 5, 5}, // never scaled up
	} {
		w, h := fit(tc.w, tc.h, tc.side)
		assert.Equal(t, [2]int{tc.wantW, tc.wantH}, [2]int{w, h}, "%d×%d in %d", tc.w, tc.h, tc.side)
	}
}

// BenchmarkMake12MP is the time of one thumbnail of a 12-megapixel photo
// (4000×3000 JPEG): History's usual worst case.
func BenchmarkMake12MP(b *testing.B) {
	src := write(b, "photo.jpg", encoded(b, "jpeg", picture(4000, 3000)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := Make(context.Background(), os.Open, src); err != nil {
			b.Fatal(err)
		}
	}
}
