package api

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"math/bits"
	"sync"
)

// This file holds the bytes of the DAG that `ipfs add` builds with its
// defaults, written without an encoder: a leaf's dag-pb block is a few
// bytes of framing, the chunk, and a few more, so its SHA-256 is fed
// straight from the chunk; a node above the leaves is a few dozen bytes per
// link. boxo's importer (the reference, used by the tests only) encodes the
// same bytes through protobuf and dag-pb codecs.
//
// A leaf of n > 0 bytes is the dag-pb node {Data: unixfs} where unixfs is
// {Type: File, Data: chunk, filesize: n}:
//
//	0a L  08 02  12 n <chunk>  18 n        (L, n as varints)
//
// The empty file is the same without the Data field: 0a 04 08 02 18 00.
// A node above the leaves lists its links first, then its unixfs data
// {Type: File, filesize: total, blocksizes: each child's file bytes}:
//
//	per link:  12 len  0a 22 <34-byte multihash>  12 00  18 tsize
//	then:      0a len  08 02  18 total  (20 blocksize)...
//
// tsize is the child's cumulative size: its block plus everything under
// it, which is also what `ipfs add` answers as Size for the root.

// maxLinksPerNode is IPFS add's fan-out (boxo's
// helpers.DefaultLinksPerBlock): at most 174 links per node.
const maxLinksPerNode = 174

// dagLink is one node as its parent links to it.
type dagLink struct {
	digest [sha256.Size]byte // SHA-256 of the node's block
	tsize  uint64            // cumulative size: the block and all below it
	fsize  uint64            // file bytes under the node
}

// uvarintLen is how many bytes x takes as a protobuf varint.
func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// leafFraming is what goes before and after an n-byte chunk in its leaf
// block; pre and suf must have room for 16 and 10 bytes. It returns how
// many bytes of each it wrote.
func leafFraming(n int, pre, suf []byte) (npre, nsuf int) {
	un := uint64(n)
	unixfs := 2 + 1 + uvarintLen(un) // Type, filesize
	if n > 0 {
		unixfs += 1 + uvarintLen(un) + n // Data
	}
	b := append(pre[:0], 0x0a)
	b = binary.AppendUvarint(b, uint64(unixfs))
	b = append(b, 0x08, 0x02)
	if n > 0 {
		b = append(b, 0x12)
		b = binary.AppendUvarint(b, un)
	}
	s := append(suf[:0], 0x18)
	s = binary.AppendUvarint(s, un)
	return len(b), len(s)
}

// leafHasher hashes leaves; one per goroutine that hashes, from a pool.
type leafHasher struct {
	h        hash.Hash
	pre, suf [16]byte
	sum      [sha256.Size]byte
}

var leafHasherPool = sync.Pool{New: func() any { return &leafHasher{h: sha256.New()} }}

// hashLeaf returns the link to the leaf that holds chunk: framing, then the
// chunk itself (read in place, never copied), then framing, into SHA-256.
func hashLeaf(chunk []byte) dagLink {
	lh := leafHasherPool.Get().(*leafHasher)
	defer leafHasherPool.Put(lh)
	np, ns := leafFraming(len(chunk), lh.pre[:], lh.suf[:])
	lh.h.Reset()
	lh.h.Write(lh.pre[:np])
	lh.h.Write(chunk)
	lh.h.Write(lh.suf[:ns])
	lh.h.Sum(lh.sum[:0])
	return dagLink{
		digest: lh.sum,
		tsize:  uint64(np + len(chunk) + ns),
		fsize:  uint64(len(chunk)),
	}
}

// dagTree builds the balanced layout of boxo's importer from the leaves,
// in order, holding at most fanout links per level: the nodes still open
// on the right edge of the tree.
//
// boxo's layout is left-packed: every node is filled with fanout children
// before the next one starts, and a tree of depth d (d ≥ 1 above the
// leaves) takes up to fanout^d leaves before it becomes the first child of
// a new root. So a node is closed only when one more link arrives for its
// level (a full level), and Sum closes the right edge from the bottom up;
// a node closed with one child still becomes a node (as boxo's does).
type dagTree struct {
	fanout int
	levels [][]dagLink // levels[0]: leaves of the open bottom node
	leaves int64
	enc    []byte // the node being encoded, reused
}

// addLeaf appends the next leaf.
func (t *dagTree) addLeaf(l dagLink) {
	t.leaves++
	t.add(0, l)
}

func (t *dagTree) add(level int, l dagLink) {
	if level == len(t.levels) {
		t.levels = append(t.levels, nil)
	}
	if len(t.levels[level]) == t.fanout {
		parent := t.close(level)
		t.add(level+1, parent)
	}
	t.levels[level] = append(t.levels[level], l)
}

// root closes the right edge and returns the root; the tree must have at
// least one leaf. A single leaf is its own root.
func (t *dagTree) root() dagLink {
	if len(t.levels) == 1 && len(t.levels[0]) == 1 {
		return t.levels[0][0]
	}
	for level := 0; ; level++ {
		node := t.close(level)
		if level == len(t.levels)-1 {
			return node
		}
		t.add(level+1, node)
	}
}

// close encodes the open node of a level from its links and empties it.
func (t *dagTree) close(level int) dagLink {
	links := t.levels[level]
	t.levels[level] = links[:0]
	var cum, total uint64
	unixfs := 2 + 1 // Type; filesize follows
	for _, l := range links {
		cum += l.tsize
		total += l.fsize
		unixfs += 1 + uvarintLen(l.fsize)
	}
	unixfs += uvarintLen(total)

	if t.enc == nil {
		t.enc = make([]byte, 0, t.fanout*(2+41+binary.MaxVarintLen64)+32)
	}
	b := t.enc[:0]
	for _, l := range links {
		b = append(b, 0x12)
		b = binary.AppendUvarint(b, uint64(2+2+sha256.Size+2+1+uvarintLen(l.tsize)))
		b = append(b, 0x0a, 0x22, 0x12, 0x20) // Hash: a sha2-256 multihash
		b = append(b, l.digest[:]...)
		b = append(b, 0x12, 0x00, 0x18) // Name: ""; Tsize
		b = binary.AppendUvarint(b, l.tsize)
	}
	b = append(b, 0x0a)
	b = binary.AppendUvarint(b, uint64(unixfs))
	b = append(b, 0x08, 0x02, 0x18)
	b = binary.AppendUvarint(b, total)
	for _, l := range links {
		b = append(b, 0x20)
		b = binary.AppendUvarint(b, l.fsize)
	}
	t.enc = b
	return dagLink{digest: sha256.Sum256(b), tsize: uint64(len(b)) + cum, fsize: total}
}

// emptyFileLink is the root of the empty file: a leaf without data.
func emptyFileLink() dagLink { return hashLeaf(nil) }
