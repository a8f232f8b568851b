package api

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckLiveComparesTheBytes: a gateway that serves as many bytes as
// the file has, but other ones (another file of the same size, zeros, a
// page padded to it), does not make its link live. A file the probe holds
// whole is checked by its CID; a larger one by its first bytes when the
// caller knows them (Head), and by its size alone when it does not — the
// row says so. Every size class, every way a gateway answers.
func TestCheckLiveComparesTheBytes(t *testing.T) {
	type answer struct {
		name  string
		right bool
		serve func(w http.ResponseWriter, r *http.Request, body []byte)
	}
	ranged := func(w http.ResponseWriter, r *http.Request, body []byte) {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	}
	whole := func(w http.ResponseWriter, _ *http.Request, body []byte) {
		_, _ = w.Write(body) // the range ignored: 200 with its length
	}
	gzipped := func(w http.ResponseWriter, _ *http.Request, body []byte) {
		w.Header().Set("Content-Encoding", "gzip") // though not asked for
		zw := gzip.NewWriter(w)
		_, _ = zw.Write(body)
		_ = zw.Close()
	}
	answers := []answer{
		{"the file, ranged", true, ranged},
		{"other bytes of its size, ranged", false, ranged},
		{"the file whole, range ignored", true, whole},
		{"other bytes of its size whole, range ignored", false, whole},
		{"the file gzip-encoded", true, gzipped},
		{"other bytes of its size gzip-encoded", false, gzipped},
	}
	sizes := []int{0, 1, liveProbeBytes - 1, liveProbeBytes, liveProbeBytes + 1, ChunkSize + 1}
	for _, size := range sizes {
		file := patterned(size)
		other := bytes.Clone(file)
		for i := range other {
			other[i] ^= 0x5a // every byte differs
		}
		hash, err := ComputeCID(bytes.NewReader(file))
		require.NoError(t, err)
		head := file[:min(size, liveProbeBytes)]
		for _, a := range answers {
			for _, knowsHead := range []bool{true, false} {
				name := fmt.Sprintf("%d bytes/%s/head known %t", size, a.name, knowsHead)
				t.Run(name, func(t *testing.T) {
					served := file
					if !a.right {
						served = other
					}
					srv := gatewayServer(t, func(w http.ResponseWriter, r *http.Request) {
						assert.Equal(t, "identity", r.Header.Get("Accept-Encoding"))
						a.serve(w, r, served)
					})
					c := newTestClient(t, srv.URL, nil)
					want := LiveWant{Size: int64(size), Hash: hash}
					if knowsHead {
						want.Head = head
					}
					_, err := c.CheckLive(t.Context(), srv.URL+"/ipfs/"+hash, want)
					t.Logf("observed: %v", cmpOr(err, "live"))
					// Other bytes of an empty file are the empty file;
					// those of a larger file whose first bytes are not
					// known cannot be told from it.
					live := a.right || size == 0 || (size > liveProbeBytes && !knowsHead)
					if live {
						assert.NoError(t, err)
						return
					}
					var nl *NotLiveError
					require.ErrorAs(t, err, &nl)
					assert.Equal(t, "not reachable yet: the gateway served other bytes than this file's", err.Error())
				})
			}
		}
	}
}

// cmpOr is err's text, or ok when there is none.
func cmpOr(err error, ok string) string {
	if err != nil {
		return err.Error()
	}
	return ok
}

// TestCheckLiveByTheLinksCIDv1: a link recorded under the CIDv1 dStor
// answered names the same content as the bytes' CIDv0: live; another
// file's CIDv1 is not; a hash that is no CID is not compared (sizes are).
func TestCheckLiveByTheLinksCIDv1(t *testing.T) {
	file := patterned(100)
	srv := gatewayServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(file))
	})
	c := newTestClient(t, srv.URL, nil)
	v1 := func(b []byte) string {
		v0, err := ComputeCID(bytes.NewReader(b))
		require.NoError(t, err)
		d, err := cid.Decode(v0)
		require.NoError(t, err)
		return cid.NewCidV1(cid.DagProtobuf, d.Hash()).String()
	}
	tests := []struct {
		hash string
		live bool
	}{
		{v1(file), true},
		{v1(patterned(101)[1:]), false},
		{"not-a-cid", true},
	}
	for _, tt := range tests {
		_, err := c.CheckLive(t.Context(), srv.URL+"/ipfs/x", LiveWant{Size: int64(len(file)), Hash: tt.hash})
		t.Logf("%s: %s", tt.hash, cmpOr(err, "live"))
		if tt.live {
			assert.NoError(t, err, tt.hash)
		} else {
			assert.ErrorIs(t, err, ErrNotLive, tt.hash)
		}
	}
}

// TestFileHead: the first bytes a live check compares are read from the
// local file with its identity as it is after the read, which changes
// when the file is written, so a caller can tell they are the version an
// upload recorded; a folder or a missing file gives none.
func TestFileHead(t *testing.T) {
	dir := t.TempDir()
	for _, size := range []int{0, 10, liveProbeBytes, ChunkSize + 1} {
		path := filepath.Join(dir, fmt.Sprintf("f%d", size))
		file := patterned(size)
		require.NoError(t, os.WriteFile(path, file, 0o600))
		head, id, err := FileHead(path, "")
		require.NoError(t, err, size)
		assert.Equal(t, file[:min(size, liveProbeBytes)], head, size)
		assert.Equal(t, int64(size), id.Size)
		listed, _, err := ListedFile(dir, path)
		require.NoError(t, err)
		assert.True(t, listed.sameVersion(id), "%d: the identity an upload records", size)
		beneath, _, err := FileHead(path, dir)
		require.NoError(t, err, "found in an added folder")
		assert.Equal(t, head, beneath)

		require.NoError(t, os.WriteFile(path, append(file, 'x'), 0o600))
		_, changed, err := FileHead(path, "")
		require.NoError(t, err)
		assert.False(t, listed.sameVersion(changed), "%d: written since", size)
	}
	_, _, err := FileHead(dir, "")
	assert.Error(t, err, "a folder")
	_, _, err = FileHead(filepath.Join(dir, "missing"), "")
	assert.Error(t, err, "a missing file")
}

// TestCheckLiveOfAnIdentityLabelledAnswer: "Content-Encoding: identity"
// is no encoding, so a 200's Content-Length still says what the gateway
// serves: the first bytes of a 1 MiB file followed by more, or cut short,
// are not live (the length was ignored, and only the first 65 KiB read);
// the file itself is. Two Content-Encoding lines are one list: "gzip" then
// "identity" is refused as "gzip, identity" on one line is.
func TestCheckLiveOfAnIdentityLabelledAnswer(t *testing.T) {
	const size = 1 << 20
	file := patterned(size)
	hash, err := ComputeCID(bytes.NewReader(file))
	require.NoError(t, err)
	gzipped := func() []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(file)
		require.NoError(t, zw.Close())
		return buf.Bytes()
	}()
	tests := []struct {
		name     string
		encoding []string
		body     []byte
		want     string
	}{
		{"the file", []string{"identity"}, file, ""},
		{"the file and 5000 bytes more", []string{"identity"}, append(bytes.Clone(file), make([]byte, 5000)...),
			"not reachable yet: the gateway served 1053576 bytes, not this file's 1048576"},
		{"its first 100000 bytes", []string{"identity"}, file[:100000],
			"not reachable yet: the gateway served 100000 bytes, not this file's 1048576"},
		{"gzip on one line, identity on another", []string{"gzip", "identity"}, gzipped,
			`not reachable yet: the gateway encoded its answer as "gzip, identity", which this check cannot read`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := gatewayServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Content-Encoding"] = tt.encoding
				w.Header().Set("Content-Length", fmt.Sprint(len(tt.body)))
				_, _ = w.Write(tt.body) // the range ignored
			})
			c := newTestClient(t, srv.URL, nil)
			_, err := c.CheckLive(t.Context(), srv.URL+"/ipfs/"+hash, LiveWant{Size: size, Hash: hash, Head: file[:liveProbeBytes]})
			t.Logf("observed: %v", cmpOr(err, "live"))
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrNotLive)
			assert.EqualError(t, err, tt.want)
		})
	}
}

// TestCheckLiveOfACorruptGzipAnswer: a gateway's gzip-encoded answer that
// could not be decoded (garbage after it, its trailer missing, a wrong
// checksum) was "not reachable yet: the connection to 127.0.0.1:N broke —
// check your connection; retrying may work", blaming the network for the
// gateway's encoding. It is its own reason now; a connection that does
// break in the middle of a gzip-encoded answer is still said to, and one
// that breaks in its gzip header is too (it was "the gateway's answer said
// it was gzip-encoded, but was not").
func TestCheckLiveOfACorruptGzipAnswer(t *testing.T) {
	const size = 5000
	file := patterned(size)
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(file)
	require.NoError(t, zw.Close())
	gz := buf.Bytes()
	badSum := bytes.Clone(gz)
	badSum[len(badSum)-8] ^= 0xff // the trailer's CRC-32
	const corrupt = "not reachable yet: the gateway's gzip-encoded answer was corrupt, so it could not be decoded"
	tests := []struct {
		name   string
		body   []byte
		length int // Content-Length said, when not len(body)
		want   string
	}{
		{"the file", gz, 0, ""},
		{"garbage after it", append(bytes.Clone(gz), "garbage!"...), 0, corrupt},
		{"its trailer missing", gz[:len(gz)-8], 0, corrupt},
		{"a wrong checksum", badSum, 0, corrupt},
		{"the connection broke in the middle", gz[:len(gz)/2], len(gz), "broke"},
		{"the connection broke in its header", gz[:5], len(gz), "broke"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := gatewayServer(t, func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("Content-Length", fmt.Sprint(cmp.Or(tt.length, len(tt.body))))
				_, _ = w.Write(tt.body) // when shorter than said, the server closes the connection
			})
			c := newTestClient(t, srv.URL, nil)
			_, err := c.CheckLive(t.Context(), srv.URL+"/ipfs/x", LiveWant{Size: size, Head: file})
			t.Logf("observed: %v", cmpOr(err, "live"))
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, ErrNotLive)
			assert.Contains(t, err.Error(), tt.want)
			if tt.want == corrupt {
				assert.EqualError(t, err, corrupt)
				var nl *NotLiveError
				require.ErrorAs(t, err, &nl)
				assert.Equal(t, http.StatusOK, nl.Status)
			}
		})
	}
}

// gatewayServer starts a test gateway for a live check, which leaves most
// of an answer unread: its cleanup closes the connections before the
// server, so that a handler still writing a body larger than the socket's
// buffers (1 MiB for a 1 KiB probe) does not hold Close. Under Wine the
// client's close did not always reach that write, and httptest's Close
// waited for it until the test binary's timeout (CI s31f).
func gatewayServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	t.Cleanup(srv.CloseClientConnections) // first
	return srv
}
