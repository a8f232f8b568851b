package storage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/stretchr/testify/require"
)

// TestSearchFindsAnyFormOfACID: a person who has a CID in another form than
// the one the history holds (the CIDv1 a subdomain gateway or `ipfs cid
// format -v 1` gives, base36, upper case) or a link to it finds the uploads
// of that content, whichever form each entry holds; text that is no such
// CID searches as text, so a file named like a CID is still found by its
// name, and a CID of other content (raw) finds only its text.
func TestSearchFindsAnyFormOfACID(t *testing.T) {
	const v0 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	c, err := cid.Decode(v0)
	require.NoError(t, err)
	v1 := cid.NewCidV1(cid.DagProtobuf, c.Hash())
	in := func(base multibase.Encoding) string {
		s, err := v1.StringOfBase(base)
		require.NoError(t, err)
		return s
	}
	b32, b36, b58 := v1.String(), in(multibase.Base36), in(multibase.Base58BTC)
	raw := cid.NewCidV1(cid.Raw, c.Hash()).String()
	const lookalike = "QmNotACidButNamedLikeOne7zSuBmuS4z925WZfrqQ1q"

	d := openTestDB(t)
	for i, e := range []HistoryEntry{
		{Name: "report.pdf", Hash: v0},
		{Name: "answered-in-base32.pdf", Hash: b32}, // a CIDv1 answer, recorded as answered
		{Name: "answered-in-base36.pdf", Hash: b36},
		{Name: "other.txt", Hash: "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"},
		{Name: v0 + ".txt", Hash: "QmPZ9gcCEpqKTo6aq61g2nXGUhM4iCL3ewB6LDXZCtioEB"},
		{Name: lookalike + ".png", Hash: "QmcZf59bWwK5XFi76CZX8cbJ4BhTzzA3gU1ZjYZcYW3dwt"},
		{Name: "raw-block.bin", Hash: raw},
	} {
		e.JobID = fmt.Sprint("j", i)
		_, err := d.AddHistory(e)
		require.NoError(t, err)
	}
	// Newest first, as the history lists them.
	content := []string{"answered-in-base36.pdf", "answered-in-base32.pdf", "report.pdf"}
	named := v0 + ".txt"
	all := append([]string{named}, content...)

	tests := []struct {
		name, search string
		want         []string
	}{
		{"CIDv0", v0, all},
		{"CIDv1 base32", b32, all},
		{"CIDv1 base36", b36, all},
		{"CIDv1 base58btc", b58, all},
		{"upper case base32", strings.ToUpper(b32), all},
		{"upper case base36", strings.ToUpper(b36), all},
		{"with whitespace around", " \t" + b32 + "\n", all},
		{"path gateway link with filename", "https://ipfs.io/ipfs/" + v0 + "?filename=report.pdf", all},
		{"path gateway link of the CIDv1", "https://dweb.link/ipfs/" + b32 + "/", all},
		{"subdomain gateway link", "https://" + b32 + ".ipfs.dweb.link/", all},
		{"subdomain gateway link with a path", "http://" + b32 + ".ipfs.localhost:8080/report.pdf?download=true", all},
		{"ipfs:// of the CIDv1", "ipfs://" + b32, all},
		{"ipfs:// of the CIDv0", "ipfs://" + v0, all},
		{"the app's Markdown link", "[report.pdf](https://ipfs.io/ipfs/" + v0 + "?filename=report.pdf)", all},
		{"the app's HTML link", `<a href="https://ipfs.io/ipfs/` + v0 + `?filename=report.pdf">report.pdf</a>`, all},
		{"a bare CIDv0 with a gateway link's query", v0 + "?filename=report.pdf", all},
		{"a bare CIDv1 with a fragment", b32 + "#x", all},
		{"a bare CIDv1 with a path inside", b32 + "/report.pdf", all},
		{"a name that looks like a CID, with a query, is text", lookalike + "?filename=a.png", nil},
		{"a CIDv0 and more before a query is text", v0 + "x?filename=a.png", nil},
		{"a CIDv1's start is text", b32[:20], []string{"answered-in-base32.pdf"}},
		{"garbage after bafy", "bafyNOTACID", nil},
		{"bafy alone is text", "bafy", []string{"answered-in-base32.pdf"}},
		{"a name that looks like a CID", lookalike, []string{lookalike + ".png"}},
		{"a raw CID of the same digest finds its own text only", raw, []string{"raw-block.bin"}},
		{"a subdomain link of a raw CID finds its text", "https://" + raw + ".ipfs.dweb.link/", []string{"raw-block.bin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertSearchFinds(t, d, tt.search, tt.want)
			n, err := d.HistoryCount(tt.search)
			require.NoError(t, err)
			require.Equal(t, len(tt.want), n, "the count agrees with the page")
		})
	}
	// The same once the entries are in the trigram index (above, they are
	// the unindexed tail).
	require.NoError(t, d.indexHistory())
	for _, tt := range tests {
		t.Run("indexed/"+tt.name, func(t *testing.T) {
			assertSearchFinds(t, d, tt.search, tt.want)
		})
	}
}
