package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestHistoryPrintsServerNameEscaped: a name a server answered is stored
// inert (api.UploadResult.ServerName), but history does not count on it:
// a row holding one with terminal escapes, a bidirectional override and
// line breaks as they are (as no version stores it, but a database
// edited by hand could) is printed escaped where it stands in its line,
// and neither its CSV nor its JSON lets such a character reach the
// terminal, while the JSON gives it back whole.
func TestHistoryPrintsServerNameEscaped(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	const hostile = "x\x1b]0;pwned\a\x1b[2J\r\nfake line\u202egpj.exe\u009b31m"
	db := openDataDB(t)
	_, err := db.AddHistory(storage.HistoryEntry{JobID: "job-0", Env: "production", Account: "me", Name: "report.pdf",
		ServerName: hostile, Hash: "QmHash0", Verified: true, FinishedAt: time.Unix(1_700_000_000, 0)})
	require.NoError(t, err)
	require.NoError(t, db.Close())

	unprintable := func(r rune) bool { return r != '\n' && r != ' ' && !unicode.IsPrint(r) }
	for _, args := range [][]string{nil, {"--csv"}, {"--json"}} {
		code, out, errOut := runCLI(t, "", append([]string{"history"}, args...)...)
		require.Equal(t, 0, code, errOut)
		assert.Negative(t, strings.IndexFunc(out, unprintable), "%v: no control or formatting character: %q", args, out)
		assert.Contains(t, out, "report.pdf", args)
	}
	code, out, _ := runCLI(t, "", "history")
	require.Equal(t, 0, code)
	assert.Contains(t, out, `report.pdf  (dStor named it "x\x1b]0;pwned\a\x1b[2J\r\nfake line\u202egpj.exe\u009b31m")`,
		"one line, the server's name escaped where it stands")
	code, out, errOut := runCLI(t, "", "history", "--json")
	require.Equal(t, 0, code, errOut)
	var recs []struct {
		Name       string `json:"name"`
		ServerName string `json:"server_name"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &recs), out)
	require.Len(t, recs, 1)
	assert.Equal(t, "report.pdf", recs[0].Name)
	assert.Equal(t, hostile, recs[0].ServerName, "the JSON gives the server's name back whole")
}
