package api

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dstor-uploader/dstor-uploader/internal/cidtext"
	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multihash"
)

// UnverifiableHashError reports an answer whose Hash cannot be compared
// with the file's own CID: not a CID at all (an opaque id, a wrong-case
// "qm…"), or a CID made with another codec or hash function. Nothing proves
// such an upload holds the file, so it is never counted as done.
type UnverifiableHashError struct {
	Local    string // CIDv0 computed from the bytes sent
	Answered string // what dStor answered, made inert (quoted, escaped, shortened)
	Reason   string // why it cannot be compared, e.g. "it is not a CID"
}

// Error states both values and why they cannot be compared.
func (e *UnverifiableHashError) Error() string {
	return "unverifiable hash: dStor answered " + e.Answered + " (" + e.Reason + "), the file's own CID is " + e.Local
}

// Is lets errors.Is(err, ErrUnverifiableHash) hold for a bare
// *UnverifiableHashError.
func (e *UnverifiableHashError) Is(target error) bool { return target == ErrUnverifiableHash }

func (e *UnverifiableHashError) sentence() string {
	return "dStor answered a hash that cannot be checked, " + e.Answered + " (" + e.Reason +
		"), so the upload is not counted as done; the file's own hash is " + e.Local +
		" — check the environment's upload URL, or upload the file again"
}

// maxAnsweredLen bounds how much of an unusable answered hash is kept for
// inspection: enough to recognise it, never a whole page.
const maxAnsweredLen = 100

// inertQuote is s as a double-quoted Go string with every control,
// formatting or non-ASCII character escaped (\x1b, \u202e…), cut to at most
// n bytes of s: safe for a terminal, a CSV cell, a label or a log line, and
// still exact enough to inspect.
func inertQuote(s string, n int) string {
	if len(s) > n {
		cut := n
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		return strconv.QuoteToASCII(s[:cut]) + "…"
	}
	return strconv.QuoteToASCII(s)
}

// checkAnswer compares the Hash dStor answered with the local CIDv0 and
// returns the hash to record. A CIDv0 must equal the local one; a CIDv1
// names the same content when it is dag-pb with a sha2-256 multihash equal
// to the local CID's (it is recorded as answered when that is base32,
// base36 or base58btc, the forms cidtext.Forms gives `verify` to look it up by,
// else in its canonical base32 form). A comparable hash that differs is a *HashMismatchError; anything
// that cannot be compared is an *UnverifiableHashError.
//
// The usual answer is the local CIDv0's very text: when that is a valid
// CIDv0 it names the same content and is recorded, with nothing to decode
// (decoding both was 2 % of the CPU of an upload of many small files).
func checkAnswer(answered, local string) (string, error) {
	if answered == local && isCIDv0Text(local) {
		return answered, nil
	}
	unverifiable := func(reason string) (string, error) {
		return "", &UnverifiableHashError{Local: local, Answered: inertQuote(answered, maxAnsweredLen), Reason: reason}
	}
	lc, err := cid.Decode(local)
	if err != nil {
		// The local CID comes from our own hasher; this cannot happen
		// unless it is broken, and then nothing can be verified.
		return unverifiable("the local hash is not a CID")
	}
	c, err := cidtext.Decode(answered)
	if err != nil {
		return unverifiable("it is not a CID")
	}
	if c.Version() == 0 {
		if answered != local {
			return "", &HashMismatchError{Local: local, Remote: answered}
		}
		return answered, nil
	}
	p := c.Prefix()
	switch {
	case p.Codec != cid.DagProtobuf:
		return unverifiable("a CID of codec " + codecName(p.Codec) + ", not dag-pb as IPFS add makes")
	case p.MhType != multihash.SHA2_256:
		return unverifiable("a CID made with hash function " + hashName(p.MhType) + ", not sha2-256")
	}
	shown := c.String() // canonical base32
	if answered != shown && keptAsAnswered(c, answered) {
		shown = answered
	}
	if !bytes.Equal(c.Hash(), lc.Hash()) {
		return "", &HashMismatchError{Local: local, Remote: shown}
	}
	return shown, nil
}

// hideSecretsInHash redacts, in the answered hash a failed check quotes,
// every secret this client sent: a hostile server can answer the API key
// or the token as its Hash, or a well-formed CID whose digest bytes are a
// piece of the key, and the quoted hash reaches the screen, --json and the
// queue's database. A CID whose digest holds a secret's bytes is hidden
// whole, since any reader could decode it back.
func hideSecretsInHash(err error, secrets []string) {
	var m *HashMismatchError
	var u *UnverifiableHashError
	switch {
	case errors.As(err, &m):
		if c, derr := cid.Decode(m.Remote); derr == nil && redactSecrets(string(c.Hash()), secrets) != string(c.Hash()) {
			m.Remote = redacted
			return
		}
		m.Remote = redactSecrets(m.Remote, secrets)
	case errors.As(err, &u):
		u.Answered = redactSecrets(u.Answered, secrets)
	}
}

// codecName and hashName name a multicodec for a message.
func codecName(code uint64) string {
	switch code {
	case cid.Raw:
		return "raw"
	case cid.DagCBOR:
		return "dag-cbor"
	case cid.DagJSON:
		return "dag-json"
	}
	return "0x" + strconv.FormatUint(code, 16)
}

func hashName(code uint64) string {
	if name, ok := multihash.Codes[code]; ok {
		return name
	}
	return "0x" + strconv.FormatUint(code, 16)
}

// keptAsAnswered reports whether answered, the text of the CIDv1 c, is
// c in one of the bases cidtext.Forms lists (base36, base58btc; base32 is
// c.String()), as written in that base: the history then holds a value a
// lookup by content finds. Another base (base16, base64, upper case…) is
// recorded in base32.
func keptAsAnswered(c cid.Cid, answered string) bool {
	for _, base := range cidtext.Bases[1:] {
		if s, err := c.StringOfBase(base); err == nil && s == answered {
			return true
		}
	}
	return false
}

// isCIDv0Text reports whether s is the text of a CIDv0: 46 characters of
// base58 between the CIDv0s of the lowest and the highest sha2-256 digest.
// Text of the same length in base58 sorts as the numbers it stands for
// (the alphabet is in ASCII order), so exactly the texts in that range
// decode to a sha2-256 multihash (FuzzCIDv0Text checks it with go-cid).
func isCIDv0Text(s string) bool {
	if len(s) != len(cidV0Lowest) || s < cidV0Lowest || s > cidV0Highest {
		return false
	}
	for i := range len(s) {
		if strings.IndexByte(base58Alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

// base58Alphabet is Bitcoin's base58 alphabet, the one of CIDv0.
const base58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

// cidV0Lowest and cidV0Highest are the CIDv0s of the digests all 0x00 and
// all 0xff.
var cidV0Lowest, cidV0Highest = cidV0([sha256.Size]byte{}), cidV0([sha256.Size]byte(bytes.Repeat([]byte{0xff}, sha256.Size)))
