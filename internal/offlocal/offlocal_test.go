package offlocal

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hangBound bounds a wait for an event that should come at once: a hang,
// not a timing.
const hangBound = 20 * time.Second

// TestUntilOrHandsALateResultToDrop: a look given up on (stop closed,
// or ctx done) while it hangs, as an open of a file on a drive that
// stopped answering does, returns at once with ok false; when the look
// returns later, its result goes to drop (a file opened late is closed),
// never to the caller.
func TestUntilOrHandsALateResultToDrop(t *testing.T) {
	for _, tc := range []struct {
		name   string
		giveUp func(stop chan struct{}, cancel context.CancelFunc)
	}{
		{"stop", func(stop chan struct{}, _ context.CancelFunc) { close(stop) }},
		{"ctx", func(_ chan struct{}, cancel context.CancelFunc) { cancel() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			stop, answer, dropped := make(chan struct{}), make(chan int), make(chan int, 1)
			started := make(chan struct{})
			returned := make(chan bool, 1)
			go func() {
				_, ok := UntilOr(ctx, stop, func() int { close(started); return <-answer }, func(v int) { dropped <- v })
				returned <- ok
			}()
			<-started
			tc.giveUp(stop, cancel)
			select {
			case ok := <-returned:
				assert.False(t, ok, "given up")
			case <-time.After(hangBound):
				t.Fatal("UntilOr waited for a look that does not return")
			}
			answer <- 7 // the drive answers at last
			select {
			case v := <-dropped:
				assert.Equal(t, 7, v, "drop got the late result")
			case <-time.After(hangBound):
				t.Fatal("the late result never reached drop")
			}
		})
	}
}

// TestUntilOrGivesAResultInTimeToTheCallerOnly: a look that returns
// before the caller gives up is the caller's, and drop is not called
// (closing stop afterwards changes nothing).
func TestUntilOrGivesAResultInTimeToTheCallerOnly(t *testing.T) {
	stop, dropped := make(chan struct{}), make(chan int, 1)
	v, ok := UntilOr(t.Context(), stop, func() int { return 3 }, func(v int) { dropped <- v })
	close(stop)
	require.True(t, ok, "in time")
	assert.Equal(t, 3, v)
	assert.Empty(t, dropped, "drop not called for a result the caller took")
}
