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

// TestHistoryNameInAnotherUnicodeFormIsNotRenamed: a name dStor answered
// in another Unicode form of the very name sent (a Mac's decomposed
// "café.txt", answered composed) was printed "(dStor named it "café.txt")"
// after "café.txt": a rename no one can see, a false alarm. It is not said
// to be renamed, but --json and --csv keep what dStor answered, byte for
// byte; a name it changed otherwise (its case, a line break) still is.
func TestHistoryNameInAnotherUnicodeFormIsNotRenamed(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	db := openDataDB(t)
	for i, e := range []struct{ name, server string }{
		{"cafe\u0301.txt", "caf\u00e9.txt"},
		{"Report.PDF", "report.pdf"},
		{"notes.txt", `notes.txt\n`},
		{"\u202ecafe\u0301.txt", `\u202ecaf` + "\u00e9.txt"},
	} {
		_, err := db.AddHistory(storage.HistoryEntry{JobID: "job-" + string(rune('a'+i)), Env: "production", Account: "me", Name: e.name,
			ServerName: e.server, Hash: "QmHash0", Verified: true, FinishedAt: time.Unix(1_700_000_000+int64(i), 0)})
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	code, out, errOut := runCLI(t, "", "history")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 4, out)
	assert.NotContains(t, lines[3], "dStor named it", "the very name, composed")
	assert.Contains(t, lines[2], `(dStor named it "report.pdf")`)
	assert.Contains(t, lines[1], `(dStor named it "notes.txt\n")`)
	assert.NotContains(t, lines[0], "dStor named it", "the very name, composed, escaped as the name is")

	code, out, errOut = runCLI(t, "", "history", "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"server_name":"caf`+"\u00e9"+`.txt"`, "what dStor answered, byte for byte")
	code, out, errOut = runCLI(t, "", "history", "--csv")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, ",caf\u00e9.txt,", "what dStor answered, byte for byte")
}
