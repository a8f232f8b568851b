package numtext

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

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
		{1023, "1 kB"},
		{1024, "1 kB"},
		{1999, "1.9 kB"},
		{9_999, "9.9 kB"},
		{10_000, "10 kB"},
		{999_999, "999 kB"},
		{1_500_000, "1.5 MB"},
		{230_400_000, "230 MB"},
		{2_150_000_000, "2.1 GB"},
		{9_007_199_254_740_993, "9 PB"}, // 2⁵³+1: the first count a float64 cannot hold
		{9_899_999_999_999_999, "9.8 PB"},
		{9_999_999_999_999_999, "9.9 PB"},
		{22_999_999_999_999_999, "22 PB"},
		{999_999_999_999_999_999, "999 PB"},
		{1_000_000_000_000_000_000, "1 EB"},
		{2_299_999_999_999_999_999, "2.2 EB"},
		{9_200_000_000_000_000_000, "9.2 EB"},
		{math.MaxInt64, "9.2 EB"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Size(tt.n), "%d", tt.n)
	}
	assert.Equal(t, "", Speed(0))
	assert.Equal(t, "", Speed(-1))
	assert.Equal(t, "", Speed(math.NaN()))
	assert.Equal(t, "", Speed(math.Inf(1)))
	assert.Equal(t, "2.5 MB/s", Speed(2_500_000))
	assert.Equal(t, "9.2 EB/s", Speed(9.2e18))
	assert.Equal(t, "9.2 EB/s", Speed(1e19), "beyond int64: the largest figure, not a wrapped one")
}

// TestSizeNeverAboveTheCount: the figure Size writes is the count rounded
// down to its last digit (a tenth under 10, a whole unit above), never
// more than the count ("X free" is at most X) and never as much as one
// more of that digit, at every magnitude up to math.MaxInt64, where a
// float64 rounds counts above 2⁵³ (9 PB) up.
func TestSizeNeverAboveTheCount(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, seed))
	counts := []int64{0, 1, 999, math.MaxInt64}
	for p := int64(1000); p <= math.MaxInt64/10; p *= 10 {
		counts = append(counts, p-1, p, p+1, 10*p-1, 23*(p/10)-1)
	}
	for range 100_000 {
		counts = append(counts, r.Int64N(int64(1)<<(10+r.IntN(53))))
	}
	units := map[string]int64{UnitBytes: 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "PB": 1e15, "EB": 1e18}
	for _, n := range counts {
		number, unit := SizeParts(n)
		scale, ok := units[unit]
		if !assert.True(t, ok, "%d: unit %q", n, unit) {
			continue
		}
		whole, tenth, _ := strings.Cut(number, ".")
		digits, err := strconv.ParseInt(whole+tenth, 10, 64)
		if !assert.NoError(t, err, "%d: %q", n, number) {
			continue
		}
		step := big.NewInt(scale) // what the last digit written counts
		if w, _ := strconv.Atoi(whole); unit != UnitBytes && w < 10 {
			digits = digits * 10 / int64(math.Pow10(len(tenth))) // "9" is 90 tenths
			step.Div(step, big.NewInt(10))
		}
		shown := new(big.Int).Mul(big.NewInt(digits), step)
		assert.LessOrEqual(t, shown.Cmp(big.NewInt(n)), 0, "%d written %s %s: more than the count", n, number, unit)
		assert.Positive(t, shown.Add(shown, step).Cmp(big.NewInt(n)), "%d written %s %s: a digit too low", n, number, unit)
	}
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
