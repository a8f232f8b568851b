package cidtext_test

import (
	"strings"
	"testing"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/cidtext"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-multihash"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The CIDv0 of "hello world\n" as `ipfs add` gives it, and its CIDv1 forms,
// as `ipfs cid format -v 1 -b base32|base36|base58btc` gives them.
const (
	v0  = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"
	b32 = "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby"
)

// TestSearchTerms: every way a person may hold the CID of an upload — the
// CIDv0 dStor answered, its CIDv1 in any base or case, a link of any kind
// to either, the app's own links — gives the forms a history may hold for
// that content; text that is no CID gives nothing (it is searched as
// text), and a CID of other content gives only itself.
func TestSearchTerms(t *testing.T) {
	forms := cidtext.Forms(v0)
	require.Len(t, forms, 4)
	require.Equal(t, []string{v0, b32}, forms[:2])
	b36, b58 := forms[2], forms[3]
	c, err := cid.Decode(v0)
	require.NoError(t, err)
	v1 := cid.NewCidV1(cid.DagProtobuf, c.Hash())
	b16, err := v1.StringOfBase(multibase.Base16)
	require.NoError(t, err)
	raw := cid.NewCidV1(cid.Raw, c.Hash()).String()
	blake, err := multihash.Sum([]byte("hello world\n"), multihash.BLAKE2B_MIN+31, -1)
	require.NoError(t, err)
	otherHash := cid.NewCidV1(cid.DagProtobuf, blake).String()
	// The first form is the CID as written; the others follow in Forms'
	// order, without it.
	from := func(written string) []string {
		out := []string{written}
		for _, f := range forms {
			if f != written {
				out = append(out, f)
			}
		}
		return out
	}
	tests := []struct {
		name, typed string
		want        []string
	}{
		{"CIDv0", v0, forms},
		{"CIDv1 base32", b32, from(b32)},
		{"CIDv1 base36", b36, from(b36)},
		{"CIDv1 base58btc", b58, from(b58)},
		{"CIDv1 base16", b16, from(b16)},
		{"upper case base32", strings.ToUpper(b32), from(strings.ToUpper(b32))},
		{"upper case base36", strings.ToUpper(b36), from(strings.ToUpper(b36))},
		{"whitespace around", "\t " + b32 + " \n", from(b32)},
		{"path gateway link with filename", "https://ipfs.io/ipfs/" + v0 + "?filename=a%20b.txt", forms},
		{"path gateway link, a path inside", "https://dweb.link/ipfs/" + b32 + "/photos/a.jpg", from(b32)},
		{"subdomain gateway link", "https://" + b32 + ".ipfs.dweb.link/", from(b32)},
		{"subdomain gateway link, port and path", "http://" + b36 + ".ipfs.localhost:8080/a.txt?download=true", from(b36)},
		{"subdomain gateway link in upper case", "HTTPS://" + strings.ToUpper(b32) + ".IPFS.DWEB.LINK/", from(strings.ToUpper(b32))},
		{"ipfs:// of the CIDv0", "ipfs://" + v0, forms},
		{"ipfs:// of the CIDv1, with a path", "ipfs://" + b32 + "/a.txt", from(b32)},
		{"/ipfs/ path alone", "/ipfs/" + v0, forms},
		{"bare CIDv0 with a gateway link's query", v0 + "?filename=report.pdf", forms},
		{"bare CIDv1 with a fragment", b32 + "#x", from(b32)},
		{"bare CIDv1 with a path inside", b32 + "/photos/a.jpg", from(b32)},
		{"bare CIDv0 with a path, query and fragment", v0 + "/a.txt?download=true#top", forms},
		{"bare CID with an empty query", v0 + "?", forms},
		{"a CIDv0 and more before the query", v0 + "x?filename=a.txt", nil},
		{"a CIDv0 cut short before the query", v0[:40] + "?filename=a.txt", nil},
		{"a name that looks like a CID before a query", "QmNotACidButNamedLikeOne7zSuBmuS4z925WZfrqQ1q?filename=a.txt", nil},
		{"a CIDv0 after a query mark", "?" + v0, nil},
		{"a CIDv0 in a sentence before a query", "the file " + v0 + "?filename=a.txt", nil},
		{"a CIDv0 and a space before the query", v0 + " ?x", nil},
		{"garbage after bafy", "bafyNOTACID", nil},
		{"bafy alone", "bafy", nil},
		{"a CIDv1 cut short", b32[:30], nil},
		{"a name that looks like a CID", "QmNotACidButNamedLikeOne7zSuBmuS4z925WZfrqQ1q", nil},
		{"a CIDv0 in a sentence", "the file " + v0 + " I sent", nil},
		{"a raw CID of the same digest", raw, []string{raw}},
		{"a dag-pb CID of another hash", otherHash, []string{otherHash}},
		{"subdomain gateway link without its scheme", b32 + ".ipfs.dweb.link/photos/a.jpg", from(b32)},
		{"subdomain gateway host alone, upper case", strings.ToUpper(b36) + ".IPFS.localhost:8080", from(strings.ToUpper(b36))},
		{"a bare host that only starts like a subdomain gateway", b32 + ".example.com/", nil},
		{"a bare host whose first label is no CID", "bafyNOTACID.ipfs.dweb.link/", nil},
		{"a host that only starts like a subdomain gateway", "https://" + b32 + ".example.com/", nil},
		{"a gateway whose own name is ipfs", "https://ipfs.example.com/", nil},
		{"a path gateway link whose .. leaves the CID for another", "https://dweb.link/ipfs/" + v0 + "/../" + otherHash, []string{otherHash}},
		{"a path gateway link whose %2E%2E leaves the CID", "https://ipfs.io/ipfs/" + v0 + "/%2E%2E/%2e%2e/ipfs/" + otherHash + "/a.txt", []string{otherHash}},
		{"a /ipfs/ path whose .. leaves the CID", "/ipfs/" + v0 + "/../" + otherHash, []string{otherHash}},
		{"a bare CID whose path's .. leaves it", v0 + "/a/../../" + otherHash, nil},
		{"a bare CID whose path's %2e%2e leaves it", v0 + "/%2e%2e?filename=a.txt", nil},
		{"a path gateway link with a .. inside the CID's folder", "https://dweb.link/ipfs/" + v0 + "/photos/../a.jpg", forms},
		{"a bare CID with a .. inside its folder", v0 + "/photos/../a.jpg", forms},
		{"a subdomain gateway link with a ..", "https://" + b32 + ".ipfs.dweb.link/../" + otherHash, from(b32)},
		{"ipfs:// with a ..", "ipfs://" + v0 + "/../" + otherHash, forms},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, cidtext.SearchTerms(tt.typed), "%q", tt.typed)
		})
	}
}

// TestSearchTermsOfTheAppsLinks: every link the app copies (each style,
// with and without a name, on a gateway of its own) gives the forms of the
// CID it was made of, whichever form that was.
func TestSearchTermsOfTheAppsLinks(t *testing.T) {
	forms := cidtext.Forms(v0)
	for _, hash := range []string{v0, b32} {
		for _, l := range []api.Links{{}, {NoFilename: true}, {Override: "https://gw.example/content/?token=t"}} {
			for _, style := range api.LinkStyles {
				for _, name := range []string{"", "report [final].pdf"} {
					link := l.As(style, "production", hash, name)
					got := cidtext.SearchTerms(link)
					if assert.NotEmpty(t, got, "%s link %q", style, link) {
						assert.Equal(t, hash, got[0], "%s link %q", style, link)
						assert.ElementsMatch(t, forms, got, "%s link %q", style, link)
					}
				}
			}
		}
	}
}

// TestFormsOfNoCIDv0: only a CIDv0 has forms.
func TestFormsOfNoCIDv0(t *testing.T) {
	assert.Nil(t, cidtext.Forms("not a cid"))
	assert.Nil(t, cidtext.Forms(b32), "a CIDv1's forms are asked of its CIDv0")
}

// TestTextTooLongForACIDIsNotDecoded: a long run of letters and digits
// pasted into the search (a token, a dump) is no CID, and is said so at
// once, not after decoding it: base36 and base58 decode in time that grows
// with the square of the length (1 MB of base36 held a core for minutes).
// Bare, in a link and after ipfs://, in either case of base36.
func TestTextTooLongForACIDIsNotDecoded(t *testing.T) {
	long := strings.Repeat("2", 1<<20)
	for _, typed := range []string{"k" + long, "K" + long, "z" + long,
		"https://dweb.link/ipfs/k" + long, "ipfs://k" + long, "https://k" + long[:60] + ".ipfs.dweb.link/k" + long,
		"k" + long + "?filename=a.txt", "z" + long + "#x", "k" + long + "/a.txt"} {
		done := make(chan []string, 1)
		go func() { done <- cidtext.SearchTerms(typed) }()
		select {
		case got := <-done:
			assert.Nil(t, got, "%.40q…", typed)
		case <-time.After(10 * time.Second):
			t.Fatalf("SearchTerms(%.40q…, %d bytes) still decoding after 10 s", typed, len(typed))
		}
	}
	// The longest CID in use (a 64-byte digest, in base16) is still one.
	sha512, err := multihash.Sum([]byte("hello world\n"), multihash.SHA2_512, -1)
	require.NoError(t, err)
	b16, err := cid.NewCidV1(cid.DagProtobuf, sha512).StringOfBase(multibase.Base16)
	require.NoError(t, err)
	assert.Equal(t, []string{b16}, cidtext.SearchTerms("https://dweb.link/ipfs/"+b16))
}
