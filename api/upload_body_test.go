package api

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// testBody is the upload body of a file holding data, between head and
// "TAIL", feeding the hasher returned; the file is closed when t ends.
func testBody(t *testing.T, data, head []byte) (*uploadBody, *CIDHasher) {
	t.Helper()
	f, err := os.Open(testfs.WriteTemp(t, "f.bin", data))
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	_, id, err := statOpen(f)
	require.NoError(t, err)
	h := NewCIDHasher()
	return newUploadBody(context.Background(), holdFile(f), id, head, []byte("TAIL"), h, nil), h
}

// The body hands out head, file and tail whatever the size of the reads,
// and the hasher it feeds (in blocks it owns once they are taken whole)
// ends with the file's CID.
func TestUploadBodyFeedsTheHasher(t *testing.T) {
	for _, size := range []int{0, 1, ChunkSize, 3*ChunkSize + 7} {
		data := randomBytes(size, uint64(size)+11)
		body, h := testBody(t, data, []byte("HEAD"))
		var got bytes.Buffer
		buf := make([]byte, 100_003)
		for i := 0; ; i++ {
			n, err := body.Read(buf[:1+i*7919%len(buf)])
			got.Write(buf[:n])
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
		}
		state := body.finish()
		require.True(t, state.complete)
		assert.Equal(t, "HEAD"+string(data)+"TAIL", got.String())
		sum, err := h.Sum()
		require.NoError(t, err)
		assert.Equal(t, boxoCIDOf(t, data).cid, sum, "size %d", size)
	}
}

// A small file's whole body (head, bytes, tail) comes out of one Read
// when it fits, so it reaches the connection in one write; the next Read
// says EOF.
func TestUploadBodyOneReadForASmallFile(t *testing.T) {
	data := randomBytes(4096, 13)
	body, h := testBody(t, data, []byte("HEAD"))
	buf := make([]byte, writeSlice)
	n, err := body.Read(buf)
	require.NoError(t, err)
	assert.Equal(t, "HEAD"+string(data)+"TAIL", string(buf[:n]))
	n, err = body.Read(buf)
	assert.Zero(t, n)
	assert.Equal(t, io.EOF, err)
	require.True(t, body.finish().complete)
	sum, err := h.Sum()
	require.NoError(t, err)
	assert.Equal(t, boxoCIDOf(t, data).cid, sum)
}

// A body given up mid-block (the server answered early) gives the block
// back and fails later reads; the hasher then aborts cleanly.
func TestUploadBodyFinishMidBlock(t *testing.T) {
	body, h := testBody(t, randomBytes(2*ChunkSize, 12), nil)
	buf := make([]byte, ChunkSize+1000)
	n, err := io.ReadFull(body, buf)
	require.NoError(t, err)
	require.Equal(t, len(buf), n)
	state := body.finish()
	assert.False(t, state.complete)
	assert.Equal(t, int64(len(buf)), state.sent)
	assert.Nil(t, body.block)
	_, err = body.Read(buf)
	assert.ErrorIs(t, err, errBodyClosed)
	h.Abort()
	assert.Equal(t, int64(ChunkSize), h.Size(), "only the block taken whole was hashed")
}

// The envelope built by hand is, byte for byte, what mime/multipart's
// Writer writes for the same part and boundary, whatever the name holds;
// each envelope has a boundary of its own, which the Content-Type names.
func TestEnvelopeMatchesMimeMultipart(t *testing.T) {
	names := []string{"a.txt", "", `quote".txt`, `back\slash`, "line\r\nbreak", "naïve 写真 🙂.jpg", "%22;name=x", strings.Repeat("n", 255)}
	boundary := []byte(strings.Repeat("0123456789abcdef", 3) + "0123456789ab")
	for _, name := range names {
		var want bytes.Buffer
		mw := multipart.NewWriter(&want)
		require.NoError(t, mw.SetBoundary(string(boundary)))
		_, err := mw.CreateFormFile("file", name)
		require.NoError(t, err)
		n := want.Len()
		require.NoError(t, mw.Close())

		head, tail := envelopeWith(name, boundary)
		assert.Equal(t, want.String()[:n], string(head), "head for %q", name)
		assert.Equal(t, want.String()[n:], string(tail), "tail for %q", name)
		assert.Equal(t, len(head), cap(head), "appending to head cannot overwrite tail")
	}

	head, tail, contentType, err := multipartEnvelope("a.txt")
	require.NoError(t, err)
	_, params, err := mime.ParseMediaType(contentType)
	require.NoError(t, err)
	b := params["boundary"]
	assert.Len(t, b, 60)
	assert.True(t, bytes.HasPrefix(head, []byte("--"+b+"\r\n")))
	assert.Equal(t, "\r\n--"+b+"--\r\n", string(tail))
	r := multipart.NewReader(io.MultiReader(bytes.NewReader(head), strings.NewReader("data"), bytes.NewReader(tail)), b)
	p, err := r.NextPart()
	require.NoError(t, err)
	assert.Equal(t, "a.txt", p.FileName())
	data, err := io.ReadAll(p)
	require.NoError(t, err)
	assert.Equal(t, "data", string(data))
	_, err = r.NextPart()
	assert.ErrorIs(t, err, io.EOF)

	_, _, other, err := multipartEnvelope("a.txt")
	require.NoError(t, err)
	assert.NotEqual(t, contentType, other, "a new boundary for every envelope")
}
