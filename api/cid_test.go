package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil/race"
)

// feed is one way of giving a hasher its bytes: each reaches the chunks
// differently (in place, through the chunk buffer, read into owned
// buffers, handed over as owned buffers).
type feed int

const (
	feedOneWrite feed = iota // one Write of everything
	feedUneven               // Writes of uneven sizes, straddling chunks
	feedReadFrom             // ReadFrom a reader that returns uneven pieces
	feedOwned                // chunk-sized owned buffers, as the upload body does
	feedCount
)

func (f feed) String() string {
	return [...]string{"one write", "uneven writes", "ReadFrom", "owned buffers"}[f]
}

// hashFed gives data to h the way f says, cutting pieces at the lengths
// in cuts (cycled; a zero-length cuts means fixed odd sizes), and sums.
func hashFed(h *CIDHasher, data []byte, f feed, cuts []int) (string, error) {
	next := cutter(cuts)
	switch f {
	case feedOneWrite:
		if _, err := h.Write(data); err != nil {
			return "", err
		}
	case feedUneven:
		for rest := data; len(rest) > 0; {
			n := min(len(rest), next())
			if _, err := h.Write(rest[:n]); err != nil {
				return "", err
			}
			rest = rest[n:]
		}
	case feedReadFrom:
		n, err := h.ReadFrom(&piecesReader{data: data, next: next})
		if err != nil {
			return "", err
		}
		if n != int64(len(data)) {
			return "", fmt.Errorf("ReadFrom read %d bytes of %d", n, len(data))
		}
	case feedOwned:
		for rest := data; len(rest) > 0; {
			b := h.takeChunk()
			n := copy(b[:min(len(b), next())], rest)
			if err := h.writeOwned(b[:n]); err != nil {
				return "", err
			}
			rest = rest[n:]
		}
	}
	return h.Sum()
}

// cutter cycles through cuts (each at least 1); without cuts it gives
// sizes that are not multiples of anything interesting.
func cutter(cuts []int) func() int {
	if len(cuts) == 0 {
		cuts = []int{70_001, 1, 262_143, 4096, 300_000, 13}
	}
	i := 0
	return func() int {
		c := cuts[i%len(cuts)]
		i++
		return max(c, 1)
	}
}

// piecesReader hands out data in pieces of the sizes next gives.
type piecesReader struct {
	data []byte
	next func() int
}

func (r *piecesReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), r.next())], r.data)
	r.data = r.data[n:]
	return n, nil
}

// checkAgainstBoxo hashes data every way, with one worker and with
// several, and requires boxo's CID and cumulative size, and the plain
// SHA-256.
func checkAgainstBoxo(t *testing.T, data []byte, chunk, fanout int, cuts []int) {
	t.Helper()
	want, err := boxoImport(bytes.NewReader(data), chunk, fanout)
	require.NoError(t, err)
	wantSHA := sha256.Sum256(data)
	for _, workers := range []int{1, 3} {
		for f := range feedCount {
			h := newCIDHasher(chunk, fanout, workers)
			h.EnableSHA256()
			got, err := hashFed(h, data, f, cuts)
			require.NoError(t, err, "%v, %d workers", f, workers)
			require.Equal(t, want.cid, got, "%d bytes, chunk %d, fan-out %d, %v, %d workers", len(data), chunk, fanout, f, workers)
			require.Equal(t, want.dagSize, h.DAGSize(), "DAG size, %v, %d workers", f, workers)
			require.Equal(t, wantSHA[:], h.SHA256(), "SHA-256, %v, %d workers", f, workers)
			require.Equal(t, int64(len(data)), h.Size())
		}
	}
}

func TestComputeCIDKnownVectors(t *testing.T) {
	tests := []struct {
		name, data, want string
		dagSize          uint64
	}{
		// DSTOR_API.md's vectors, and their sizes as `ipfs add` answers.
		{"empty file", "", "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH", 6},
		{"hello world", "hello world\n", "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ComputeCID(strings.NewReader(tt.data))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.True(t, IsCIDv0(got))
			ref := boxoCIDOf(t, []byte(tt.data))
			assert.Equal(t, tt.want, ref.cid)
			assert.Equal(t, tt.dagSize, ref.dagSize)
			checkAgainstBoxo(t, []byte(tt.data), ChunkSize, maxLinksPerNode, nil)
		})
	}
}

// Every size class of IPFS add's layout with its real chunk size and
// fan-out: no data, a partial chunk, one chunk, two, a full one-level tree
// (174 chunks) and the first two-level ones.
func TestCIDHasherMatchesBoxoEverySizeClass(t *testing.T) {
	data := randomBytes(175*ChunkSize+17, 1)
	sizes := []struct {
		name string
		n    int
	}{
		{"empty", 0},
		{"1 byte", 1},
		{"chunk-1", ChunkSize - 1},
		{"chunk", ChunkSize},
		{"chunk+1", ChunkSize + 1},
		{"2 chunks", 2 * ChunkSize},
		{"174 chunks (one full level)", 174 * ChunkSize},
		{"174 chunks + 1 byte (two levels)", 174*ChunkSize + 1},
		{"175 chunks", 175 * ChunkSize},
		{"175 chunks + 17 bytes", 175*ChunkSize + 17},
	}
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			checkAgainstBoxo(t, data[:sz.n], ChunkSize, maxLinksPerNode, nil)
		})
	}
}

// Deep trees: with a small fan-out (and small chunks) every depth is
// reached with little data; boxo builds the same layout with the same
// parameters. The leaf counts sit on each side of every level's capacity.
func TestCIDHasherMatchesBoxoDeepTrees(t *testing.T) {
	for _, fanout := range []int{2, 3, 5, 174} {
		for _, chunk := range []int{1, 7, 1000} {
			var counts []int
			for c := fanout; c <= 5000 && len(counts) < 12; c *= fanout {
				counts = append(counts, c-1, c, c+1)
			}
			counts = append(counts, 1, 2)
			for _, leaves := range counts {
				for _, short := range []int{0, chunk / 2} { // last chunk full, or not
					n := leaves*chunk - short
					if n < 0 || n > 2<<20 {
						continue
					}
					t.Run(fmt.Sprintf("fanout %d chunk %d leaves %d short %d", fanout, chunk, leaves, short), func(t *testing.T) {
						checkAgainstBoxo(t, randomBytes(n, uint64(n)), chunk, fanout, []int{chunk/2 + 1, 3 * chunk, 1})
					})
				}
			}
		}
	}
}

// Deep trees of real chunks: fan-out 2 and 3 reach four levels in a few
// MiB.
func TestCIDHasherMatchesBoxoDeepTreesRealChunks(t *testing.T) {
	for _, tt := range []struct{ fanout, leaves int }{{2, 17}, {3, 28}, {3, 27}} {
		t.Run(fmt.Sprintf("fanout %d, %d chunks", tt.fanout, tt.leaves), func(t *testing.T) {
			checkAgainstBoxo(t, randomBytes(tt.leaves*ChunkSize-3, uint64(tt.leaves)), ChunkSize, tt.fanout, nil)
		})
	}
}

func TestIsCIDv0(t *testing.T) {
	assert.True(t, IsCIDv0("QmXEJJGbyMVa3jJ9iBATY8D1udATD7m6H7kVV7WoRgUEaT"))
	assert.False(t, IsCIDv0("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"))
	assert.False(t, IsCIDv0("Qm"+strings.Repeat("1", 44)))
	assert.False(t, IsCIDv0(""))
}

// Hashers running at once share the chunk and leaf-hasher pools without
// mixing data.
func TestCIDHashersInParallel(t *testing.T) {
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
			h := NewCIDHasher()
			got[i], errs[i] = hashFed(h, datas[i], feed(i)%feedCount, nil)
			done <- i
		}()
	}
	for range datas {
		<-done
	}
	for i := range datas {
		require.NoError(t, errs[i])
		assert.Equal(t, boxoCIDOf(t, datas[i]).cid, got[i])
	}
}

// Abort with leaves being hashed waits for them (TestMain's leak check
// would see a goroutine left behind) and ends the hasher; Sum after Abort
// fails, Write after Sum fails, Sum twice gives the same answer.
func TestCIDHasherEndStates(t *testing.T) {
	data := randomBytes(9*ChunkSize+1, 3)
	for f := range feedCount {
		h := newCIDHasher(ChunkSize, maxLinksPerNode, 4)
		switch f {
		case feedReadFrom:
			_, err := h.ReadFrom(bytes.NewReader(data))
			require.NoError(t, err)
		case feedOwned:
			require.NoError(t, h.writeOwned(append(h.takeChunk()[:0], data[:ChunkSize]...)))
		default:
			_, err := h.Write(data)
			require.NoError(t, err)
		}
		h.Abort()
		h.Abort()
		_, err := h.Sum()
		assert.ErrorIs(t, err, errHasherAborted, "%v", f)
		_, err = h.Write([]byte("more"))
		assert.Error(t, err)
		assert.Error(t, h.writeOwned(h.takeChunk()))
	}

	h := NewCIDHasher()
	_, err := h.Write([]byte("hello world\n"))
	require.NoError(t, err)
	sum, err := h.Sum()
	require.NoError(t, err)
	assert.Equal(t, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", sum)
	again, err := h.Sum()
	require.NoError(t, err)
	assert.Equal(t, sum, again)
	_, err = h.Write([]byte("more"))
	assert.ErrorIs(t, err, errHasherEnded)
	_, err = h.ReadFrom(strings.NewReader("more"))
	assert.ErrorIs(t, err, errHasherEnded)
	assert.Nil(t, h.SHA256(), "SHA-256 was not asked for")
	h.Abort()
}

// Copy hands dst every byte once, in chunk-sized writes, and returns the
// reader's and the writer's errors as they are; a part that ends early
// (io.ErrUnexpectedEOF from the reader) stays an error.
func TestCIDHasherCopy(t *testing.T) {
	data := randomBytes(3*ChunkSize+5, 4)
	var dst recordingWriter
	h := NewCIDHasher()
	n, err := h.Copy(&dst, &piecesReader{data: data, next: cutter(nil)})
	require.NoError(t, err)
	assert.Equal(t, int64(len(data)), n)
	assert.Equal(t, data, dst.buf.Bytes())
	assert.Equal(t, []int{ChunkSize, ChunkSize, ChunkSize, 5}, dst.writes)
	got, err := h.Sum()
	require.NoError(t, err)
	assert.Equal(t, boxoCIDOf(t, data).cid, got)

	h = NewCIDHasher()
	_, err = h.Copy(io.Discard, io.MultiReader(bytes.NewReader(data[:100]), errReader{io.ErrUnexpectedEOF}))
	assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
	h.Abort()

	h = NewCIDHasher()
	errDisk := fmt.Errorf("disk full")
	_, err = h.Copy(failingWriter{errDisk}, bytes.NewReader(data))
	assert.ErrorIs(t, err, errDisk)
	h.Abort()
}

type recordingWriter struct {
	buf    bytes.Buffer
	writes []int
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, len(p))
	return w.buf.Write(p)
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }

// EnableSHA256 after the first byte is ignored: a digest of part of the
// stream would be a wrong receipt.
func TestCIDHasherSHA256OnlyFromTheStart(t *testing.T) {
	h := NewCIDHasher()
	_, err := h.Write([]byte("a"))
	require.NoError(t, err)
	h.EnableSHA256()
	_, err = h.Sum()
	require.NoError(t, err)
	assert.Nil(t, h.SHA256())
}

// The hot paths make no garbage proportional to the bytes: whole chunks
// written in place, or read into pooled buffers, allocate a few objects
// per hasher (and, with parallel leaves, one small closure per chunk), so
// the collector has nothing to do while a file is hashed.
func TestCIDHasherAllocations(t *testing.T) {
	if race.Enabled {
		t.Skip("the race detector makes sync.Pool drop objects at random")
	}
	data := randomBytes(32*ChunkSize, 5)
	for _, workers := range []int{1, 2} {
		for _, f := range []feed{feedOneWrite, feedReadFrom, feedOwned} {
			allocs := testing.AllocsPerRun(5, func() {
				h := newCIDHasher(ChunkSize, maxLinksPerNode, workers)
				_, err := hashFed(h, data, f, []int{ChunkSize})
				require.NoError(t, err)
			})
			limit := 24.0
			if workers > 1 {
				limit += 2 * 32
			}
			assert.LessOrEqual(t, allocs, limit, "%v, %d workers: allocations per 8 MiB", f, workers)
		}
	}
}

// LimitCores caps the hasher's parallelism before the first byte (0 counts
// as 1) and is ignored after it; the CID is the same either way.
func TestCIDHasherLimitCores(t *testing.T) {
	h := newCIDHasher(ChunkSize, maxLinksPerNode, 4)
	h.LimitCores(0)
	assert.Equal(t, 1, h.workers)
	h.LimitCores(3)
	assert.Equal(t, 1, h.workers, "a limit never rises")

	h = newCIDHasher(ChunkSize, maxLinksPerNode, 4)
	h.LimitCores(2)
	data := randomBytes(5*ChunkSize+3, 8)
	got, err := hashFed(h, data, feedReadFrom, nil)
	require.NoError(t, err)
	assert.Equal(t, boxoCIDOf(t, data).cid, got)
	h.LimitCores(1)
	assert.Equal(t, 2, h.workers, "ignored once bytes were hashed")
}

// FileCID gives the CID an upload would be answered with, refuses what an
// upload refuses, and stops when its context is canceled.
func TestFileCID(t *testing.T) {
	for _, size := range []int{0, 12, 3*ChunkSize + 5} {
		data := randomBytes(size, uint64(size)+21)
		got, err := FileCID(t.Context(), testfs.WriteTemp(t, "f.bin", data))
		require.NoError(t, err)
		assert.Equal(t, boxoCIDOf(t, data).cid, got, "size %d", size)
	}

	_, err := FileCID(t.Context(), t.TempDir())
	var ve *ValidationError
	assert.ErrorAs(t, err, &ve)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = FileCID(ctx, testfs.WriteTemp(t, "g.bin", randomBytes(ChunkSize, 22)))
	assert.ErrorIs(t, err, context.Canceled)
}
