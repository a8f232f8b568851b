//go:build linux

package cli

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// jsonPath is the path a JSON object gives in field, as a script reads it:
// the bytes of field+"_base64" when there is one, else field's string;
// and whether it had that second field.
func jsonPath(t *testing.T, obj map[string]any, field string) (string, bool) {
	t.Helper()
	if raw, ok := obj[field+"_base64"]; ok {
		b, err := base64.StdEncoding.DecodeString(raw.(string))
		require.NoError(t, err, "%s_base64 is base64", field)
		return string(b), true
	}
	s, _ := obj[field].(string)
	return s, false
}

// TestJSONGivesEveryPathWhole: on Linux a file's name is any bytes, not
// always UTF-8 (a name written on an old system in Latin-1, or cut in the
// middle of a character). encoding/json wrote each invalid byte as
// U+FFFD, so the path upload, resume, queue, verify and history print
// with --json named no file, and a script could not find the file again.
// Each path field now has, when its path is not valid UTF-8, a field of
// the same name plus "_base64" with the path's bytes; a path that is valid
// UTF-8 is printed as before, with no second field.
func TestJSONGivesEveryPathWhole(t *testing.T) {
	sb := keyedSandbox(t)
	top := t.TempDir()
	dir := filepath.Join(top, "names")
	require.NoError(t, os.Mkdir(dir, 0o755))
	names := []struct {
		name  string
		file  string
		valid bool
	}{
		{"ASCII", "plain.txt", true},
		{"accents and CJK", "café 東京.txt", true},
		{"emoji", "📷 photo.jpg", true},
		{"a backslash", `back\slash.txt`, true},
		{"U+FFFD itself", "real\uFFFD.txt", true},
		{"an escape sequence", "esc\x1b[31m.txt", true},
		{"Latin-1", "caf\xe9.txt", false},
		{"a lone continuation byte", "\x80start.txt", false},
		{"a character cut short", "cut\xe6\x97.txt", false},
		{"a surrogate's encoding", "sur\xed\xa0\x80.txt", false},
	}
	want := map[string]bool{} // path: valid UTF-8
	for _, n := range names {
		p := filepath.Join(dir, n.file)
		require.NoError(t, os.WriteFile(p, []byte("the file named "+n.name), 0o644), n.name)
		want[p] = n.valid
	}
	// A folder whose own name is not UTF-8: its files' paths, and the
	// folder added, in the history, are not.
	odd := filepath.Join(top, "album\xfe")
	require.NoError(t, os.Mkdir(odd, 0o755))
	inOdd := filepath.Join(odd, "a.txt")
	require.NoError(t, os.WriteFile(inOdd, []byte("a file in an odd folder"), 0o644))
	want[inOdd] = false

	check := func(t *testing.T, what string, obj map[string]any, field string) string {
		t.Helper()
		p, raw := jsonPath(t, obj, field)
		valid, ok := want[p]
		if !assert.True(t, ok, "%s: %s %q is no file's path", what, field, p) {
			return p
		}
		assert.Equal(t, !valid, raw, "%s: %q has %s_base64 exactly when it is not UTF-8", what, p, field)
		if valid {
			assert.Equal(t, p, obj[field], "%s: a UTF-8 path is printed as it is", what)
		}
		assert.FileExists(t, p, "%s: the path found the file again", what)
		return p
	}

	code, out, errOut := runCLI(t, "", "upload", "--env", sb.URL, "--json", dir, odd)
	require.Equal(t, 0, code, errOut)
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		assert.Equal(t, "done", rec["state"], line)
		seen[check(t, "upload", rec, "path")] = true
	}
	assert.Len(t, seen, len(want), "every file printed once")

	code, out, errOut = runCLI(t, "", "history", "--limit", "0", "--json")
	require.Equal(t, 0, code, errOut)
	var recs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &recs), out)
	require.Len(t, recs, len(want))
	for _, r := range recs {
		p := check(t, "history", r, "local_path")
		folder, raw := jsonPath(t, r, "added_folder")
		if strings.HasPrefix(p, odd+"/") {
			assert.Equal(t, odd, folder, "history: the folder added, whole")
			assert.True(t, raw)
		} else {
			assert.Equal(t, dir, folder)
			assert.False(t, raw)
		}
	}

	args := []string{"verify", "--env", sb.URL, "--json"}
	for p := range want {
		args = append(args, p)
	}
	code, out, errOut = runCLI(t, "", args...)
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, len(want))
	for _, line := range lines {
		var res map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &res), line)
		p := check(t, "verify", res, "path")
		ups, _ := res["uploads"].([]any)
		require.Len(t, ups, 1, line)
		assert.Equal(t, p, check(t, "verify's upload", ups[0].(map[string]any), "local_path"))
	}
}

// TestFolderJSONGivesTheSenderShareWhole: history --folder DIR --json
// names, on a file the share found already uploaded, the share of the
// upload that sent it (sent_by), whose added_folder is a path like every
// other: when it is not UTF-8 it has its bytes in added_folder_base64 too,
// as the object's own added_folder has.
func TestFolderJSONGivesTheSenderShareWhole(t *testing.T) {
	sb := keyedSandbox(t)
	dir := filepath.Join(t.TempDir(), "album\xfe")
	files := makeFiles(t, dir, 2, func(i int) int { return 700 + i })
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)
	require.NoError(t, os.WriteFile(files[1], []byte("changed since the first upload"), 0o600))
	code, _, errOut = runCLI(t, "", "upload", "--env", sb.URL, dir)
	require.Equal(t, 0, code, errOut)

	code, out, errOut := runCLI(t, "", "history", "--folder", dir, "--json")
	require.Equal(t, 0, code, errOut)
	var recs []map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &recs), out)
	require.Len(t, recs, 2)
	sent := 0
	for _, r := range recs {
		folder, raw := jsonPath(t, r, "added_folder")
		assert.Equal(t, dir, folder, "the share listed, whole")
		assert.True(t, raw)
		by, ok := r["sent_by"].(map[string]any)
		if !ok {
			continue
		}
		sent++
		folder, raw = jsonPath(t, by, "added_folder")
		assert.Equal(t, dir, folder, "the share that sent it, whole")
		assert.True(t, raw, "sent_by's added_folder has its bytes too")
	}
	assert.Equal(t, 1, sent, "the file not changed was found already uploaded")
}
