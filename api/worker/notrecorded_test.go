package worker

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestUploadNotRecordedPastTheFileSizeLimitSaysRetryingCannotHelp: an
// upload whose history entry the database refused because the history
// reached the program's file size limit (ulimit -f, 5f20374) failed as
// any refused entry does, "retry to record it", and the window said
// "Retry to record it": every retry fails the same way while the limit
// holds. It has its own code, and its sentence says what to do first.
// Another refusal still says to retry.
func TestUploadNotRecordedPastTheFileSizeLimitSaysRetryingCannotHelp(t *testing.T) {
	limit := fmt.Errorf("finish job j1: %w", &storage.FileSizeLimitError{Path: "/data/uploads.db", File: "/data/uploads.db-wal", Limit: 400 << 10})
	c := notRecorded("QmHash", limit)
	assert.Equal(t, ReasonRecordLimit, c.code)
	assert.Equal(t, "QmHash", c.arg, "the hash, so its link is not lost")
	assert.NotContains(t, c.text, "retry to record it")
	assert.Contains(t, c.text, "uploaded as QmHash")
	assert.Contains(t, c.text, "ulimit -f unlimited")

	other := notRecorded("QmHash", fmt.Errorf("finish job j1: %w", storage.ErrDatabaseBusy))
	assert.Equal(t, ReasonRecordFailed, other.code)
	assert.Contains(t, other.text, "retry to record it")
}
