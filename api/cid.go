package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"

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
//
// How it keeps garbage down: boxo's own fixed-size splitter allocates a new
// 262,144-byte buffer for every chunk and never reuses it, so hashing 1 GiB
// produced 1 GiB of chunk garbage on top of boxo's two encoding copies per
// leaf, and the garbage collector (and the page faults of memory it returned
// to the OS) cost more than sha2-256 itself. Here Write copies the bytes
// into chunk buffers taken from a shared pool, and a splitter hands those
// to boxo's balanced importer; a buffer goes back to the pool once the
// importer asks for the next chunk. That is safe because boxo's leaf
// builder copies a chunk (protobuf-marshals it) before it asks for the next
// one and keeps no reference to it (TestCIDHasherChunkReuse checks it by
// overwriting each released buffer). A few buffers per hasher also let the
// writer fill the next chunk while the importer hashes the previous one.
type CIDHasher struct {
	cur   []byte        // chunk being filled by Write; nil when none
	full  chan []byte   // filled chunks, in order, to the importer; closed by Sum
	free  chan []byte   // buffers the importer is done with
	quit  chan struct{} // closed by Abort
	done  chan struct{} // closed when the importer has returned
	owned int           // buffers taken from the pool, ≤ hasherBuffers
	ended bool          // Sum or Abort was called
	root  cid.Cid
	err   error
	n     int64
}

// hasherBuffers is how many chunk buffers one hasher uses: one being
// filled, one queued, one being hashed.
const hasherBuffers = 3

// chunkPool holds ChunkSize buffers shared by all hashers, so small files
// (one partial chunk each) do not allocate 256 KiB apiece either.
var chunkPool = sync.Pool{New: func() any { return new([ChunkSize]byte) }}

// poisonReleasedChunks makes the splitter overwrite every buffer it takes
// back, so a test can prove boxo keeps no reference to chunk data.
var poisonReleasedChunks atomic.Bool

// NewCIDHasher starts a hasher; its importer goroutine ends when Sum or Abort
// is called, so every hasher must end with one of them.
func NewCIDHasher() *CIDHasher {
	h := &CIDHasher{
		full: make(chan []byte, hasherBuffers-2),
		free: make(chan []byte, hasherBuffers),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	feed := &chunkFeed{full: h.full, free: h.free, quit: h.quit}
	go func() {
		defer close(h.done)
		h.root, h.err = importCIDv0(feed)
		feed.release()
	}()
	return h
}

// Write feeds bytes to the importer.
func (h *CIDHasher) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if h.cur == nil {
			if err := h.take(); err != nil {
				return written, err
			}
		}
		c := copy(h.cur[len(h.cur):ChunkSize], p)
		h.cur = h.cur[:len(h.cur)+c]
		p = p[c:]
		written += c
		h.n += int64(c)
		if len(h.cur) == ChunkSize {
			if err := h.send(); err != nil {
				return written, err
			}
		}
	}
	return written, nil
}

// take makes h.cur an empty chunk buffer: a new one from the pool while
// the hasher has fewer than hasherBuffers, else the next one the importer
// releases.
func (h *CIDHasher) take() error {
	if h.ended {
		return h.stoppedErr()
	}
	select {
	case b := <-h.free:
		h.cur = b[:0]
		return nil
	default:
	}
	if h.owned < hasherBuffers {
		h.owned++
		h.cur = chunkPool.Get().(*[ChunkSize]byte)[:0]
		return nil
	}
	select {
	case b := <-h.free:
		h.cur = b[:0]
		return nil
	case <-h.done:
		return h.stoppedErr()
	}
}

// send hands the filled h.cur to the importer.
func (h *CIDHasher) send() error {
	select {
	case h.full <- h.cur:
		h.cur = nil
		return nil
	case <-h.done:
		return h.stoppedErr()
	}
}

// stoppedErr is what writes get once the importer is gone.
func (h *CIDHasher) stoppedErr() error {
	select {
	case <-h.done:
		if h.err != nil {
			return h.err
		}
	default:
	}
	return errHasherAborted
}

// Size is the number of bytes hashed so far.
func (h *CIDHasher) Size() int64 { return h.n }

// Sum ends the stream and returns the CIDv0 string of everything written.
func (h *CIDHasher) Sum() (string, error) {
	if h.ended {
		<-h.done
		if h.err != nil {
			return "", fmt.Errorf("compute CID: %w", h.err)
		}
		return h.root.String(), nil
	}
	if len(h.cur) > 0 {
		// The last, partial chunk (an empty one would become an empty leaf).
		if err := h.send(); err != nil {
			h.end()
			return "", fmt.Errorf("compute CID: %w", err)
		}
	}
	close(h.full)
	h.end()
	if h.err != nil {
		return "", fmt.Errorf("compute CID: %w", h.err)
	}
	return h.root.String(), nil
}

// Abort stops the importer without a result; safe to call after Sum.
func (h *CIDHasher) Abort() {
	if h.ended {
		<-h.done
		return
	}
	close(h.quit)
	h.end()
}

// end waits for the importer and gives every buffer back to the pool.
func (h *CIDHasher) end() {
	h.ended = true
	<-h.done
	if h.cur != nil {
		chunkPool.Put((*[ChunkSize]byte)(h.cur[:ChunkSize]))
		h.cur = nil
	}
	for {
		select {
		case b, ok := <-h.full: // queued but never imported (Abort)
			if !ok { // closed by Sum, and empty
				h.full = nil
				continue
			}
			chunkPool.Put((*[ChunkSize]byte)(b[:ChunkSize]))
		case b := <-h.free:
			chunkPool.Put((*[ChunkSize]byte)(b[:ChunkSize]))
		default:
			return
		}
	}
}

var errHasherAborted = errors.New("CID computation aborted")

// chunkFeed is the chunker.Splitter the importer reads: the chunks Write
// filled, in order. The chunk it returned last is released when the next
// one is asked for (the importer is done with it by then).
type chunkFeed struct {
	full <-chan []byte
	free chan<- []byte
	quit <-chan struct{}
	held []byte
}

func (f *chunkFeed) NextBytes() ([]byte, error) {
	f.release()
	select {
	case b, ok := <-f.full:
		if !ok {
			return nil, io.EOF
		}
		f.held = b
		return b, nil
	case <-f.quit:
		return nil, errHasherAborted
	}
}

// release gives the last chunk back to the writer (never blocks: free has
// room for every buffer of the hasher).
func (f *chunkFeed) release() {
	if f.held == nil {
		return
	}
	if poisonReleasedChunks.Load() {
		b := f.held[:cap(f.held)]
		for i := range b {
			b[i] = 0xA5
		}
	}
	f.free <- f.held
	f.held = nil
}

// Reader is part of chunker.Splitter; the importer only uses it to look for
// a filestore path, which a stream has not.
func (f *chunkFeed) Reader() io.Reader { return nil }

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
func importCIDv0(spl chunker.Splitter) (cid.Cid, error) {
	params := helpers.DagBuilderParams{
		Dagserv:    discardDAG{},
		Maxlinks:   helpers.DefaultLinksPerBlock,
		CidBuilder: merkledag.V0CidPrefix(),
	}
	db, err := params.New(spl)
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
