// Package cidtext is the one place that reads a CID out of text a person
// gives (a bare CID, or any link to one) and knows the forms one content's
// CID takes in a history: dStor answers a CIDv0 (Qm…) and the history holds
// what it answered, while a person may have the same content's CIDv1
// (bafy…, k…), upper case, or a gateway link. api checks a gateway override
// and `verify` looks uploads up through it, and storage's history search
// through it, so a search and a lookup agree on what a CID is. Imports
// nothing of the project.
package cidtext

import (
	"errors"
	"html"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/ipfs/go-cid"
	"github.com/multiformats/go-multibase"
	"github.com/multiformats/go-multihash"
)

// Bases are the bases a CIDv1 answer is recorded in (api's checkAnswer),
// base32 (the canonical one) first.
var Bases = []multibase.Encoding{multibase.Base32, multibase.Base36, multibase.Base58BTC}

// maxLen is the longest text read as a CID: about twice the longest CID
// of a 64-byte digest (sha2-512, blake2b-512, the longest in use), 139
// characters in base16; in Bases it is shorter still. Longer text is no CID
// and is not decoded: base36 and base58 decode in time that grows with the
// square of the length (a pasted megabyte of base36 took minutes, a 4 MB
// upload answer about an hour).
const maxLen = 300

// errTooLong is a text longer than maxLen given to Decode.
var errTooLong = errors.New("too long for a CID")

// Decode is cid.Decode of s, for text from a person or a server: one
// longer than any CID (maxLen) is refused without decoding it.
func Decode(s string) (cid.Cid, error) {
	if len(s) > maxLen {
		return cid.Undef, errTooLong
	}
	return cid.Decode(s)
}

// Forms are the strings a history may hold for the content of CIDv0 v0:
// v0 itself and the dag-pb CIDv1 with the same multihash in each of Bases
// (base32 "bafy…", base36 "k…", base58btc "z…": api's checkAnswer keeps
// an answer in these as answered, and records one in any other base in
// base32). An invalid v0 gives none.
func Forms(v0 string) []string {
	c, err := Decode(v0)
	if err != nil || c.Version() != 0 {
		return nil
	}
	v1 := cid.NewCidV1(cid.DagProtobuf, c.Hash())
	forms := []string{v0}
	for _, base := range Bases {
		if s, err := v1.StringOfBase(base); err == nil {
			forms = append(forms, s)
		}
	}
	return forms
}

// SearchTerms are the texts a history search for s finds besides s itself:
// when s is a CID or a link to one (InLink), that CID as written and, when
// it is of the content the app records (dag-pb with a sha2-256 multihash,
// what a CIDv0 can name), every form of it the history may hold (Forms),
// so any form finds the uploads of that content. Text that names no CID,
// or a CID of other content (raw, another hash), gives no more than the
// CID as written: it matches its text, as any search does.
func SearchTerms(s string) []string {
	written := InLink(s)
	if written == "" {
		return nil
	}
	terms := []string{written}
	if v0, ok := asV0(written); ok {
		for _, f := range Forms(v0) {
			if !slices.Contains(terms, f) {
				terms = append(terms, f)
			}
		}
	}
	return terms
}

// asV0 is the CIDv0 of the content the CID s names, when a CIDv0 can name
// it (dag-pb, a sha2-256 digest of 32 bytes).
func asV0(s string) (string, bool) {
	c, err := Decode(s)
	if err != nil || c.Prefix().Codec != cid.DagProtobuf {
		return "", false
	}
	m, err := multihash.Decode(c.Hash())
	if err != nil || m.Code != multihash.SHA2_256 || m.Length != 32 {
		return "", false
	}
	return cid.NewCidV0(c.Hash()).String(), true
}

// InLink is the CID a link holds, for a search or a check that is given a
// link rather than a CID: any link the app makes (a gateway link on any
// gateway, ipfs://, Markdown, HTML), and the other usual ways of writing
// one (a path inside the CID's folder, /ipfs/<cid> alone, a subdomain
// gateway's https://<cid>.ipfs.<gateway>/, with its scheme or without) and
// a bare CID, as written,
// also followed by what a link puts after one (a path inside its folder,
// ?filename=…, #…: a gateway link pasted without its start); "" for text
// that is no link of a CID.
func InLink(s string) string {
	s = strings.TrimSpace(s)
	head := bareHead(s)
	if c := cidOrEmpty(head); c != "" && !climbsOut(s[len(head):]) {
		return c
	}
	if c := subdomainCID(head); c != "" {
		return c // a subdomain gateway's link pasted without https://
	}
	// [name](link) and <a href="link">name</a>: the link inside.
	if i := strings.LastIndex(s, "]("); strings.HasPrefix(s, "[") && strings.HasSuffix(s, ")") && i > 0 {
		s = s[i+2 : len(s)-1]
	} else if rest, ok := strings.CutPrefix(s, `<a href="`); ok {
		link, _, found := strings.Cut(rest, `"`)
		if !found {
			return ""
		}
		s = html.UnescapeString(link)
	}
	if len(s) > len("ipfs://") && strings.EqualFold(s[:len("ipfs://")], "ipfs://") {
		return cidOrEmpty(strings.FieldsFunc(s[len("ipfs://"):], func(r rune) bool { return r == '/' || r == '?' || r == '#' })...)
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	// The path as a browser and a gateway read it, each ".." taken out:
	// /ipfs/<cid>/../<other> is <other>'s.
	segs := strings.FieldsFunc(path.Clean(u.Path), func(r rune) bool { return r == '/' })
	for i := 0; i+1 < len(segs); i++ {
		if segs[i] == "ipfs" && cidOrEmpty(segs[i+1]) != "" {
			return segs[i+1]
		}
	}
	web := (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
	if !web {
		return ""
	}
	if c := subdomainCID(u.Hostname()); c != "" {
		return c
	}
	// A gateway given with a path of its own puts the CID last.
	if len(segs) > 0 {
		return cidOrEmpty(segs[len(segs)-1])
	}
	return ""
}

// subdomainCID is the CID a subdomain gateway's host names before
// ".ipfs." (<cid>.ipfs.dweb.link, a port after it or not), else "".
func subdomainCID(host string) string {
	label, rest, ok := strings.Cut(host, ".")
	if !ok || !strings.HasPrefix(strings.ToLower(rest), "ipfs.") {
		return ""
	}
	return cidOrEmpty(label)
}

// climbsOut reports whether rest, what follows a bare CID (a path, then
// ?… or #…), goes up out of the CID's folder with a ".." (also written
// %2e%2e), as a browser and a gateway read it: <cid>/../<other> is not
// <cid>'s, and what it is cannot be told without the gateway's /ipfs/.
func climbsOut(rest string) bool {
	p, _, _ := strings.Cut(rest, "?")
	p, _, _ = strings.Cut(p, "#")
	if unescaped, err := url.PathUnescape(p); err == nil {
		p = unescaped
	}
	inside := path.Clean("/c/" + p)
	return inside != "/c" && !strings.HasPrefix(inside, "/c/")
}

// bareHead is s up to its first '/', '?' or '#', where the path, query or
// fragment of a link would start: the CID when s is a bare one followed by
// them, as after ipfs://. The whole head must be the CID (cidOrEmpty), so
// text that only starts like one is no CID.
func bareHead(s string) string {
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		return s[:i]
	}
	return s
}

// cidOrEmpty is the first of segs when it is a CID, else "".
func cidOrEmpty(segs ...string) string {
	if len(segs) == 0 || !isAlnum(segs[0]) {
		return ""
	}
	if _, err := Decode(segs[0]); err != nil {
		return ""
	}
	return segs[0]
}

// isAlnum reports whether s has only ASCII letters and digits: every
// CID in base58btc, base32 or base36 does, and such a string is inert
// anywhere it is shown.
func isAlnum(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) < 0
}
