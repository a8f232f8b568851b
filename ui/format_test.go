package ui

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestFormat(t *testing.T) {
	assert.Equal(t, "", formatETA(0))
	assert.Equal(t, "5 s left", formatETA(5*time.Second))
	assert.Equal(t, "3 min 20 s left", formatETA(200*time.Second))
	assert.Equal(t, "25 min left", formatETA(25*time.Minute))
	assert.Equal(t, "1 h 20 min left", formatETA(80*time.Minute))
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	assert.Equal(t, "Today 09:05", formatDate(time.Date(2026, 3, 10, 9, 5, 0, 0, time.UTC), now))
	assert.Equal(t, "2 Jan 09:05", formatDate(time.Date(2026, 1, 2, 9, 5, 0, 0, time.UTC), now))
	assert.Equal(t, "2 Jan 2025", formatDate(time.Date(2025, 1, 2, 9, 5, 0, 0, time.UTC), now))
	assert.Equal(t, "QmT78zSu…F8ff5o", shortHash("QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"))
	assert.Equal(t, "Cannot reach x.", sentence("cannot reach x"))
}

func TestFormatCount(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 20_000: "20,000",
		123_456: "123,456", 1_000_000: "1,000,000", -4_200: "-4,200"} {
		assert.Equal(t, want, formatCount(n))
	}
	assert.Equal(t, "1 upload", trn("{{.Count}} uploads", 1))
	assert.Equal(t, "100,000 uploads", trn("{{.Count}} uploads", 100_000))
	assert.Equal(t, "1 byte", formatSize(1))
	assert.Equal(t, "999 bytes", formatSize(999))
	assert.Equal(t, "1.5 MB", formatSize(1_500_000))
	assert.Equal(t, "2.1 GB/s", formatSpeed(2_150_000_000))
	assert.Equal(t, "9.2 EB/s", formatSpeed(1e19), "beyond int64: the largest figure, not a wrapped one")
	assert.Equal(t, "", formatSpeed(math.NaN()))
}
