package api

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// escapeInName is one escape serverText writes for a character it does
// not keep as it is (\x01, \u200b, \U000e0001, \a).
var escapeInName = regexp.MustCompile(`\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|[abfnrtv])`)

// TestServerNameSecretBetweenEscapesRedacted: a server that answers, as
// the file's name, the client's token with an invisible or control
// character between each of its own has it stored with each of those
// escaped (\u200b), which a reader, or a script, reads past: the token's
// signature was kept whole in the history, and in its exports. Secrets
// were redacted only as they stand in the raw answer, which the
// characters between them hid; sanitize, before, dropped a formatting
// character and redacted again.
func TestServerNameSecretBetweenEscapesRedacted(t *testing.T) {
	tok := validToken(t)
	sig := tok.Raw[strings.LastIndex(tok.Raw, ".")+1:]
	require.GreaterOrEqual(t, len(sig), 2*secretFragment)
	for name, answered := range map[string]string{
		"signature, zero-width spaces": "x" + strings.Join(strings.Split(sig, ""), "\u200b") + ".txt",
		"signature, a control":         strings.Join(strings.Split(sig, ""), "\x01"),
		"signature, a BOM and a tag":   strings.Join(strings.Split(sig, ""), "\ufeff\U000e0001"),
		"signature, soft hyphens":      strings.Join(strings.Split(sig, ""), "\u00ad"),
		"signature, a stray joiner":    strings.Join(strings.Split(sig, ""), "\u200d"),
		"signature, Hangul fillers":    strings.Join(strings.Split(sig, ""), "\u3164"),
		"signature, grapheme joiners":  strings.Join(strings.Split(sig, ""), "\u034f"),
	} {
		t.Run(name, func(t *testing.T) {
			f := newFakeDStor(t)
			f.addAnswer = func(w http.ResponseWriter, rec received) {
				writeJSON(w, http.StatusOK, map[string]any{"Name": answered, "Hash": rec.CID, "Size": itoa(len(rec.Data))})
			}
			path := testfs.WriteTemp(t, "local.txt", []byte("hello world\n"))
			res, err := f.client(nil).Upload(t.Context(), tok, UploadRequest{Path: path, Name: "a.txt"})
			require.NoError(t, err)
			require.NotEmpty(t, res.ServerName)
			read := escapeInName.ReplaceAllString(res.ServerName, "")
			for i := 0; i+secretFragment <= len(sig); i++ {
				require.NotContains(t, read, sig[i:i+secretFragment], "read past its escapes, %q holds the token", res.ServerName)
			}
			assert.True(t, hasNoControl(res.ServerName))
			assert.LessOrEqual(t, len(res.ServerName), maxFileNameLen)
		})
	}
}
