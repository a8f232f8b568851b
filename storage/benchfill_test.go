package storage

import (
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestFillHistoryForBench makes the data folder `make bench` opens the
// window on: DSTOR_BENCH_FILL_DIR gets a database with
// DSTOR_BENCH_FILL_ROWS (default 100,000) history rows. Skipped otherwise.
func TestFillHistoryForBench(t *testing.T) {
	dir := os.Getenv("DSTOR_BENCH_FILL_DIR")
	if dir == "" {
		t.Skip("set DSTOR_BENCH_FILL_DIR to fill a data folder with history rows (make bench does)")
	}
	n := 100_000
	if s := os.Getenv("DSTOR_BENCH_FILL_ROWS"); s != "" {
		var err error
		n, err = strconv.Atoi(s)
		require.NoError(t, err)
	}
	d, err := Open(dir)
	require.NoError(t, err)
	fillHistory(t, d, n)
	require.NoError(t, d.Close())
}
