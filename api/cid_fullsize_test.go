package api

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullSizeEnv turns on TestCIDFullSizeMatchesBoxo (make bench sets it):
// about 7.9 GB streamed twice is too long for every `make test`.
const fullSizeEnv = "DSTOR_CID_FULL_SIZE"

// TestCIDFullSizeMatchesBoxo hashes a stream with more chunks than a
// two-level tree holds (174² + 2 chunks and a partial one: the root is
// three levels up, and its last child is a node with a single child) with
// IPFS add's real parameters, once with the hasher (parallel leaves) and
// once with boxo, generating the bytes as they are read: nothing is
// stored. It logs both speeds for make bench.
func TestCIDFullSizeMatchesBoxo(t *testing.T) {
	if os.Getenv(fullSizeEnv) == "" {
		t.Skip("set " + fullSizeEnv + "=1 to stream ~7.9 GB through the hasher and boxo (make bench does)")
	}
	const leaves = maxLinksPerNode*maxLinksPerNode + 3
	size := int64(leaves-1)*ChunkSize + 12_345
	const seed = 2026

	start := time.Now()
	h := NewCIDHasher()
	n, err := h.ReadFrom(newPatternReader(size, seed))
	require.NoError(t, err)
	require.Equal(t, size, n)
	got, err := h.Sum()
	require.NoError(t, err)
	ours := time.Since(start)

	start = time.Now()
	want, err := boxoImport(newPatternReader(size, seed), ChunkSize, maxLinksPerNode)
	require.NoError(t, err)
	ref := time.Since(start)

	assert.Equal(t, want.cid, got)
	assert.Equal(t, want.dagSize, h.DAGSize())
	t.Logf("full-size: %d bytes, %d chunks, CID %s, ours %.0f MB/s, boxo %.0f MB/s, equal %v",
		size, leaves, got, float64(size)/1e6/ours.Seconds(), float64(size)/1e6/ref.Seconds(),
		got == want.cid && h.DAGSize() == want.dagSize)
}
