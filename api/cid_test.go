package api

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	chunker "github.com/ipfs/boxo/chunker"
	"github.com/ipfs/boxo/ipld/merkledag"
	mdtest "github.com/ipfs/boxo/ipld/merkledag/test"
	"github.com/ipfs/boxo/ipld/unixfs/importer/balanced"
	"github.com/ipfs/boxo/ipld/unixfs/importer/helpers"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// referenceCID builds the DAG with boxo's importer into a real (in-memory)
// DAG service, exactly as `ipfs add` does, so our discard-as-you-go path is
// checked against the stored-DAG path.
func referenceCID(t *testing.T, data []byte) string {
	t.Helper()
	params := helpers.DagBuilderParams{
		Dagserv:    mdtest.Mock(),
		Maxlinks:   helpers.DefaultLinksPerBlock,
		CidBuilder: merkledag.V0CidPrefix(),
	}
	db, err := params.New(chunker.NewSizeSplitter(bytes.NewReader(data), 262144))
	require.NoError(t, err)
	nd, err := balanced.Layout(db)
	require.NoError(t, err)
	return nd.Cid().String()
}

// randomBytes gives deterministic pseudo-random content of size n.
func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestComputeCIDKnownVectors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"empty file", "", "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"},
		{"hello world", "hello world\n", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ComputeCID(strings.NewReader(tt.data))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.want, referenceCID(t, []byte(tt.data)))
			assert.True(t, IsCIDv0(got))
		})
	}
}

func TestComputeCIDMatchesBoxoImporter(t *testing.T) {
	sizes := map[string]int{
		"one byte":                    1,
		"exactly one chunk":           ChunkSize,
		"two chunks (262,145 bytes)":  ChunkSize + 1,
		"175 chunks (two DAG levels)": 175*ChunkSize + 17,
		"odd size within a chunk":     99_999,
	}
	for name, size := range sizes {
		t.Run(name, func(t *testing.T) {
			data := randomBytes(size, uint64(size))
			h := NewCIDHasher()
			// Feed in uneven pieces, as a network copy would.
			for rest := data; len(rest) > 0; {
				n := min(len(rest), 1+len(rest)%70_001)
				_, err := h.Write(rest[:n])
				require.NoError(t, err)
				rest = rest[n:]
			}
			got, err := h.Sum()
			require.NoError(t, err)
			assert.Equal(t, referenceCID(t, data), got)
			assert.Equal(t, int64(size), h.Size())
		})
	}
}

func TestCIDHasherAbortStopsImporter(t *testing.T) {
	h := NewCIDHasher()
	_, err := h.Write(randomBytes(1000, 1))
	require.NoError(t, err)
	h.Abort()
	_, err = h.Write([]byte("more"))
	assert.Error(t, err)
}

func TestIsCIDv0(t *testing.T) {
	assert.True(t, IsCIDv0("QmXEJJGbyMVa3jJ9iBATY8D1udATD7m6H7kVV7WoRgUEaT"))
	assert.False(t, IsCIDv0("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"))
	assert.False(t, IsCIDv0("Qm"+strings.Repeat("1", 44)))
	assert.False(t, IsCIDv0(""))
}

// TestCIDHasherChunkReuse proves boxo keeps no reference to the chunk
// buffers the hasher recycles: every buffer is overwritten as soon as the
// importer asks for the next chunk, and the CIDs must still match the
// reference importer (which reads its own, never-reused buffers), for
// one-level and two-level DAGs and the known vectors.
func TestCIDHasherChunkReuse(t *testing.T) {
	poisonReleasedChunks.Store(true)
	defer poisonReleasedChunks.Store(false)
	for _, size := range []int{0, 12, ChunkSize - 1, ChunkSize, 3*ChunkSize + 5, 175*ChunkSize + 17} {
		data := randomBytes(size, uint64(size)+99)
		if size == 12 {
			data = []byte("hello world\n")
		}
		h := NewCIDHasher()
		for rest := data; len(rest) > 0; {
			n := min(len(rest), 1+len(rest)%100_003)
			_, err := h.Write(rest[:n])
			require.NoError(t, err)
			rest = rest[n:]
		}
		got, err := h.Sum()
		require.NoError(t, err)
		assert.Equal(t, referenceCID(t, data), got, "size %d", size)
	}
}

// Hashers running at once share the chunk pool without mixing data.
func TestCIDHashersInParallel(t *testing.T) {
	poisonReleasedChunks.Store(true)
	defer poisonReleasedChunks.Store(false)
	const n = 6
	datas := make([][]byte, n)
	for i := range datas {
		datas[i] = randomBytes(5*ChunkSize+i*1000, uint64(i)+7)
	}
	got := make([]string, n)
	errs := make([]error, n)
	done := make(chan int)
	for i := range datas {
		go func() {
			got[i], errs[i] = ComputeCID(bytes.NewReader(datas[i]))
			done <- i
		}()
	}
	for range datas {
		<-done
	}
	for i := range datas {
		require.NoError(t, errs[i])
		assert.Equal(t, referenceCID(t, datas[i]), got[i])
	}
}

// Abort after writes, and Sum after Abort, release everything and fail
// cleanly; Write after Sum fails.
func TestCIDHasherEndStates(t *testing.T) {
	h := NewCIDHasher()
	_, err := h.Write(randomBytes(3*ChunkSize+1, 3))
	require.NoError(t, err)
	h.Abort()
	h.Abort()
	_, err = h.Sum()
	assert.Error(t, err)

	h = NewCIDHasher()
	_, err = h.Write([]byte("hello world\n"))
	require.NoError(t, err)
	sum, err := h.Sum()
	require.NoError(t, err)
	assert.Equal(t, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", sum)
	again, err := h.Sum()
	require.NoError(t, err)
	assert.Equal(t, sum, again)
	_, err = h.Write([]byte("more"))
	assert.Error(t, err)
	h.Abort()
}
