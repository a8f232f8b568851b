//go:build !windows

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestVerifyPrintsNoControlCharacter: verify printed the paths it was
// given, and the error of one it could not read, as they were, in its
// lines and (for a C1 control or a bidirectional override, which
// encoding/json leaves as they are) in its JSON: a file named with an
// escape sequence retitled the terminal or drew another name, where every
// other command escapes them (inert). Each output of verify is now
// printable text, and the file is still found.
func TestVerifyPrintsNoControlCharacter(t *testing.T) {
	sb := keyedSandbox(t)
	dir := t.TempDir()
	hostile := filepath.Join(dir, "a\x1b]0;owned\x07b\u202etxt.exe\u009b31m\r.bin")
	require.NoError(t, os.WriteFile(hostile, []byte("a hostile name"), 0o600))
	code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, hostile)
	require.Equal(t, 0, code, errOut)
	missing := filepath.Join(dir, "gone\x1b[2J\u202e.bin")

	unprintable := func(r rune) bool { return r != '\n' && r != ' ' && !unicode.IsPrint(r) }
	for _, tc := range []struct {
		args  []string
		found string // what says the file is found
	}{{nil, ": uploaded"}, {[]string{"--json"}, `"matches":true`}} {
		args, found := tc.args, tc.found
		code, out, errOut := runCLI(t, "", append(append([]string{"verify", "--env", sb.URL}, args...), hostile, missing)...)
		assert.Equal(t, 1, code, errOut)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		require.Len(t, lines, 2, "%v: %q", args, out)
		assert.True(t, utf8.ValidString(out), "%v: %q", args, out)
		assert.Less(t, strings.IndexFunc(out, unprintable), 0, "%v: no control or formatting character: %q", args, out)
		assert.Contains(t, lines[0], found, "%v: the file is found", args)
	}
}
