package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestServerNameEchoedIsNoOtherName: a server that answers the very name
// it was sent has not named the file otherwise, whatever the name holds:
// spaces at its ends or two together, the zero-width non-joiner of a
// Persian name, the joiner of an emoji, a soft hyphen, a right-to-left
// override. The answer was compared only after sanitizing it (which trims
// and collapses spaces and drops formatting characters), so each of these
// names, echoed whole, was recorded as "dStor named it" something else.
func TestServerNameEchoedIsNoOtherName(t *testing.T) {
	f := newFakeDStor(t) // answers the filename it received
	c := f.client(nil)
	path := testfs.WriteTemp(t, "local.txt", []byte("hello world\n"))
	for _, name := range []string{
		" lead.txt", "report.pdf ", "two  spaces.txt", "notes.",
		"می\u200cخواهم.txt", "👩\u200d💻 notes.md", "soft\u00adhyphen.txt", "\u202etxt.exe",
		`q"uote.txt`, "semi;colon.txt", "pct%22.txt",
	} {
		t.Run(name, func(t *testing.T) {
			res, err := c.Upload(t.Context(), validToken(t), UploadRequest{Path: path, Name: name})
			require.NoError(t, err)
			require.Equal(t, name, f.lastUpload().FileName, "the server received the name whole")
			assert.Equal(t, name, res.Name)
			assert.Empty(t, res.ServerName, "the server answered the name it was sent: it named the file no otherwise")
		})
	}
}

// TestServerNameOtherIsKeptWhole: a name a server answers that differs
// from the one sent is kept with what sets it apart, inert: a space where
// it is, an invisible or control character escaped where it stands
// (\u202e, \x1b), so it never reads as the name sent, nor as another.
func TestServerNameOtherIsKeptWhole(t *testing.T) {
	tests := []struct{ sent, answered, want string }{
		{"lead.txt", " lead.txt", " lead.txt"},
		{"report.pdf", "report.pdf ", "report.pdf "},
		{"two spaces.txt", "two  spaces.txt", "two  spaces.txt"},
		{"txt.exe", "\u202etxt.exe", `\u202etxt.exe`},
		{"می\u200cخواهم.txt", "میخواهم.txt", "میخواهم.txt"},
		{"report.pdf", "x\x1b]0;pwned\a\x1b[2J\r\nfake line\u202egpj.exe", `x\x1b]0;pwned\a\x1b[2J\r\nfake line\u202egpj.exe`},
	}
	for _, tt := range tests {
		t.Run(tt.answered, func(t *testing.T) {
			f := newFakeDStor(t)
			f.addAnswer = func(w http.ResponseWriter, rec received) {
				writeJSON(w, http.StatusOK, map[string]any{"Name": tt.answered, "Hash": rec.CID, "Size": itoa(len(rec.Data))})
			}
			path := testfs.WriteTemp(t, "local.txt", []byte("hello world\n"))
			res, err := f.client(nil).Upload(t.Context(), validToken(t), UploadRequest{Path: path, Name: tt.sent})
			require.NoError(t, err)
			assert.Equal(t, tt.sent, res.Name, "the name sent, never the server's")
			assert.Equal(t, tt.want, res.ServerName)
			assert.True(t, hasNoControl(res.ServerName))
		})
	}
}
