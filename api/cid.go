package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	chunker "github.com/ipfs/boxo/chunker"
	"github.com/ipfs/boxo/ipld/merkledag"
	"github.com/ipfs/boxo/ipld/unixfs/importer/balanced"
	"github.com/ipfs/boxo/ipld/unixfs/importer/helpers"
	"github.com/ipfs/go-cid"
	ipld "github.com/ipfs/go-ipld-format"
)

// ChunkSize is IPFS add's default fixed chunk size; dStor hashes with it, so
// a different value would give CIDs the server never answers.
const ChunkSize = 262144

// CIDHasher computes the CIDv0 that `ipfs add` (and dStor) gives a stream
// of bytes, while the bytes are written to it. It lets the client and the
// sandbox hash a file in the same pass that sends or stores it, so no file is
// read twice and none is held in memory.
//
// Write the bytes, then call Sum. Abort releases the hasher without a result.
// A CIDHasher is not safe for concurrent writes.
type CIDHasher struct {
	pw   *io.PipeWriter
	done chan struct{}
	root cid.Cid
	err  error
	n    int64
}

// NewCIDHasher starts a hasher; its importer goroutine ends when Sum or Abort
// is called, so every hasher must end with one of them.
func NewCIDHasher() *CIDHasher {
	pr, pw := io.Pipe()
	h := &CIDHasher{pw: pw, done: make(chan struct{})}
	go func() {
		defer close(h.done)
		root, err := importCIDv0(pr)
		h.root, h.err = root, err
		// Unblock any writer still waiting if the importer stopped early.
		if err != nil {
			pr.CloseWithError(err)
		} else {
			pr.Close()
		}
	}()
	return h
}

// Write feeds bytes to the importer.
func (h *CIDHasher) Write(p []byte) (int, error) {
	n, err := h.pw.Write(p)
	h.n += int64(n)
	return n, err
}

// Size is the number of bytes hashed so far.
func (h *CIDHasher) Size() int64 { return h.n }

// Sum ends the stream and returns the CIDv0 string of everything written.
func (h *CIDHasher) Sum() (string, error) {
	h.pw.Close()
	<-h.done
	if h.err != nil {
		return "", fmt.Errorf("compute CID: %w", h.err)
	}
	return h.root.String(), nil
}

// Abort stops the importer without a result; safe to call after Sum.
func (h *CIDHasher) Abort() {
	h.pw.CloseWithError(errHasherAborted)
	<-h.done
}

var errHasherAborted = errors.New("CID computation aborted")

// ComputeCID reads r to the end and returns its CIDv0, for callers that have
// no other use for the bytes (tests, the sandbox's checks).
func ComputeCID(r io.Reader) (string, error) {
	h := NewCIDHasher()
	if _, err := io.Copy(h, r); err != nil {
		h.Abort()
		return "", fmt.Errorf("compute CID: %w", err)
	}
	return h.Sum()
}

// IsCIDv0 reports whether s looks like a CIDv0 (base58btc sha2-256
// multihash, "Qm…", 46 characters): only those can be compared with the
// locally computed hash.
func IsCIDv0(s string) bool {
	if len(s) != 46 || !strings.HasPrefix(s, "Qm") {
		return false
	}
	c, err := cid.Decode(s)
	return err == nil && c.Version() == 0
}

// importCIDv0 runs boxo's balanced importer with IPFS add's defaults
// (262,144-byte chunks, 174 links per node, dag-pb leaves, CIDv0).
func importCIDv0(r io.Reader) (cid.Cid, error) {
	params := helpers.DagBuilderParams{
		Dagserv:    discardDAG{},
		Maxlinks:   helpers.DefaultLinksPerBlock,
		CidBuilder: merkledag.V0CidPrefix(),
	}
	db, err := params.New(chunker.NewSizeSplitter(r, ChunkSize))
	if err != nil {
		return cid.Undef, err
	}
	nd, err := balanced.Layout(db)
	if err != nil {
		return cid.Undef, err
	}
	return nd.Cid(), nil
}

// discardDAG is a DAGService that keeps nothing: the importer only needs
// somewhere to put nodes, and we only need the root's CID, so memory stays
// flat whatever the file size.
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
