package api

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{-5, "0 bytes"},
		{0, "0 bytes"},
		{1, "1 byte"},
		{999, "999 bytes"},
		{1000, "1 kB"},
		{1999, "1.9 kB"},
		{1_500_000, "1.5 MB"},
		{230_400_000, "230 MB"},
		{2_150_000_000, "2.1 GB"},
		{math.MaxInt64, "9.2 EB"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, FormatSize(tt.n), "%d", tt.n)
	}
	assert.Equal(t, "", FormatSpeed(0))
	assert.Equal(t, "", FormatSpeed(math.NaN()))
	assert.Equal(t, "2.5 MB/s", FormatSpeed(2_500_000))
}
