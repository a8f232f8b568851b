package api

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1", 1},
		{"64000", 64000},
		{"500K", 500 << 10},
		{"500k", 500 << 10},
		{"2M", 2 << 20},
		{"2m", 2 << 20},
		{"1.5M", 3 << 19},
		{"1G", 1 << 30},
		{" 8M/s ", 8 << 20},
		{"8m/S", 8 << 20}, // the unit takes either case: so does its "/s"
		{"500/S", 500},
		{"1024G", 1 << 40},
	}
	for _, tt := range tests {
		got, err := ParseRate(tt.in)
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
	for _, bad := range []string{"", "K", "-1", "-2M", "fast", "2MB", "2 M", "1e6", "0x10", "inf", "NaN", "+5", "1.5.5", "2T", "1025G", "0.5"} {
		_, err := ParseRate(bad)
		assert.Error(t, err, "%q", bad)
	}
}

func TestFormatRateReadsBack(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0"}, {1, "1"}, {1000, "1000"}, {1 << 10, "1K"}, {500 << 10, "500K"}, {8 << 20, "8M"},
		{3 << 19, "1536K"}, {1 << 30, "1G"}, {1<<20 + 1, "1048577"}, {1363148, "1.3M"}, {1000000, "1000000"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FormatRate(tt.in), "%d", tt.in)
	}
	// Settings shows the saved limit as FormatRate writes it and saves
	// the field again when it is left: a limit typed as 1000000 showed as
	// "976.6K" and, the field left, became 1000038.
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ns := []int64{0, 1, 999, 1 << 10, 500 << 10, 8 << 20, 3 << 19, 5 << 30, 1000000, 1<<20 + 1, 1363148, maxRate}
	for range 1000 {
		ns = append(ns, rng.Int64N(maxRate+1), rng.Int64N(1<<24))
	}
	for _, n := range ns {
		got, err := ParseRate(FormatRate(n))
		require.NoError(t, err)
		require.Equal(t, n, got, "%d written as %q reads back", n, FormatRate(n))
	}
}

// arrivals records when the server received how many body bytes, across
// all uploads at once.
type arrivals struct {
	mu    sync.Mutex
	total int64
	log   []arrival
	first chan struct{} // closed at the first byte
	once  sync.Once
}

type arrival struct {
	at    time.Time
	total int64 // bytes received by then, all uploads together
}

func newArrivals() *arrivals { return &arrivals{first: make(chan struct{})} }

func (a *arrivals) body(r io.ReadCloser) io.ReadCloser {
	return struct {
		io.Reader
		io.Closer
	}{readerFunc(func(p []byte) (int, error) {
		n, err := r.Read(p)
		if n > 0 {
			a.mu.Lock()
			a.total += int64(n)
			a.log = append(a.log, arrival{at: time.Now(), total: a.total})
			a.mu.Unlock()
			a.once.Do(func() { close(a.first) })
		}
		return n, err
	}), r}
}

func (a *arrivals) snapshot() []arrival {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]arrival(nil), a.log...)
}

type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// countArrivals makes f count the body bytes of every upload as they
// arrive, and answer as usual.
func countArrivals(f *fakeDStor) *arrivals {
	a := newArrivals()
	f.onAdd = func(w http.ResponseWriter, r *http.Request) {
		r.Body = a.body(r.Body)
		rec := readUpload(r)
		if rec.Err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"message": "bad multipart body"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"Name": rec.FileName, "Hash": rec.CID, "Size": itoa(len(rec.Data))})
	}
	return a
}

// checkUnderLimit checks, in bytes, that the server never had more than
// a token bucket of burst bytes refilled at bps allows since since: a
// server that reads late (a busy machine) only lowers the count, so the
// bound holds whatever the load. It returns the bytes counted.
func checkUnderLimit(t *testing.T, log []arrival, since time.Time, bps, burst int64) int64 {
	t.Helper()
	var last int64
	for _, a := range log {
		allowed := burst + int64(a.at.Sub(since).Seconds()*float64(bps))
		require.LessOrEqual(t, a.total, allowed, "at %s the server had %d bytes; the limit allows %d",
			a.at.Sub(since).Round(time.Millisecond), a.total, allowed)
		last = a.total
	}
	return last
}

// The limit holds for all uploads of a client together: three uploads at
// once stay, all together, under one limit.
func TestUploadRateIsSharedByAllUploads(t *testing.T) {
	f := newFakeDStor(t)
	a := countArrivals(f)
	c := f.client(nil)
	tok := validToken(t)
	const bps = 512 << 10
	const size = 256 << 10
	since := time.Now() // before the limit: the bucket starts with at most one burst
	c.SetUploadRate(bps)
	assert.Equal(t, int64(bps), c.UploadRate())
	burst := int64(c.limit.lim.Burst())
	assert.Equal(t, int64(bps/8), burst, "an eighth of a second's worth")

	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		path := testfs.WriteTemp(t, fmt.Sprintf("f%d.bin", i), patterned(size+i))
		wg.Go(func() {
			res, err := c.Upload(t.Context(), tok, UploadRequest{Path: path})
			if err == nil && !res.Verified {
				err = fmt.Errorf("not verified")
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	got := checkUnderLimit(t, a.snapshot(), since, bps, burst)
	assert.Greater(t, got, int64(3*size), "every file's bytes (and the multipart framing) arrived")
	t.Logf("%d bytes in %s at a limit of %d B/s", got, time.Since(since).Round(time.Millisecond), bps)
}

// The limit can change while an upload runs: lifted, the upload that would
// take minutes at the old limit ends at once.
func TestUploadRateChangesWhileUploading(t *testing.T) {
	f := newFakeDStor(t)
	a := countArrivals(f)
	c := f.client(nil)
	const bps = 4 << 10
	since := time.Now()
	c.SetUploadRate(bps) // 1 MiB would take more than four minutes
	path := testfs.WriteTemp(t, "big.bin", patterned(1<<20))
	done := make(chan error, 1)
	go func() {
		_, err := c.Upload(t.Context(), validToken(t), UploadRequest{Path: path})
		done <- err
	}()
	<-a.first
	before := checkUnderLimit(t, a.snapshot(), since, bps, int64(c.limit.lim.Burst()))
	assert.Less(t, before, int64(1<<20))

	c.SetUploadRate(0)
	assert.Zero(t, c.UploadRate())
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(time.Minute): // a hang guard; lifted, it takes milliseconds
		t.Fatal("the upload still crawls after the limit was lifted")
	}
	assert.Greater(t, a.snapshot()[len(a.snapshot())-1].total, int64(1<<20))
}

// Canceling an upload that waits for the limit ends it at once.
func TestUploadRateWaitEndsWithTheContext(t *testing.T) {
	f := newFakeDStor(t)
	a := countArrivals(f)
	c := f.client(nil)
	// 16 MiB would take 17 minutes; the first bytes reach the server once
	// the connection's 64 KiB write buffer is full, after 4 s (at 1 KiB/s
	// that took 64 s).
	c.SetUploadRate(16 << 10)
	path := testfs.WriteTemp(t, "big.bin", patterned(16<<20))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.Upload(ctx, validToken(t), UploadRequest{Path: path})
		done <- err
	}()
	started := time.Now()
	<-a.first
	t.Logf("first bytes at the server after %s", time.Since(started).Round(time.Millisecond))
	cancel()
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(time.Minute):
		t.Fatal("the canceled upload still waits for the limit")
	}
}

// BenchmarkUploadLimitRate is `make bench`'s speed-limit case: 64 MiB in
// four uploads at once through one client limited to 8 MiB/s, counted as
// the server receives them. It reports the average rate as a ratio to the
// limit and the busiest second (any 1-second window of arrivals) as a
// ratio to the limit. About 8 seconds per iteration.
func BenchmarkUploadLimitRate(b *testing.B) {
	const limit = 8 << 20
	const files, size = 4, 16 << 20
	paths := make([]string, files)
	for i := range paths {
		paths[i] = testfs.WriteTemp(b, fmt.Sprintf("f%d.bin", i), patterned(size+i))
	}
	var avg, busiest []float64
	for range b.N {
		f := newFakeDStor(b)
		a := countArrivals(f)
		c := f.client(nil)
		tok := validToken(b)
		start := time.Now()
		c.SetUploadRate(limit)
		var wg sync.WaitGroup
		for _, p := range paths {
			wg.Go(func() {
				if _, err := c.Upload(b.Context(), tok, UploadRequest{Path: p}); err != nil {
					b.Error(err)
				}
			})
		}
		wg.Wait()
		log := a.snapshot()
		last := log[len(log)-1]
		avg = append(avg, float64(last.total)/last.at.Sub(start).Seconds()/limit)
		busiest = append(busiest, float64(busiestSecond(log))/limit)
	}
	b.ReportMetric(median(avg), "avg/limit")
	b.ReportMetric(median(busiest), "busiest-1s/limit")
}

// busiestSecond is the most bytes that arrived within any one second.
func busiestSecond(log []arrival) int64 {
	var most int64
	from := 0
	for _, a := range log {
		for a.at.Sub(log[from].at) > time.Second {
			from++
		}
		var before int64
		if from > 0 {
			before = log[from-1].total
		}
		most = max(most, a.total-before)
	}
	return most
}

// TestUploadRateBucket: the bucket holds an eighth of a second's worth (at
// most maxRateBurst), and it starts empty whenever a limit is set, so the
// first second carries no burst above the limit.
func TestUploadRateBucket(t *testing.T) {
	for _, tc := range []struct {
		bps, burst int64
	}{
		{4 << 10, 512},
		{512 << 10, 64 << 10},
		{8 << 20, 1 << 20},
		{1 << 30, maxRateBurst},
	} {
		t.Run(FormatRate(tc.bps), func(t *testing.T) {
			c := newFakeDStor(t).client(nil)
			for _, bps := range []int64{tc.bps, tc.bps / 2, tc.bps} { // set, lowered, raised
				set := time.Now()
				c.SetUploadRate(bps)
				tokens := c.limit.lim.Tokens()
				refilled := time.Since(set).Seconds() * float64(bps)
				assert.LessOrEqual(t, tokens, refilled+1, "the bucket starts empty (limit %d B/s)", bps)
			}
			assert.Equal(t, int(tc.burst), c.limit.lim.Burst())
		})
	}
}
