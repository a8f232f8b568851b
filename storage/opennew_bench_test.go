package storage

import (
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkOpenNew times opening a data folder with no history yet, as a
// first start (and every run of `make bench`, which gives each run a fresh
// folder) does: creating the file and every schema step, then closing it.
func BenchmarkOpenNew(b *testing.B) {
	root := b.TempDir()
	for i := 0; b.Loop(); i++ {
		d, err := Open(filepath.Join(root, strconv.Itoa(i)))
		if err != nil {
			b.Fatal(err)
		}
		if err := d.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
