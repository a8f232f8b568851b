package worker

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestAlreadyUploadedAtReadsItsSentence: the window reads back the time
// alreadyText wrote (to the minute), and nothing from other sentences.
func TestAlreadyUploadedAtReadsItsSentence(t *testing.T) {
	at := time.Date(2026, 5, 20, 14, 3, 0, 0, time.Local)
	got, ok := AlreadyUploadedAt(alreadyText(at))
	assert.True(t, ok)
	assert.True(t, got.Equal(at), "%v", got)
	for _, msg := range []string{"", causeSignIn.text, "already uploaded on a Tuesday", "Already uploaded on 20 May 2026 at 14:03"} {
		_, ok := AlreadyUploadedAt(msg)
		assert.False(t, ok, "%q", msg)
	}
}
