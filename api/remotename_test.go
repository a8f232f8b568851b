package api

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// assertCleanRemoteName checks what every remote name must be: at most
// maxFileNameLen bytes, valid UTF-8, without control characters, sendable.
func assertCleanRemoteName(t *testing.T, local, got string) {
	t.Helper()
	assert.LessOrEqual(t, len(got), maxFileNameLen, "RemoteName(%q) = %q is too long", local, got)
	assert.True(t, utf8.ValidString(got), "RemoteName(%q) = %q is not UTF-8", local, got)
	assert.Negative(t, strings.IndexFunc(got, unicode.IsControl), "RemoteName(%q) = %q has a control character", local, got)
	assert.NoError(t, validateFileName(got), "RemoteName(%q) = %q is sendable", local, got)
}

// TestRemoteNameCutKeepsNamesDistinct: two local names that differ only
// after the point where their remote names must be cut to 255 bytes still
// get distinct remote names, escaped or not.
func TestRemoteNameCutKeepsNamesDistinct(t *testing.T) {
	cjk := strings.Repeat("漢", 100) // 300 bytes of valid UTF-8 (a Windows name may be this long)
	tests := []struct{ name, a, b string }{
		{"escaped %XX differing at the end", strings.Repeat("%41", 85), strings.Repeat("%41", 84) + "%42"},
		{"invalid UTF-8 differing at the end", strings.Repeat("\xe9", 100) + "a.txt", strings.Repeat("\xe9", 100) + "b.txt"},
		{"control characters differing at the end", strings.Repeat("\n", 90) + "1", strings.Repeat("\n", 90) + "2"},
		{"valid UTF-8 longer than 255 bytes", cjk + "1.txt", cjk + "2.txt"},
		{"valid ASCII longer than 255 bytes", strings.Repeat("a", 300), strings.Repeat("a", 299) + "b"},
		{"a literal ellipsis against a cut name", strings.Repeat("a", 252) + "…", strings.Repeat("a", 300)},
		{"only the extension differs", strings.Repeat("x", 300) + ".jpg", strings.Repeat("x", 300) + ".png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ra, rb := RemoteName(tt.a), RemoteName(tt.b)
			assertCleanRemoteName(t, tt.a, ra)
			assertCleanRemoteName(t, tt.b, rb)
			assert.NotEqual(t, ra, rb, "%q and %q both become the same remote name", tt.a, tt.b)
		})
	}
}

// TestRemoteNameCutShape: a cut name keeps as much of its start as fits,
// then "~" and 16 hex digits of the local name's SHA-256, then its
// extension; the same local name always gets the same remote name.
func TestRemoteNameCutShape(t *testing.T) {
	local := strings.Repeat("\xe9", 100) + ".jpeg"
	got := RemoteName(local)
	assert.Equal(t, got, RemoteName(local), "stable")
	// As much as fits: 77 whole escapes (231 bytes), the mark (17), ".jpeg" (5).
	assert.Regexp(t, `^(%E9){77}~[0-9a-f]{16}\.jpeg$`, got)

	long := strings.Repeat("a", 256)
	assert.Regexp(t, `^a{238}~[0-9a-f]{16}$`, RemoteName(long), "no extension")
	longExt := "a." + strings.Repeat("b", 300)
	assert.Regexp(t, `^a\.b{236}~[0-9a-f]{16}$`, RemoteName(longExt), "an extension too long to keep is cut like the rest")

	fits := strings.Repeat("a", 251) + ".txt"
	assert.Equal(t, fits, RemoteName(fits), "a name of 255 bytes is not cut")
}

// TestRemoteNameCutNameOfItsOwn: a local name that is itself another's cut
// remote name (it takes making it so on purpose: 238 bytes of the other's
// start, "~" and 16 hex digits of the other's SHA-256) is short and clean,
// so it is sent as it is, and the two local names share one remote name.
// That is the one way two names meet; README says so.
func TestRemoteNameCutNameOfItsOwn(t *testing.T) {
	long := strings.Repeat("a", 300)
	cut := RemoteName(long)
	assert.NotEqual(t, long, cut, "cut")
	assert.Equal(t, cut, RemoteName(cut), "a file named like the cut name is sent under the same name")
}

// TestRemoteNameCutProperty: random names built to need a cut, in pairs
// sharing everything but their last few bytes, never share a remote name
// and are always clean.
func TestRemoteNameCutProperty(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pieces := []string{"a", "%41", "%", "\xe9", "\xff", "\n", "\x7f", "漢", "🎉", ".", " ", "~", "\u009b", "é"}
	randomName := func(minLen int) string {
		var b strings.Builder
		for b.Len() < minLen {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	seen := map[string]string{}
	for range 2000 {
		prefix := randomName(80 + rng.IntN(300))
		for range 3 {
			local := prefix + randomName(1+rng.IntN(6))
			got := RemoteName(local)
			assertCleanRemoteName(t, local, got)
			if prev, dup := seen[got]; dup && prev != local {
				t.Fatalf("seed %d: %q and %q both become %q", seed, prev, local, got)
			}
			seen[got] = local
		}
	}
}
