package api

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzValidateHeaders feeds arbitrary text to the checks of the values sent
// as x-dstor-comment and x-dstor-folder-path. Whatever they accept must be
// one line of valid UTF-8 without control characters, within its length
// limit, and — the point — must travel as exactly one header: a request
// carrying it, written and parsed back, has the same value and no header
// it did not have (no header injection, no request splitting).
func FuzzValidateHeaders(f *testing.F) {
	for _, s := range []string{
		"", "trip photos", "/photos/2026/", "/", "/a/../b", "photos", "a\r\nx-evil: 1",
		"/ok\n", "tab\there", "\x00", "\xff\xfe", "émoji 📷 and עברית", "/a/./b/", "/..",
		"\u202e/rtl/", "\u0085next-line", strings.Repeat("x", 1025), "/" + strings.Repeat("é", 600),
		" leading and trailing ", "x-dstor-comment: second",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, check := range []struct {
			header string
			limit  int
			err    error
		}{
			{"x-dstor-comment", maxCommentLen, ValidateComment(s)},
			{"x-dstor-folder-path", MaxFolderPathLen, ValidateFolderPath(s)},
		} {
			if check.err != nil {
				var ve *ValidationError
				if !errors.As(check.err, &ve) || ve.Message == "" {
					t.Fatalf("%s: %q refused without a ValidationError message: %v", check.header, s, check.err)
				}
				continue
			}
			if !utf8.ValidString(s) || len(s) > check.limit || strings.IndexFunc(s, unicode.IsControl) >= 0 {
				t.Fatalf("%s: accepted %q", check.header, s)
			}
			if check.header == "x-dstor-folder-path" && s != "" {
				if !strings.HasPrefix(s, "/") || strings.Contains("/"+s+"/", "/../") {
					t.Fatalf("folder path accepted %q", s)
				}
			}
			if s == "" {
				continue
			}
			req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1/api/v0/add", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set(check.header, s)
			var wire bytes.Buffer
			if err := req.Write(&wire); err != nil {
				t.Fatalf("%s: %q cannot be written: %v", check.header, s, err)
			}
			back, err := http.ReadRequest(bufio.NewReader(&wire))
			if err != nil {
				t.Fatalf("%s: %q breaks the request: %v", check.header, s, err)
			}
			// HTTP drops spaces around a value; nothing else may change.
			if got := back.Header.Values(check.header); len(got) != 1 || got[0] != strings.Trim(s, " ") {
				t.Fatalf("%s: sent %q, received %q", check.header, s, got)
			}
			for k := range back.Header {
				if k != http.CanonicalHeaderKey(check.header) && k != "User-Agent" && k != "Content-Length" {
					t.Fatalf("%s: %q added header %q", check.header, s, k)
				}
			}
		}
	})
}
