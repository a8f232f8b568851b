package leakcheck

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// blockedUntil is a goroutine whose top function is its own, so the
// report can be checked to name it; it ends when release is closed.
func blockedUntil(release <-chan struct{}, done chan<- struct{}) {
	<-release
	close(done)
}

func TestFindWaitsForAGoroutineThatEndsLate(t *testing.T) {
	before := goleak.IgnoreCurrent()
	release, done := make(chan struct{}), make(chan struct{})
	go blockedUntil(release, done)
	// Ends 0.6 s from now: later than goleak's own retries (about 0.43 s)
	// wait, well within Wait.
	timer := time.AfterFunc(600*time.Millisecond, func() { close(release) })
	defer timer.Stop()

	start := time.Now()
	require.NoError(t, Find(before))
	t.Logf("found nothing after %v", time.Since(start))
	<-done
}

func TestFindStillReportsAGoroutineThatNeverEnds(t *testing.T) {
	before := goleak.IgnoreCurrent()
	release, done := make(chan struct{}), make(chan struct{})
	go blockedUntil(release, done)
	defer func() { close(release); <-done }()

	// A short wait keeps the test fast; Find passes Wait to the same loop.
	err := find(time.Second, before)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "leakcheck.blockedUntil")

	// Options pass through: ignoring the goroutine's function clears it.
	assert.NoError(t, find(0, before,
		goleak.IgnoreTopFunction("github.com/dstor-uploader/dstor-uploader/internal/testutil/leakcheck.blockedUntil")))
}
