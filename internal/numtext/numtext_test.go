package numtext

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSize(t *testing.T) {
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
		assert.Equal(t, tt.want, Size(tt.n), "%d", tt.n)
	}
	assert.Equal(t, "", Speed(0))
	assert.Equal(t, "", Speed(math.NaN()))
	assert.Equal(t, "2.5 MB/s", Speed(2_500_000))
}

func TestCount(t *testing.T) {
	tests := []struct {
		n    int
		sep  string
		want string
	}{
		{0, ",", "0"}, {7, ",", "7"}, {999, ",", "999"}, {1000, ",", "1,000"}, {20_000, ",", "20,000"},
		{123_456, ",", "123,456"}, {1_000_000, ",", "1,000,000"}, {-4_200, ",", "-4,200"}, {-999, ",", "-999"},
		{1_234_567, ".", "1.234.567"}, {12_345, "\u202f", "12\u202f345"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Count(tt.n, tt.sep), "%d with %q", tt.n, tt.sep)
	}
}
