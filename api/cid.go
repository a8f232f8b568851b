package api

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime"
	"strings"
	"sync"

	"github.com/ipfs/go-cid"
	mh "github.com/multiformats/go-multihash"
)

// ChunkSize is IPFS add's default fixed chunk size; dStor hashes with it, so
// a different value would give CIDs the server never answers.
const ChunkSize = 262144

// maxLeafWorkers bounds how many leaves one hasher hashes at once. Each
// one holds a chunk, and beyond 8 cores SHA-256 (about 2 GB/s a core with
// SHA extensions) outruns any disk or network a file comes from.
const maxLeafWorkers = 8

// CIDHasher computes the CIDv0 that `ipfs add` (and dStor) gives a stream
// of bytes, while the bytes are written to it: UnixFS file, 262,144-byte
// chunks, balanced DAG of at most 174 links per node, dag-pb leaves,
// sha2-256 (see cid_dag.go for the bytes). It lets the client and the
// sandbox hash a file in the same pass that sends or stores it, so no file
// is read twice and none is held in memory. Optionally it also computes
// the plain SHA-256 of the bytes ([CIDHasher.EnableSHA256]).
//
// The CID costs SHA-256 over the bytes and little more: a whole chunk is
// hashed where it lies (framing bytes, then the chunk, then framing, into
// SHA-256), and the nodes above the leaves are a few hundred bytes per 174
// chunks. Leaves are independent, so they are hashed on up to GOMAXPROCS
// cores (at most maxLeafWorkers) when the bytes arrive faster than one core
// hashes; the tree is built from their digests in order.
//
// Three ways in, from the cheapest:
//   - [CIDHasher.ReadFrom] (what io.Copy uses) and [CIDHasher.Copy] read
//     whole chunks into the hasher's own pooled buffers and hash them on
//     other cores while the next chunk is read.
//   - [CIDHasher.Write] hashes the whole chunks of its argument in place:
//     several at once in parallel, and it returns once they are hashed.
//   - Bytes that do not fill a chunk, at either end of a Write, are copied
//     into a pooled chunk buffer until it is full.
//
// Memory is bounded: a hasher holds at most one chunk per leaf it hashes
// at once plus the one being filled. End every hasher with Sum or Abort,
// which wait for its leaves and return its buffers. A CIDHasher is not safe
// for concurrent use.
type CIDHasher struct {
	chunk   int // chunk size: ChunkSize outside tests
	workers int // leaves hashed at once by goroutines of the hasher
	tree    dagTree
	cur     []byte     // owned buffer of a partial chunk; nil when none
	queue   []*leafJob // leaves not yet in the tree, in order
	running int        // jobs in queue hashed by a goroutine, not yet joined
	content hash.Hash  // SHA-256 of the bytes; nil unless enabled
	n       int64
	ended   bool
	err     error // why the hasher ended without a result
	root    dagLink
	sum     string
	sha     []byte
}

// leafJob is one leaf on its way into the tree.
type leafJob struct {
	data  []byte        // the chunk: in a pooled buffer, or the caller's
	owned bool          // data is the hasher's buffer, returned after use
	async bool          // a goroutine hashes it and signals done
	done  chan struct{} // capacity 1, reused
	link  dagLink
}

// chunkPool holds ChunkSize buffers shared by all hashers, so small files
// (one partial chunk each) do not allocate 256 KiB apiece either.
var chunkPool = sync.Pool{New: func() any { return new([ChunkSize]byte) }}

// NewCIDHasher returns a hasher with IPFS add's defaults.
func NewCIDHasher() *CIDHasher {
	return newCIDHasher(ChunkSize, maxLinksPerNode, min(runtime.GOMAXPROCS(0), maxLeafWorkers))
}

// newCIDHasher lets tests use small chunks and fan-outs (deep trees from
// little data) and choose the parallelism (1: everything on the caller's
// goroutine).
func newCIDHasher(chunk, fanout, workers int) *CIDHasher {
	if chunk < 1 || chunk > ChunkSize || fanout < 2 || workers < 1 {
		panic(fmt.Sprintf("newCIDHasher(%d, %d, %d): out of range", chunk, fanout, workers))
	}
	return &CIDHasher{chunk: chunk, workers: workers, tree: dagTree{fanout: fanout}}
}

// EnableSHA256 makes the hasher also compute the plain SHA-256 of the
// bytes ([CIDHasher.SHA256]). It must be called before the first byte. It
// costs a second SHA-256 pass on the writer's goroutine, so it is off
// unless asked for.
func (h *CIDHasher) EnableSHA256() {
	if h.n == 0 && h.content == nil {
		h.content = sha256.New()
	}
}

// LimitCores makes the hasher hash leaves on at most n cores; 1 keeps
// everything on the caller's goroutine, as kubo's `ipfs add` does (a
// server hashing many uploads at once gains nothing from spreading one of
// them, and each hand-over to another core costs a wake-up). Call it
// before the first byte; n < 1 counts as 1.
func (h *CIDHasher) LimitCores(n int) {
	if h.n == 0 && len(h.queue) == 0 {
		h.workers = min(h.workers, max(n, 1))
	}
}

// Size is the number of bytes hashed so far.
func (h *CIDHasher) Size() int64 { return h.n }

// Write hashes p: its whole chunks in place (in parallel when there are
// several), the rest through the chunk buffer. It returns once p is no
// longer needed.
func (h *CIDHasher) Write(p []byte) (int, error) {
	if h.ended {
		return 0, h.endedErr()
	}
	written, borrowed := 0, false
	for len(p) > 0 {
		if h.cur != nil || len(p) < h.chunk {
			c := h.fill(p)
			p, written = p[c:], written+c
			continue
		}
		// At a chunk boundary, with a whole chunk in p: hash it in place,
		// on a goroutine when more chunks follow and a core is free (the
		// caller's goroutine hashes too).
		async := len(p) >= 2*h.chunk && h.running < h.workers-1
		h.push(p[:h.chunk], false, async)
		borrowed = true
		h.n += int64(h.chunk)
		p, written = p[h.chunk:], written+h.chunk
	}
	if borrowed {
		h.drain() // p is the caller's again after this
	}
	return written, nil
}

// fill copies the start of p into the partial chunk, hands the chunk on
// when full, and returns how many bytes it took.
func (h *CIDHasher) fill(p []byte) int {
	if h.cur == nil {
		h.cur = h.takeChunk()[:0]
	}
	c := copy(h.cur[len(h.cur):h.chunk], p)
	h.cur = h.cur[:len(h.cur)+c]
	h.n += int64(c)
	if len(h.cur) == h.chunk {
		h.pushOwned(h.cur)
		h.cur = nil
	}
	return c
}

// ReadFrom reads r to its end and hashes what it read; io.Copy uses it.
// The bytes are read straight into the hasher's chunk buffers and hashed
// there, on other cores while the next chunk is read.
func (h *CIDHasher) ReadFrom(r io.Reader) (int64, error) {
	return h.Copy(nil, r)
}

// Copy copies src to dst (when not nil) and hashes the bytes on the way,
// as ReadFrom does: dst gets one Write per chunk (the last may be
// shorter), before the chunk is hashed. It returns the bytes read and the
// first error of src (not io.EOF) or dst; errors pass unwrapped, so the
// caller can tell them apart.
func (h *CIDHasher) Copy(dst io.Writer, src io.Reader) (int64, error) {
	if h.ended {
		return 0, h.endedErr()
	}
	var total int64
	for {
		if h.cur == nil {
			h.cur = h.takeChunk()[:0]
		}
		start := len(h.cur)
		m, rerr := readFull(src, h.cur[start:h.chunk])
		h.cur = h.cur[:start+m]
		h.n += int64(m)
		total += int64(m)
		var werr error
		if m > 0 && dst != nil {
			_, werr = dst.Write(h.cur[start:])
		}
		if len(h.cur) == h.chunk {
			h.pushOwned(h.cur)
			h.cur = nil
		}
		switch {
		case werr != nil:
			return total, werr
		case rerr == io.EOF:
			return total, nil
		case rerr != nil:
			return total, rerr
		}
	}
}

// readFull reads into buf until it is full or r fails. Unlike io.ReadFull
// it passes r's errors through unchanged: a multipart part that ends early
// says io.ErrUnexpectedEOF itself, and that must stay an error.
func readFull(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// takeChunk returns an empty chunk buffer for the hasher to own.
func (h *CIDHasher) takeChunk() []byte {
	if h.chunk == ChunkSize {
		return chunkPool.Get().(*[ChunkSize]byte)[:]
	}
	return make([]byte, h.chunk)
}

// putChunk gives an owned buffer back to the pool.
func (h *CIDHasher) putChunk(b []byte) {
	if cap(b) == ChunkSize {
		chunkPool.Put((*[ChunkSize]byte)(b[:ChunkSize]))
	}
}

// writeOwned hands the hasher b, a buffer from takeChunk holding the next
// bytes of the stream, to hash and then return to the pool: the upload
// body reads the file into such buffers, sends them, then gives them here,
// so the bytes are never copied for hashing.
func (h *CIDHasher) writeOwned(b []byte) error {
	if h.ended {
		h.putChunk(b)
		return h.endedErr()
	}
	if len(b) == h.chunk && h.cur == nil {
		h.n += int64(len(b))
		h.pushOwned(b)
		return nil
	}
	// Not at a chunk boundary, or a partial chunk: through the chunk
	// buffer (a partial chunk may be the last, or be followed by more).
	for p := b; len(p) > 0; {
		p = p[h.fill(p):]
	}
	h.putChunk(b)
	return nil
}

// pushOwned queues a full owned chunk: hashed by a goroutine when the
// hasher may use more than the caller's.
func (h *CIDHasher) pushOwned(b []byte) {
	h.push(b, true, h.workers > 1)
}

// push queues the next leaf. With async it is hashed on its own goroutine,
// after waiting for the oldest when workers are busy; otherwise here.
func (h *CIDHasher) push(data []byte, owned, async bool) {
	if async {
		for h.running >= h.workers {
			h.foldHead()
		}
	}
	j := h.newJob()
	j.data, j.owned, j.async = data, owned, async
	h.queue = append(h.queue, j)
	if async {
		h.running++
		go func() {
			j.link = hashLeaf(j.data)
			j.done <- struct{}{}
		}()
	} else {
		j.link = hashLeaf(data)
	}
	h.foldReady()
}

// leafJobPool recycles jobs (and their channels) across hashers.
var leafJobPool = sync.Pool{New: func() any { return &leafJob{done: make(chan struct{}, 1)} }}

func (h *CIDHasher) newJob() *leafJob { return leafJobPool.Get().(*leafJob) }

// foldReady moves the leaves at the head of the queue that are hashed
// into the tree, without waiting.
func (h *CIDHasher) foldReady() {
	for len(h.queue) > 0 {
		j := h.queue[0]
		if j.async {
			select {
			case <-j.done:
				j.async = false
				h.running--
			default:
				return
			}
		}
		h.foldHead()
	}
}

// foldHead waits for the oldest leaf and moves it into the tree (and its
// bytes into the content SHA-256).
func (h *CIDHasher) foldHead() {
	j := h.queue[0]
	if j.async {
		<-j.done
		j.async = false
		h.running--
	}
	if h.content != nil {
		h.content.Write(j.data)
	}
	h.tree.addLeaf(j.link)
	if j.owned {
		h.putChunk(j.data)
	}
	j.data = nil
	copy(h.queue, h.queue[1:])
	h.queue[len(h.queue)-1] = nil
	h.queue = h.queue[:len(h.queue)-1]
	leafJobPool.Put(j)
}

// drain folds every queued leaf, waiting for their goroutines.
func (h *CIDHasher) drain() {
	for len(h.queue) > 0 {
		h.foldHead()
	}
}

// Sum ends the stream and returns the CIDv0 string of everything written.
// Calling it again returns the same result.
func (h *CIDHasher) Sum() (string, error) {
	if h.ended {
		if h.err != nil {
			return "", fmt.Errorf("compute CID: %w", h.err)
		}
		return h.sum, nil
	}
	if h.cur != nil {
		if len(h.cur) > 0 {
			h.push(h.cur, true, false) // the last, partial chunk
		} else {
			h.putChunk(h.cur)
		}
		h.cur = nil
	}
	h.drain()
	h.end()
	if h.tree.leaves == 0 {
		h.root = emptyFileLink()
	} else {
		h.root = h.tree.root()
	}
	h.sum = cidV0(h.root.digest)
	if h.content != nil {
		h.sha = h.content.Sum(nil)
	}
	return h.sum, nil
}

// DAGSize is the cumulative size of the DAG after Sum: every block's
// bytes, which `ipfs add` answers as Size; 0 before Sum.
func (h *CIDHasher) DAGSize() uint64 { return h.root.tsize }

// SHA256 is the plain SHA-256 of the bytes after Sum, if EnableSHA256 was
// called; nil otherwise.
func (h *CIDHasher) SHA256() []byte { return h.sha }

// Abort ends the hasher without a result: it waits for the leaves being
// hashed and returns the buffers. Safe to call after Sum or twice.
func (h *CIDHasher) Abort() {
	if h.ended {
		return
	}
	for _, j := range h.queue {
		if j.async {
			<-j.done
		}
		if j.owned {
			h.putChunk(j.data)
		}
		j.data = nil
		leafJobPool.Put(j)
	}
	h.queue = nil
	h.running = 0
	if h.cur != nil {
		h.putChunk(h.cur)
		h.cur = nil
	}
	h.end()
	h.err = errHasherAborted
}

// end marks the hasher ended and drops what it kept for reuse.
func (h *CIDHasher) end() {
	h.ended = true
	h.tree.enc = nil
}

// endedErr is what writes get once Sum or Abort was called.
func (h *CIDHasher) endedErr() error {
	if h.err != nil {
		return h.err
	}
	return errHasherEnded
}

var (
	errHasherAborted = errors.New("CID computation aborted")
	errHasherEnded   = errors.New("CID already computed: no more bytes can be added")
)

// cidV0 is the CIDv0 string of a sha2-256 digest: base58btc of its
// multihash.
func cidV0(digest [sha256.Size]byte) string {
	m := make([]byte, 0, 2+sha256.Size)
	m = append(m, mh.SHA2_256, sha256.Size)
	m = append(m, digest[:]...)
	return cid.NewCidV0(mh.Multihash(m)).String()
}

// ComputeCID reads r to the end and returns its CIDv0, for callers that have
// no other use for the bytes (tests, the sandbox's checks).
func ComputeCID(r io.Reader) (string, error) {
	h := NewCIDHasher()
	if _, err := h.ReadFrom(r); err != nil {
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
