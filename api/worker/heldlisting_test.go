package worker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/sandbox"
)

// TestListingThatWaitsOnAnEntrySavesAndUploadsWhatItListed: a folder's
// listing saved the rows it listed only as it added the next one (every
// firstFlushRows rows, then more, or once flushEvery had passed), so
// while it waited on an entry (a look at a file or a folder, or the read
// of a folder's entries, on a network share or a USB disk that stopped
// answering: for good, perhaps) the files it had found were neither
// saved nor uploaded, and a crash lost them: a folder dropped showed
// nothing uploading though its first files were found. They are now
// saved once they waited flushEvery, and uploaded, while the listing
// still waits. Held by the test (holdListingAt) or by a look that hangs
// (hangListingAt), at a count of rows short of the next flush by count.
func TestListingThatWaitsOnAnEntrySavesAndUploadsWhatItListed(t *testing.T) {
	for _, tc := range []struct {
		name string
		// hold makes the listing wait at an entry of writeListedTrip's
		// folder; held tells once it waits there.
		hold func(t *testing.T, cfg *Config) (held <-chan struct{}, release func())
		// listed is how many files the listing met before it.
		listed int
	}{
		{"held before a file", func(t *testing.T, cfg *Config) (<-chan struct{}, func()) {
			h := holdListingAt(cfg, "a05.jpg")
			return h.held, h.release
		}, 5},
		{"look at a file hangs", hangsAt("a05.jpg", 1), 5},
		{"look at a folder hangs", hangsAt("sub", 1), 10},
		{"read of a folder hangs", hangsAt("sub", 2), 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newTestEnv(t, sandbox.Config{})
			dir := writeListedTrip(e)
			cfg := e.config()
			// Far longer than listing the first files takes, even on a
			// busy machine: a flush by time as a row is added (the only
			// one before) cannot have saved them all.
			cfg.flushEvery = time.Second
			held, release := tc.hold(t, &cfg)
			q := e.queue(cfg)
			t.Cleanup(release) // before the queue's Close
			q.Add(Request{Path: dir})
			<-held
			awaitListedUploaded(t, e, tc.listed)

			release() // the drive answers
			require.NoError(t, wait(t, q, hangGuard))
			requireWholeOnce(t, e, dir, 13, "listed to its end once the drive answered")
		})
	}
}

// hangsAt is hangListingAt as TestListingThatWaitsOnAnEntrySavesAndUploadsWhatItListed's
// hold.
func hangsAt(name string, nth int) func(t *testing.T, cfg *Config) (<-chan struct{}, func()) {
	return func(t *testing.T, _ *Config) (<-chan struct{}, func()) {
		h := hangListingAt(t, name, nth)
		return h.started, h.release
	}
}
