package api

import (
	"bytes"
	"testing"
)

// FuzzCIDHasherMatchesBoxo compares the hasher with boxo's importer on
// random sizes, random split points of the writes (or reads), each way of
// feeding it and each parallelism. Half the inputs use IPFS add's real
// chunk size and a small fan-out (a few chunks already make three levels)
// or the real one; the other half use tiny chunks and fan-outs, so one
// input of a few KiB reaches six or more levels.
func FuzzCIDHasherMatchesBoxo(f *testing.F) {
	f.Add(uint64(1), uint32(0), uint8(0), []byte{})
	f.Add(uint64(2), uint32(12), uint8(1), []byte{1, 2, 3})
	f.Add(uint64(3), uint32(ChunkSize), uint8(2), []byte{255, 0, 17})
	f.Add(uint64(4), uint32(3*ChunkSize+1), uint8(3), []byte{7})
	f.Add(uint64(5), uint32(4096), uint8(0x81), []byte{3, 9, 200})
	f.Add(uint64(6), uint32(1<<20-1), uint8(0xff), []byte{64, 1})
	f.Fuzz(func(t *testing.T, seed uint64, size uint32, shape uint8, cutBytes []byte) {
		chunk, fanout, n := fuzzShape(seed, size, shape)
		f := feed(shape>>1) % feedCount
		workers := 1 + int(shape>>3)%3
		cuts := make([]int, len(cutBytes))
		for i, c := range cutBytes {
			// Cuts from 1 byte to just over two chunks.
			cuts[i] = 1 + int(c)*int(c)*(2*chunk+1)/(255*255)
		}
		data := randomBytes(n, seed)
		want, err := boxoImport(bytes.NewReader(data), chunk, fanout)
		if err != nil {
			t.Fatal(err)
		}
		h := newCIDHasher(chunk, fanout, workers)
		got, err := hashFed(h, data, f, cuts)
		if err != nil {
			t.Fatal(err)
		}
		if got != want.cid || h.DAGSize() != want.dagSize {
			t.Fatalf("%d bytes, chunk %d, fan-out %d, %v, %d workers, cuts %v: got %s (size %d), boxo %s (size %d)",
				n, chunk, fanout, f, workers, cuts, got, h.DAGSize(), want.cid, want.dagSize)
		}
	})
}

// fuzzShape picks the chunk size, fan-out and data size of one input.
func fuzzShape(seed uint64, size uint32, shape uint8) (chunk, fanout, n int) {
	if shape&1 == 0 {
		fanout = []int{2, 3, maxLinksPerNode}[seed%3]
		return ChunkSize, fanout, int(size % (4*ChunkSize + 1))
	}
	chunk = 1 + int(seed>>8)%32
	fanout = 2 + int(seed>>16)%5
	return chunk, fanout, int(size % 8192)
}
