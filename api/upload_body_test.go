package api

import (
	"bytes"
	"context"
	"io"
	"os"
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
	return newUploadBody(context.Background(), f, id, head, []byte("TAIL"), h, nil), h
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
