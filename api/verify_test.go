package api

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-multihash"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// cidV1Of is the dag-pb sha2-256 CIDv1 (base32, "bafy…") naming the same
// content as the CIDv0 v0.
func cidV1Of(t testing.TB, v0 string) cid.Cid {
	t.Helper()
	c, err := cid.Decode(v0)
	require.NoError(t, err)
	return cid.NewCidV1(cid.DagProtobuf, c.Hash())
}

// sha256CID is a CIDv1 of codec with a sha2-256 multihash of data.
func sha256CID(t testing.TB, codec uint64, data string) cid.Cid {
	t.Helper()
	mh, err := multihash.Sum([]byte(data), multihash.SHA2_256, -1)
	require.NoError(t, err)
	return cid.NewCidV1(codec, mh)
}

// hasNoControl reports whether s is inert on a terminal: no C0, C1, DEL
// or formatting (bidi) character.
func hasNoControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) }) < 0
}

// TestUploadAnswerHashChecked: an answer is a success only
// when its hash provably names the bytes sent. A CIDv1 of the same content
// is compared by multihash and kept as answered; anything that cannot be
// compared (not a CID, wrong case, another codec or hash function) is a
// typed KindUnverifiable error that keeps the answer, inert, for
// inspection; a comparable CID of other content is a mismatch.
func TestUploadAnswerHashChecked(t *testing.T) {
	v1 := cidV1Of(t, helloCID)
	other := sha256CID(t, cid.DagProtobuf, "other content")
	sha512, err := multihash.Sum([]byte("hello world\n"), multihash.SHA2_512, -1)
	require.NoError(t, err)

	tests := []struct {
		name       string
		hash       string
		wantHash   string // for a verified answer
		mismatch   bool
		unverified string // substring of the reason
	}{
		{name: "CIDv0 equal", hash: helloCID, wantHash: helloCID},
		{name: "CIDv1 base32 of the same content", hash: v1.String(), wantHash: v1.String()},
		{name: "CIDv1 base32 upper case: recorded in base32", hash: "B" + strings.ToUpper(v1.String()[1:]), wantHash: v1.String()},
		{name: "CIDv1 base58btc", hash: mustEncode(t, v1, 'z'), wantHash: mustEncode(t, v1, 'z')},
		{name: "CIDv1 base16: recorded in base32", hash: mustEncode(t, v1, 'f'), wantHash: v1.String()},
		{name: "CIDv1 base36", hash: mustEncode(t, v1, 'k'), wantHash: mustEncode(t, v1, 'k')},
		{name: "CIDv1 base32 with padding: recorded without", hash: mustEncode(t, v1, 'c'), wantHash: v1.String()},
		{name: "CIDv1 of other content", hash: other.String(), mismatch: true},
		{name: "CIDv1 raw codec", hash: sha256CID(t, cid.Raw, "hello world\n").String(), unverified: "codec raw"},
		{name: "CIDv1 raw codec, same multihash", hash: cid.NewCidV1(cid.Raw, mustDecode(t, helloCID).Hash()).String(), unverified: "codec raw"},
		{name: "CIDv1 sha2-512", hash: cid.NewCidV1(cid.DagProtobuf, sha512).String(), unverified: "sha2-512"},
		{name: "CIDv0 lower-cased", hash: strings.ToLower(helloCID), unverified: "not a CID"},
		{name: "opaque id", hash: "not-a-cid-at-all", unverified: "not a CID"},
		{name: "escape sequences and a path", hash: "../../x?y=\x1b[31mRED\x1b]0;title\a\u202e\r\nfake line", unverified: "not a CID"},
		{name: "long garbage", hash: strings.Repeat("A\x1b", 5000), unverified: "not a CID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeDStor(t)
			f.addAnswer = func(w http.ResponseWriter, rec received) {
				writeJSON(w, http.StatusOK, map[string]any{"Name": rec.FileName, "Hash": tt.hash, "Size": "20"})
			}
			path := testfs.WriteTemp(t, "hello.txt", []byte("hello world\n"))
			res, err := f.client(nil).Upload(t.Context(), validToken(t), UploadRequest{Path: path})
			assert.Equal(t, helloCID, res.LocalCID)
			assert.True(t, hasNoControl(res.Hash), "the result's hash is inert: %q", res.Hash)
			switch {
			case tt.wantHash != "":
				require.NoError(t, err)
				assert.True(t, res.Verified)
				assert.Equal(t, tt.wantHash, res.Hash)
				return
			case tt.mismatch:
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrHashMismatch)
				assert.Contains(t, Human(err), helloCID)
			default:
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrUnverifiableHash)
				var uh *UnverifiableHashError
				require.ErrorAs(t, err, &uh)
				assert.Contains(t, uh.Reason, tt.unverified)
				assert.Empty(t, res.Hash, "an unverifiable hash is no result")
				assert.LessOrEqual(t, len(uh.Answered), 4*maxAnsweredLen+3)
				assert.Contains(t, Human(err), "dStor answered a hash that cannot be checked")
				assert.Contains(t, Human(err), helloCID)
			}
			assert.False(t, res.Verified)
			assert.False(t, Retryable(err))
			assert.True(t, hasNoControl(err.Error()), "error text is inert: %q", err.Error())
			assert.True(t, hasNoControl(Human(err)), "sentence is inert: %q", Human(err))
		})
	}
}

// TestALongAnswerIsNoCIDAtOnce: a server answering a Hash of megabytes
// of base36 (within maxAddAnswer) gets the upload said unverifiable at once,
// not a core held while it is decoded (its time grows with the square of
// the length: 4 MB is about an hour).
func TestALongAnswerIsNoCIDAtOnce(t *testing.T) {
	f := newFakeDStor(t)
	f.addAnswer = func(w http.ResponseWriter, rec received) {
		writeJSON(w, http.StatusOK, map[string]any{"Name": rec.FileName, "Hash": "k" + strings.Repeat("2", maxAddAnswer-100), "Size": "20"})
	}
	path := testfs.WriteTemp(t, "hello.txt", []byte("hello world\n"))
	c, tok := f.client(nil), validToken(t)
	done := make(chan error, 1)
	go func() {
		_, err := c.Upload(t.Context(), tok, UploadRequest{Path: path})
		done <- err
	}()
	select {
	case err := <-done:
		var uh *UnverifiableHashError
		require.ErrorAs(t, err, &uh)
		assert.Contains(t, uh.Reason, "not a CID")
	case <-time.After(10 * time.Second):
		t.Fatal("the upload still reads its answer's Hash after 10 s")
	}
}

// TestUnverifiableKeepsTheAnswerForInspection: the answered value survives
// in escaped form, so a person can see what dStor (or a proxy) said.
func TestUnverifiableKeepsTheAnswerForInspection(t *testing.T) {
	_, err := checkAnswer("bad\x1b[2Jhash\u202e", helloCID)
	var uh *UnverifiableHashError
	require.ErrorAs(t, err, &uh)
	assert.Equal(t, `"bad\x1b[2Jhash\u202e"`, uh.Answered)
}

// TestCheckAnswerIdentityMultibase: a "CID" in the identity multibase is
// its raw bytes, control characters included; whatever it names, what is
// recorded or shown is the canonical base32 form.
func TestCheckAnswerIdentityMultibase(t *testing.T) {
	v1 := cidV1Of(t, helloCID)
	got, err := checkAnswer("\x00"+string(v1.Bytes()), helloCID)
	require.NoError(t, err)
	assert.Equal(t, v1.String(), got)

	digest, err := multihash.Encode([]byte("\x1b]0;owned\a\x1b[31mRED\x1b[0m\u202e-pad-32"[:32]), multihash.SHA2_256)
	require.NoError(t, err)
	esc := cid.NewCidV1(cid.DagProtobuf, digest)
	_, err = checkAnswer("\x00"+string(esc.Bytes()), helloCID)
	var hm *HashMismatchError
	require.ErrorAs(t, err, &hm)
	assert.Equal(t, esc.String(), hm.Remote)
	assert.True(t, hasNoControl(Human(err)), "%q", Human(err))
}

func mustDecode(t testing.TB, s string) cid.Cid {
	t.Helper()
	c, err := cid.Decode(s)
	require.NoError(t, err)
	return c
}

// mustEncode is c in the multibase whose prefix is base.
func mustEncode(t testing.TB, c cid.Cid, base rune) string {
	t.Helper()
	s, err := c.StringOfBase(multibase.Encoding(base))
	require.NoError(t, err)
	require.Equal(t, base, rune(s[0]))
	return s
}

// TestUploadServerNameKeptApart: the name dStor answers
// never replaces the name sent, and what is kept of it is inert: a control
// or formatting character escaped where it stands (serverText).
func TestUploadServerNameKeptApart(t *testing.T) {
	tests := []struct{ answered, want string }{
		{"hello.txt", ""},
		{"", ""},
		{"renamed.txt", "renamed.txt"},
		{"evil\x1b]0;pwned\a\x1b[2J\r\nInfo: fake line\u202etxt.exe\u009b", `evil\x1b]0;pwned\a\x1b[2J\r\nInfo: fake line\u202etxt.exe\u009b`},
		{strings.Repeat("n", 600), strings.Repeat("n", 252) + "…"},
	}
	for _, tt := range tests {
		f := newFakeDStor(t)
		f.addAnswer = func(w http.ResponseWriter, rec received) {
			writeJSON(w, http.StatusOK, map[string]any{"Name": tt.answered, "Hash": rec.CID, "Size": "20"})
		}
		path := testfs.WriteTemp(t, "hello.txt", []byte("hello world\n"))
		res, err := f.client(nil).Upload(t.Context(), validToken(t), UploadRequest{Path: path})
		require.NoError(t, err)
		assert.Equal(t, "hello.txt", res.Name)
		assert.Equal(t, tt.want, res.ServerName, "%q", tt.answered)
		assert.True(t, hasNoControl(res.ServerName))
	}
}

// TestTokenSubjectIsInert: the subject names the account in messages and
// settings, so a hostile one is made inert.
func TestTokenSubjectIsInert(t *testing.T) {
	tok := ParseToken(makeJWT(t, map[string]any{"sub": "acct\x1b]0;x\a\nfake\u202e"}))
	assert.Equal(t, "acct ]0;x fake", tok.Subject)
}

// isCIDv0Text takes exactly the texts go-cid decodes to a CIDv0 written
// the same way: the bounds themselves, and nothing just outside them.
func TestCIDv0TextBounds(t *testing.T) {
	for _, s := range []string{cidV0Lowest, cidV0Highest, helloCID} {
		assert.True(t, isCIDv0Text(s), s)
		c, err := cid.Decode(s)
		require.NoError(t, err, s)
		assert.Equal(t, uint64(0), c.Version())
		assert.Equal(t, s, c.String())
	}
	below, above := base58Step(cidV0Lowest, -1), base58Step(cidV0Highest, +1)
	t.Logf("bounds %s … %s, just outside: %s, %s", cidV0Lowest, cidV0Highest, below, above)
	for _, s := range []string{below, above, "", helloCID[:45], helloCID + "1", "Qm" + strings.Repeat("0", 44), strings.ToLower(helloCID)} {
		assert.False(t, isCIDv0Text(s), s)
		if c, err := cid.Decode(s); err == nil {
			assert.False(t, c.Version() == 0 && c.String() == s, "%s is a CIDv0 the fast path refuses", s)
		}
	}
	// The fast path answers as the decoding does.
	got, err := checkAnswer(helloCID, helloCID)
	require.NoError(t, err)
	assert.Equal(t, helloCID, got)
}

// FuzzCIDv0Text: any text isCIDv0Text takes is a CIDv0 for go-cid, and
// any CIDv0 go-cid writes back as the same text is taken.
func FuzzCIDv0Text(f *testing.F) {
	f.Add(helloCID)
	f.Add(cidV0Lowest)
	f.Add(cidV0Highest)
	f.Add("QmZ" + strings.Repeat("z", 43))
	f.Add("Qm" + strings.Repeat("1", 44))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := cid.Decode(s)
		isV0 := err == nil && c.Version() == 0 && c.String() == s
		if isCIDv0Text(s) != isV0 {
			t.Fatalf("isCIDv0Text(%q) = %v; go-cid: %v (err %v)", s, isCIDv0Text(s), isV0, err)
		}
	})
}

// base58Step is the base58 text s plus d (±1), carried or borrowed across
// digits.
func base58Step(s string, d int) string {
	b := []byte(s)
	for i := len(b) - 1; i >= 0; i-- {
		v := strings.IndexByte(base58Alphabet, b[i]) + d
		switch {
		case v < 0:
			b[i] = base58Alphabet[len(base58Alphabet)-1]
		case v >= len(base58Alphabet):
			b[i] = base58Alphabet[0]
		default:
			b[i] = base58Alphabet[v]
			return string(b)
		}
	}
	return string(b)
}

// A hostile server can answer, as the upload's Hash, the API key or the
// token the client sent, encoded or not, or a well-formed CID whose digest
// is a piece of the key. The upload fails either way; the failure's
// sentence and error text (shown, printed by --json, kept in the queue's
// database) must hold no part of either secret.
func TestAnsweredHashEchoingASecretIsRedacted(t *testing.T) {
	keyDigest := func(t *testing.T) multihash.Multihash {
		m, err := multihash.Encode([]byte(testAPIKey[:32]), multihash.SHA2_256)
		require.NoError(t, err)
		return m
	}
	for _, echo := range []string{"key", "token", "key-base64", "key-in-cidv1-digest", "key-in-cidv0-digest"} {
		t.Run(echo, func(t *testing.T) {
			f := newFakeDStor(t)
			c := f.client(nil)
			tok, err := c.TokenFromAPIKey(t.Context(), testAPIKey, time.Time{})
			require.NoError(t, err)
			answers := map[string]func(t *testing.T) string{
				"key":        func(*testing.T) string { return testAPIKey },
				"token":      func(*testing.T) string { return tok.Raw },
				"key-base64": func(*testing.T) string { return base64.StdEncoding.EncodeToString([]byte(testAPIKey)) },
				"key-in-cidv1-digest": func(t *testing.T) string {
					s, err := cid.NewCidV1(cid.DagProtobuf, keyDigest(t)).StringOfBase(multibase.Base16)
					require.NoError(t, err)
					return s
				},
				"key-in-cidv0-digest": func(t *testing.T) string { return cid.NewCidV0(keyDigest(t)).String() },
			}
			hash := answers[echo](t)
			f.addAnswer = func(w http.ResponseWriter, rec received) {
				writeJSON(w, http.StatusOK, map[string]any{"Name": rec.FileName, "Hash": hash, "Size": "1"})
			}
			_, err = c.Upload(t.Context(), tok, UploadRequest{Path: testfs.WriteTemp(t, "f.txt", []byte("x"))})
			require.Error(t, err)
			digest := strings.HasSuffix(echo, "-digest")
			assert.Equal(t, !digest, errors.Is(err, ErrUnverifiableHash), "%v", err)
			assert.Equal(t, digest, errors.Is(err, ErrHashMismatch), "%v", err)
			for _, s := range []string{Human(err), err.Error()} {
				assert.Contains(t, s, redacted, "the answered hash is shown redacted")
				assert.NotContains(t, s, testAPIKey[5:40])
				assert.NotContains(t, s, base64.StdEncoding.EncodeToString([]byte(testAPIKey))[4:40])
				assert.NotContains(t, s, tok.Raw[10:60], "the token's first bytes")
				assert.NotContains(t, s, hex.EncodeToString([]byte(testAPIKey[5:30])), "the key in hex")
				assert.NotContains(t, s, hash[len(hash)-20:], "a CID carrying the key is hidden whole")
			}
		})
	}
}
