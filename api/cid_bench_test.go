package api

import (
	"crypto/sha256"
	"io"
	"os"
	"testing"
	"time"
)

// benchFileEnv names a file for BenchmarkCIDPass to hash (make bench sets
// it to a 1 GiB file); without it the benchmark hashes 64 MiB held in
// memory, which is enough to keep it compiling and roughly honest.
const benchFileEnv = "DSTOR_BENCH_CID_FILE"

// benchSource opens the benchmark's input once per pass.
type benchSource struct {
	path string
	data []byte
	size int64
}

func newBenchSource(b *testing.B) benchSource {
	if p := os.Getenv(benchFileEnv); p != "" {
		st, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		return benchSource{path: p, size: st.Size()}
	}
	data := randomBytes(64<<20, 7)
	return benchSource{data: data, size: int64(len(data))}
}

// pass feeds the whole input to w in copyBufferSize writes, as the upload
// body does, and returns how long it took (including finish).
func (s benchSource) pass(b *testing.B, w io.Writer, finish func()) time.Duration {
	buf := make([]byte, copyBufferSize)
	start := time.Now()
	if s.path == "" {
		for rest := s.data; len(rest) > 0; {
			n := min(len(rest), len(buf))
			if _, err := w.Write(rest[:n]); err != nil {
				b.Fatal(err)
			}
			rest = rest[n:]
		}
	} else {
		f, err := os.Open(s.path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.CopyBuffer(w, struct{ io.Reader }{f}, buf); err != nil {
			b.Fatal(err)
		}
		_ = f.Close()
	}
	finish()
	return time.Since(start)
}

// BenchmarkCIDPass measures the client's CID pass (a CIDHasher fed in
// upload-sized writes) against plain crypto/sha256 over the same bytes, in
// the same benchmark, alternating the two: the CID is sha2-256 over the
// same bytes plus small protobuf wrappers, so sha256 is the limit. It
// reports both speeds and their ratio (cid/sha256, the target is
// ≥ 0.7) as the median over b.N alternations.
func BenchmarkCIDPass(b *testing.B) {
	src := newBenchSource(b)
	var cidTimes, shaTimes []time.Duration
	b.SetBytes(src.size)
	b.ResetTimer()
	for range b.N {
		sh := sha256.New()
		shaTimes = append(shaTimes, src.pass(b, sh, func() { _ = sh.Sum(nil) }))

		h := NewCIDHasher()
		cidTimes = append(cidTimes, src.pass(b, h, func() {
			if _, err := h.Sum(); err != nil {
				b.Fatal(err)
			}
		}))
	}
	b.StopTimer()
	mbps := func(d time.Duration) float64 { return float64(src.size) / 1e6 / d.Seconds() }
	cid, sha := medianDuration(cidTimes), medianDuration(shaTimes)
	b.ReportMetric(mbps(cid), "cid-MB/s")
	b.ReportMetric(mbps(sha), "sha256-MB/s")
	b.ReportMetric(sha.Seconds()/cid.Seconds(), "cid/sha256")
}

// BenchmarkCIDHasher is the CID pass alone, for profiling
// (-cpuprofile, -memprofile).
func BenchmarkCIDHasher(b *testing.B) {
	src := newBenchSource(b)
	b.SetBytes(src.size)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		h := NewCIDHasher()
		src.pass(b, h, func() {
			if _, err := h.Sum(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

func medianDuration(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	return s[len(s)/2]
}
