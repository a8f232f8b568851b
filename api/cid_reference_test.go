package api

import (
	"bytes"
	"context"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"testing"

	chunker "github.com/ipfs/boxo/chunker"
	"github.com/ipfs/boxo/ipld/merkledag"
	"github.com/ipfs/boxo/ipld/unixfs/importer/balanced"
	"github.com/ipfs/boxo/ipld/unixfs/importer/helpers"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"
	"github.com/stretchr/testify/require"
)

// boxoResult is what boxo's importer, the reference, says of a stream.
type boxoResult struct {
	cid     string
	dagSize uint64 // the root's cumulative size, `ipfs add`'s Size
}

// boxoImport runs boxo's balanced importer exactly as `ipfs add` does
// with its defaults (fixed-size splitter, dag-pb leaves, CIDv0), except
// for chunk and fanout, which tests shrink to reach deep trees with little
// data. Nodes go to a DAG service that keeps nothing, so a stream of any
// size takes constant memory.
func boxoImport(r io.Reader, chunk, fanout int) (boxoResult, error) {
	params := helpers.DagBuilderParams{
		Dagserv:    discardDAG{},
		Maxlinks:   fanout,
		CidBuilder: merkledag.V0CidPrefix(),
	}
	db, err := params.New(chunker.NewSizeSplitter(r, int64(chunk)))
	if err != nil {
		return boxoResult{}, err
	}
	nd, err := balanced.Layout(db)
	if err != nil {
		return boxoResult{}, err
	}
	size, err := nd.Size()
	if err != nil {
		return boxoResult{}, err
	}
	return boxoResult{cid: nd.Cid().String(), dagSize: size}, nil
}

// boxoCIDOf is boxoImport of bytes with IPFS add's defaults.
func boxoCIDOf(t testing.TB, data []byte) boxoResult {
	t.Helper()
	res, err := boxoImport(bytes.NewReader(data), ChunkSize, helpers.DefaultLinksPerBlock)
	require.NoError(t, err)
	return res
}

// discardDAG is a DAGService that keeps nothing: the importer only needs
// somewhere to put nodes.
type discardDAG struct{}

func (discardDAG) Get(context.Context, cid.Cid) (ipld.Node, error) {
	return nil, ipld.ErrNotFound{}
}

func (discardDAG) GetMany(context.Context, []cid.Cid) <-chan *ipld.NodeOption {
	ch := make(chan *ipld.NodeOption)
	close(ch)
	return ch
}

func (discardDAG) Add(context.Context, ipld.Node) error        { return nil }
func (discardDAG) AddMany(context.Context, []ipld.Node) error  { return nil }
func (discardDAG) Remove(context.Context, cid.Cid) error       { return nil }
func (discardDAG) RemoveMany(context.Context, []cid.Cid) error { return nil }

// randomBytes gives deterministic pseudo-random content of size n.
func randomBytes(n int, seed uint64) []byte {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	b := make([]byte, n)
	_, _ = rand.NewChaCha8(key).Read(b)
	return b
}

// patternReader streams size bytes of varied content cheaply (a copy per
// byte, no generator): a 1 MiB random block read at a shifting offset, with
// the position stamped every 4 KiB so no two chunks are equal. The
// full-size run uses it for gigabytes that are never stored.
type patternReader struct {
	base      []byte
	pos, size int64
}

func newPatternReader(size int64, seed uint64) *patternReader {
	return &patternReader{base: randomBytes(1<<20+13, seed), size: size}
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.size-r.pos)]
	for i := 0; i < len(p); {
		i += copy(p[i:], r.base[(r.pos+int64(i))%int64(len(r.base)):])
	}
	for off := (4096 - r.pos%4096) % 4096; off+8 <= int64(len(p)); off += 4096 {
		binary.LittleEndian.PutUint64(p[off:], uint64(r.pos+off))
	}
	r.pos += int64(len(p))
	return len(p), nil
}
