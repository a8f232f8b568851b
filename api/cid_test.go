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
