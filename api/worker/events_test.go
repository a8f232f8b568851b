package worker

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fakeUpload puts a job in "uploading" without a real upload, so progress
// can be driven by hand. It returns the job and its run generation.
func fakeUpload(q *Queue, id string, size int64) (*job, uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	j := &job{row: storage.JobRow{ID: id, Name: id, Size: size, State: storage.JobUploading}, run: 1, unsaved: true}
	q.active[id] = j
	q.count(j)
	return j, j.run
}

func TestProgressCoalescingSpeedAndETA(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	clock := &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	cfg := e.config()
	cfg.Now = clock.Now
	q := e.queue(cfg)
	events, stop := q.Subscribe(10_000)
	defer stop()

	// settle waits until the subscriber took every pending event, so this
	// test measures the queue's own rate limit, not a slow reader's
	// coalescing.
	q.mu.Lock()
	var sub *subscriber
	for s := range q.subs {
		sub = s
	}
	q.mu.Unlock()
	settle := func() {
		for {
			sub.mu.Lock()
			empty := sub.head == len(sub.items)
			sub.mu.Unlock()
			if empty {
				return
			}
			runtime.Gosched()
		}
	}

	const size = 20_000_000
	j, gen := fakeUpload(q, "job-a", size)
	other, otherGen := fakeUpload(q, "job-b", size)
	// 10 s at 1 MB/s, one callback every 10 ms (as a transport would).
	var sent int64
	for range 1000 {
		clock.Add(10 * time.Millisecond)
		sent += 10_000
		q.progress(j, gen, sent, size)
		q.progress(other, otherGen, sent/2, size)
		settle()
	}
	s := q.Summary()
	assert.EqualValues(t, sent+sent/2, s.BytesDone, "in-flight bytes count as done bytes")
	assert.EqualValues(t, 2*size, s.BytesTotal)

	var progress []Event
	drain(events, 100*time.Millisecond, func(ev Event) {
		if ev.Job.ID == "job-a" {
			progress = append(progress, ev)
		}
	})
	// 4 per second at most: 10 s → 40, plus the very first.
	assert.LessOrEqual(t, len(progress), 41)
	assert.GreaterOrEqual(t, len(progress), 35, "still a steady stream")
	for i := 1; i < len(progress); i++ {
		assert.GreaterOrEqual(t, progress[i].Job.Sent, progress[i-1].Job.Sent)
	}

	got, ok := q.Job("job-a")
	require.True(t, ok)
	assert.InEpsilon(t, 1e6, got.Speed, 0.01, "speed is the moving average: 1 MB/s")
	assert.InDelta(t, 10*time.Second, got.ETA, float64(200*time.Millisecond), "10 MB left at 1 MB/s")
	gotB, _ := q.Job("job-b")
	assert.InEpsilon(t, 0.5e6, gotB.Speed, 0.01)

	// The speed follows a change within a few seconds.
	for range 300 { // 3 s at 2 MB/s
		clock.Add(10 * time.Millisecond)
		sent += 20_000
		q.progress(j, gen, sent, size)
	}
	got, _ = q.Job("job-a")
	assert.Greater(t, got.Speed, 1.6e6)
	assert.Less(t, got.Speed, 2.01e6)

	// A stale attempt's callbacks are ignored.
	q.progress(j, gen-1, 1, size)
	got, _ = q.Job("job-a")
	assert.Equal(t, sent, got.Sent)
}

func TestSlowSubscriberKeepsStateChangesAndLatestProgress(t *testing.T) {
	s := newSubscriber(0)
	job := func(id string, st storage.JobState, sent int64) Event {
		return Event{Kind: JobChanged, Job: Job{ID: id, State: st, Sent: sent}}
	}
	s.push(job("a", storage.JobUploading, 0), false, nil)
	for i := range 100 {
		s.push(job("a", storage.JobUploading, int64(i)), true, nil)
		s.push(job("b", storage.JobUploading, int64(i)), true, nil)
	}
	s.push(job("a", storage.JobDone, 100), false, nil)
	s.push(job("a", storage.JobDone, 100), true, nil) // after a state change: not merged into the earlier one
	s.push(job("b", storage.JobUploading, 1000), true, nil)

	var got []string
	for {
		ev, ok := s.pop()
		if !ok {
			break
		}
		got = append(got, fmt.Sprintf("%s:%s:%d", ev.Job.ID, ev.Job.State, ev.Job.Sent))
	}
	assert.Equal(t, []string{
		"a:uploading:0",
		"a:uploading:99",
		"b:uploading:1000",
		"a:done:100",
		"a:done:100",
	}, got)
	assert.Empty(t, s.progress)
}

func TestSubscriberCompaction(t *testing.T) {
	s := newSubscriber(0)
	for i := range 5000 {
		s.push(Event{Kind: JobChanged, Job: Job{ID: fmt.Sprint(i % 7), Sent: int64(i)}}, i%3 == 0, nil)
		if i%2 == 0 {
			_, ok := s.pop()
			require.True(t, ok)
		}
	}
	for id, i := range s.progress {
		require.Less(t, i, len(s.items))
		require.GreaterOrEqual(t, i, s.head)
		require.Equal(t, id, s.items[i].Job.ID)
	}
	n := 0
	for {
		if _, ok := s.pop(); !ok {
			break
		}
		n++
	}
	assert.Positive(t, n)
	assert.Empty(t, s.progress)
	assert.Zero(t, s.head)
}

func TestLiveProgressEventsAreCoalesced(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	f := e.write("big.bin", testutil.Content("big", 24<<20))
	q := e.queue(e.config())
	events, stop := q.Subscribe(0)
	defer stop()
	q.Add(Request{Path: f})
	var first, last time.Time
	n := 0
	for ev := range events {
		if ev.Job.State == storage.JobUploading && ev.Job.Sent > 0 {
			if n == 0 {
				first = time.Now()
			}
			last = time.Now()
			n++
		}
		if ev.Job.State.Final() {
			require.Equal(t, storage.JobDone, ev.Job.State, ev.Job.Err)
			break
		}
	}
	elapsed := last.Sub(first).Seconds()
	t.Logf("%d progress events in %.2f s", n, elapsed)
	assert.LessOrEqual(t, float64(n), 5*math.Ceil(elapsed)+1)
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := goleak.IgnoreCurrent()                         // e.g. the shared sandbox of other tests
	e := newTestEnv(t, sandbox.Config{DataDir: t.TempDir()}) // its own server, closed below
	for i := range 30 {
		e.write(fmt.Sprintf("g/%02d/%02d.txt", i%3, i), testutil.Content(fmt.Sprint(i), 100))
	}
	e.srv.InjectFault(sandbox.Fault{Path: addPath, Stall: 30 * time.Second, Every: 1})
	q, err := New(e.config())
	require.NoError(t, err)
	_, _ = q.Subscribe(0) // never read, never unsubscribed
	ch, stop := q.Subscribe(4)
	defer stop()
	q.Add(Request{Path: filepath.Join(e.files, "g")})
	eventually(t, 10*time.Second, func() bool { return q.Summary().Uploading == storage.DefaultConcurrency })
	q.Add(Request{Path: filepath.Join(e.files, "g")}) // maybe still walking at Close
	require.NoError(t, q.Close())
	for range ch {
	}
	// What the test itself started: the server, the client's connections,
	// the database's pools.
	require.NoError(t, e.srv.Close())
	e.client.CloseIdleConnections()
	require.NoError(t, e.db.Close())
	leakcheck.VerifyNone(t, before)
}

// TestSubscriberBoundsWhatWaits checks that a reader that falls behind
// holds the publisher up at maxPending events instead of growing without
// bound, and that reading, ending the subscription or closing the queue
// lets it go.
func TestSubscriberBoundsWhatWaits(t *testing.T) {
	s := newSubscriber(0)
	for i := range maxPending {
		s.push(Event{Kind: JobChanged, Job: Job{ID: fmt.Sprint(i)}}, false, nil)
	}
	pushed := make(chan struct{})
	go func() {
		s.push(Event{Kind: JobChanged, Job: Job{ID: "over"}}, false, nil)
		close(pushed)
	}()
	select {
	case <-pushed:
		t.Fatal("an event past maxPending was queued without waiting for the reader")
	default:
	}
	for testutil.ParkedIn("worker.(*subscriber).push") == 0 {
		runtime.Gosched()
	}
	_, ok := s.pop()
	require.True(t, ok)
	<-pushed // one taken: room for one
	s.mu.Lock()
	assert.Equal(t, maxPending, len(s.items)-s.head)
	s.mu.Unlock()

	quit := make(chan struct{})
	dropped := make(chan struct{})
	go func() {
		s.push(Event{Kind: JobChanged, Job: Job{ID: "dropped"}}, false, quit)
		close(dropped)
	}()
	close(quit)
	<-dropped // the queue closing lets it go
	s.close()
	s.push(Event{Kind: JobChanged, Job: Job{ID: "after stop"}}, false, nil) // returns: nobody reads
	s.mu.Lock()
	assert.Equal(t, maxPending, len(s.items)-s.head, "neither was queued")
	s.mu.Unlock()
}

// TestSpeedBeginsAsTheAverageSinceTheStart: an upload under a speed limit
// begins with the limiter's allowance (an eighth of a second's bytes at
// once), then goes at the limit. Its speed must not keep that burst for
// seconds: a moving average begun on the first short sample read 1.45 ×
// the limit after a second, so the rows' speeds summed above the limit.
func TestSpeedBeginsAsTheAverageSinceTheStart(t *testing.T) {
	e := newTestEnv(t, sandbox.Config{})
	clock := &fakeClock{now: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)}
	cfg := e.config()
	cfg.Now = clock.Now
	q := e.queue(cfg)
	const size, limit = 100_000_000, 1_000_000
	j, gen := fakeUpload(q, "job-a", size)
	sent := int64(64 << 10) // the first read
	q.progress(j, gen, sent, size)
	clock.Add(time.Millisecond)
	sent += limit / 8 // the allowance
	q.progress(j, gen, sent, size)
	speedAt := map[time.Duration]float64{}
	for i := 1; i <= 400; i++ { // 4 s at the limit, a callback every 10 ms
		clock.Add(10 * time.Millisecond)
		sent += limit / 100
		q.progress(j, gen, sent, size)
		if i%100 == 0 {
			got, ok := q.Job("job-a")
			require.True(t, ok)
			speedAt[time.Duration(i/100)*time.Second] = got.Speed
		}
	}
	t.Logf("speed after 1, 2, 3, 4 s: %.3g %.3g %.3g %.3g", speedAt[time.Second], speedAt[2*time.Second], speedAt[3*time.Second], speedAt[4*time.Second])
	assert.LessOrEqual(t, speedAt[time.Second], 1.15*limit, "after 1 s the burst is an eighth of the bytes")
	assert.LessOrEqual(t, speedAt[2*time.Second], 1.07*limit)
	assert.GreaterOrEqual(t, speedAt[time.Second], 0.99*limit, "the speed is the bytes' rate, not less")
	assert.InEpsilon(t, limit, speedAt[4*time.Second], 0.06, "then it follows the rate")
}
