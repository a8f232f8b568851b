package api

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseAddResponse feeds arbitrary answers to the add parser: it must
// never panic, and whatever it accepts must have a Hash and a size >= 0.
func FuzzParseAddResponse(f *testing.F) {
	seeds := []string{
		`{"Name":"hello-world.txt","Hash":"QmXEJJGbyMVa3jJ9iBATY8D1udATD7m6H7kVV7WoRgUEaT","Size":"25136"}`,
		`{"Name":"a","Hash":"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o","Size":20}`,
		"{\"Name\":\"\",\"Bytes\":262144}\n{\"Name\":\"x\",\"Hash\":\"QmA\",\"Size\":\"1\"}\n",
		`[{"Hash":"QmA"},{"Hash":"QmB","Size":"2"}]`,
		`{"Hash":"QmA","Size":1.5}`,
		`{"Hash":"QmA","Size":"-1"}`,
		`{"Hash":"QmA","Size":1e30}`,
		`{"Hash":5}`,
		// Keys twice or in another case, escapes and spaces in Hash: the
		// Hash taken is the one encoding/json reads.
		`{"Hash":"QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o","Hash":"QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH"}`,
		`{"HASH":"QmA","hash":"QmB","Hash":null}`,
		`{"hash":"QmA","Ha\u0073h":"QmB"}`,
		`{"Hash":"\u0051mA\u0000"}`,
		`{"Hash":"QmA \n\u00a0"}`,
		"{\"Hash\":\"QmA\xff\"}",
		`{"Hash":{"Hash":"QmA"}}`,
		`{"Hash":"QmA"}garbage`,
		`{"message":"error"}`,
		// IPFS's error object, after a Hash or beside one: a failed add.
		"{\"Name\":\"a\",\"Hash\":\"QmA\"}\n{\"Message\":\"pin failed\",\"Code\":0,\"Type\":\"error\"}\n",
		`{"Hash":"QmA","Message":{"m":1},"type":"ERROR"}`,
		`<html><title>502</title></html>`,
		`{"Name":"a","Hash":`,
		`null`,
		`[]`,
		`[1]`,
		``,
		"\xff\xfe",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := ParseAddResponse(body)
		// The one-object fast path answers exactly as the general parser.
		general, gerr := parseAddStream(body)
		if got != general || (err == nil) != (gerr == nil) || (err != nil && err.Error() != gerr.Error()) {
			t.Fatalf("ParseAddResponse: %+v, %v; the general parser: %+v, %v", got, err, general, gerr)
		}
		// One object whose Hash encoding/json reads as a string: that
		// string is the Hash taken (duplicate keys, keys in another case,
		// escapes and all), checked apart from the parsers' shared code.
		var one struct{ Hash *string }
		if err == nil && json.Unmarshal(body, &one) == nil && one.Hash != nil && got.Hash != strings.TrimSpace(*one.Hash) {
			t.Fatalf("ParseAddResponse took the Hash %q; encoding/json reads %q", got.Hash, *one.Hash)
		}
		if err != nil {
			if got != (AddResponse{}) {
				t.Fatalf("error with a non-zero result: %+v", got)
			}
			return
		}
		if strings.TrimSpace(got.Hash) == "" || got.Hash != strings.TrimSpace(got.Hash) {
			t.Fatalf("accepted an answer without a clean Hash: %+v", got)
		}
		if got.Size < 0 {
			t.Fatalf("negative size: %+v", got)
		}
	})
}

// FuzzPlainString: a JSON string that plainString takes as it is decodes
// to the same string with encoding/json.
func FuzzPlainString(f *testing.F) {
	for _, s := range []string{`"a"`, `""`, `"a\"b"`, `"\u00e9"`, "\"\xff\"", "\"tab\t\"", `"naïve 写真"`, `"a"b"`, `"`, `x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := plainString(raw)
		if !ok {
			return
		}
		var want string
		if err := json.Unmarshal(raw, &want); err != nil || got != want {
			t.Fatalf("plainString(%q) = %q; encoding/json: %q, %v", raw, got, want, err)
		}
	})
}

// FuzzParseToken feeds arbitrary tokens to ParseToken: it must never panic,
// must keep the raw token (trimmed), and its printed forms must never
// contain it.
func FuzzParseToken(f *testing.F) {
	f.Add(makeJWT(f, map[string]any{"exp": 1632796275, "iat": 1632792675, "sub": "uuid", "d": false, "t": nil}))
	f.Add(makeJWT(f, map[string]any{"exp": 1677336539.25}))
	f.Add(makeJWT(f, map[string]any{"exp": "1700000000", "sub": 7}))
	f.Add(makeJWT(f, map[string]any{"exp": 1e300, "iat": -1e300}))
	f.Add("opaque-token")
	f.Add("a.b.c")
	f.Add("a.!!!.c")
	f.Add("eyJhbGciOiJIUzI1NiJ9.W10.sig")
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOiJOYU4ifQ.sig")
	f.Add("")
	f.Add("  \n")
	f.Fuzz(func(t *testing.T, raw string) {
		tok := ParseToken(raw)
		if tok.Raw != strings.TrimSpace(raw) {
			t.Fatalf("raw not kept: %q", raw)
		}
		s := tok.String()
		if !utf8.ValidString(s) && utf8.ValidString(tok.Subject) {
			t.Fatalf("String is not valid UTF-8: %q", s)
		}
		// Short raw values can coincide with the summary's own words.
		if len(tok.Raw) >= 24 {
			for _, out := range []string{s, tok.GoString()} {
				if strings.Contains(out, tok.Raw) {
					t.Fatalf("printed form leaks the token: %q", out)
				}
			}
		}
		_ = tok.Valid(tok.IssuedAt, 0)
	})
}
