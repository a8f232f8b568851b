// Package testutil holds what the tests of several packages share: test
// files with known content, their CIDs, a sandbox on loopback with one
// account, the test binary run again as the command line, and the history
// as `dstor-uploader history --json` prints it. It is imported by tests
// only.
package testutil

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// contentReader yields n deterministic bytes that differ for each seed
// (xorshift32 seeded with the FNV-1a hash of the seed): files of any size
// without holding them in memory, and never two alike by accident.
type contentReader struct {
	x uint32
	n int64
}

// NewContent returns a reader of n bytes of the content of seed.
func NewContent(seed string, n int64) io.Reader {
	x := uint32(2166136261)
	for _, c := range []byte(seed) {
		x = (x ^ uint32(c)) * 16777619
	}
	return &contentReader{x: x, n: n}
}

func (r *contentReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	x := r.x
	for i := range p {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		p[i] = byte(x)
	}
	r.x = x
	r.n -= int64(len(p))
	return len(p), nil
}

// Content is n deterministic bytes distinct for each seed.
func Content(seed string, n int) []byte {
	b, _ := io.ReadAll(NewContent(seed, int64(n)))
	return b
}

// WriteFile creates path (and its folders) with n bytes of content seeded
// by path itself, and returns path.
func WriteFile(t testing.TB, path string, n int) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	f, err := os.Create(path)
	require.NoError(t, err)
	_, err = io.Copy(f, NewContent(path, int64(n)))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return path
}

// WriteFiles creates one file per size under dir, named prefix-NNN.bin,
// and returns their paths in order.
func WriteFiles(t testing.TB, dir, prefix string, sizes []int) []string {
	t.Helper()
	paths := make([]string, len(sizes))
	for i, n := range sizes {
		paths[i] = WriteFile(t, filepath.Join(dir, fmt.Sprintf("%s-%03d.bin", prefix, i)), n)
	}
	return paths
}

// Sizes is n sizes, size(0) … size(n-1).
func Sizes(n int, size func(i int) int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = size(i)
	}
	return s
}

// CIDOf is the CIDv0 of a local file, computed with the client's own code.
func CIDOf(t testing.TB, path string) string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	c, err := api.ComputeCID(f)
	require.NoError(t, err)
	return c
}

// HistoryRecord is one entry of `dstor-uploader history --json`, read as a
// script reads it.
type HistoryRecord struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Hash       string `json:"hash"`
	Link       string `json:"link"`
	Verified   bool   `json:"verified"`
	FolderPath string `json:"folder_path"`
	Comment    string `json:"comment"`
	LocalPath  string `json:"local_path"`
	Env        string `json:"env"`
	Account    string `json:"account"`
	SHA256     string `json:"sha256"`
}

// ParseHistory decodes what `history --json` printed.
func ParseHistory(t testing.TB, out string) []HistoryRecord {
	t.Helper()
	var recs []HistoryRecord
	require.NoError(t, json.Unmarshal([]byte(out), &recs), out)
	return recs
}

// LockedBuffer is a bytes.Buffer safe for many goroutines (a server's
// log, a child's output).
type LockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *LockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String is what was written so far.
func (b *LockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// KeyringTimeout bounds each call of a test's store on the OS keyring
// (storage.NewSecretStore(KeyringTimeout)): a hang guard, not the app's
// few seconds. A gnome-keyring slow to answer under load would otherwise
// turn that store into a memory one and fail the test for that reason;
// only a hung keyring reaches a minute. Tests of the timeout itself use a
// keyring of their own that hangs (storage.NewSecretStoreOn).
const KeyringTimeout = time.Minute

// KeyringAvailable reports whether the OS keyring works here (make test
// runs the tests in a D-Bus session with gnome-keyring unlocked). It asks
// once per test binary, so every test of a run takes the same side.
func KeyringAvailable() bool { return keyringAvailable() }

var keyringAvailable = sync.OnceValue(func() bool {
	return storage.NewSecretStore(KeyringTimeout).Persistent()
})
