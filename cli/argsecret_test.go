package cli

import (
	"io"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// takesArguments are the commands whose arguments are what they work on
// (files and folders, a help topic): an argument there is expected, and a
// path is named back when it cannot be read. Every other command takes
// none.
var takesArguments = map[string]bool{
	name:             true, // files and folders for the window; a word that is neither is refused below
	name + " upload": true,
	name + " cid":    true,
	name + " verify": true,
	name + " help":   true,
}

// TestNoCommandRepeatsAnArgumentItDoesNotTake: an API key pasted as the
// first argument ('dstor-uploader KEY') was refused with 'unknown command
// "KEY"', and every command that takes no argument repeated the one it
// was given ('unexpected argument "KEY"'), so the error output, which a
// CI job keeps in its log, carried the secret. login alone did not. Now no
// command repeats an argument it does not take: it says how many it got
// and shows its usage, exit 2, as login does. Every command of the tree
// is checked, so a new one is too.
func TestNoCommandRepeatsAnArgumentItDoesNotTake(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(APIKeyEnv, "")
	key := strings.Repeat("S3cr3tK3y", 7)
	seen := 0
	for _, c := range everyCommand(t) {
		path := c.CommandPath()
		if takesArguments[path] {
			continue
		}
		seen++
		words := strings.Fields(path)[1:]
		for n, extra := range [][]string{{key}, {key, "more"}} {
			args := append(append([]string{}, words...), extra...)
			code, out, errOut := runCLI(t, "", args...)
			assert.Equal(t, 2, code, "%s: %s", path, errOut)
			assert.NotContains(t, out+errOut, key[:12], "%s: the argument is not repeated", path)
			assert.Contains(t, errOut, []string{"1 unexpected argument", "2 unexpected arguments"}[n], path)
			assert.Contains(t, errOut, "Usage: "+c.UseLine(), path)
		}
	}
	assert.GreaterOrEqual(t, seen, 10, "the commands that take no argument, completion's four included")

	for _, first := range []string{key, "uplaod"} {
		code, out, errOut := runCLI(t, "", first, "photo.jpg")
		assert.Equal(t, 2, code, errOut)
		assert.Contains(t, errOut, "unknown command")
		assert.NotContains(t, out+errOut, first, "the first word is not repeated")
		assert.Contains(t, errOut, "Usage: "+name+" [--env ENV] [--home DIR] [FILE...]")
	}
	_, _, errOut := runCLI(t, "", "uplaod")
	assert.Contains(t, errOut, `Did you mean "upload"?`, "a command's name close to the word is suggested")
}

// everyCommand is the command tree as a person can run it, help and
// completion included.
func everyCommand(t *testing.T) []*cobra.Command {
	root := newRoot(IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var all []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		all = append(all, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	require.Greater(t, len(all), 10)
	return all
}

// TestNoFlagRepeatsASecretGivenAsItsNameOrEnvironment: an API key given
// where a flag or an environment goes was repeated in the error: 'login
// --env KEY' said 'unknown environment "KEY"', '-KEY' said 'unknown
// shorthand flag: 's' in -KEY', '--KEY' said 'unknown flag: --KEY', and
// 'login --api-key-stdin=KEY' (or --password-stdin=PASSWORD, as if the
// switch took the secret) said '"KEY" is neither'; '--env https://KEY'
// took the key for a host name and said 'cannot reach key…' (in lower
// case), exit 1, and '--env ftp://KEY' quoted it; '--env
// http://example.com/KEY' named the URL with the key in its path.
// None repeats it now; a flag name as a person types one (--nope) still
// is, so a typo is seen.
func TestNoFlagRepeatsASecretGivenAsItsNameOrEnvironment(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(APIKeyEnv, "")
	key := "sk" + strings.Repeat("S3cr3tK3y", 7)
	tests := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"login", "--env", key, "--api-key-stdin"}, 2, "unknown environment"},
		{[]string{"upload", "--env=" + key, "x"}, 2, "unknown environment"},
		{[]string{"logout", "--env", key}, 2, "unknown environment"},
		{[]string{"-" + key}, 2, "unknown shorthand flag -s"},
		{[]string{"login", "-" + key}, 2, "unknown shorthand flag -s"},
		{[]string{"upload", "-c" + key, "x"}, 2, "unknown shorthand flag -c"},
		{[]string{"--" + key}, 2, "unknown flag"},
		{[]string{"history", "--" + key + "=1"}, 2, "unknown flag"},
		{[]string{"login", "--api-key-stdin=" + key}, 2, "--api-key-stdin is a switch"},
		{[]string{"login", "--email", "a@example.com", "--password-stdin=" + key}, 2, "--password-stdin is a switch"},
		{[]string{"login", "--api-key-stdin", "--remember=" + key}, 2, "--remember is a switch"},
		{[]string{"upload", "--env", "https://" + key, "x"}, 2, "is not a valid URL"},
		{[]string{"verify", "--env", "ftp://" + key, "x"}, 2, "the API base URL must start with https://"},
		{[]string{"upload", "--env", "http://example.com/" + key, "x"}, 2, `the API base URL "http://example.com/…" uses http://`},
		{[]string{"upload", "--env", "https://example.com/v1/" + key + "?k=1", "x"}, 2, `the API base URL "https://example.com/v1/…?…" must not have a query`},
	}
	for i, tt := range tests {
		code, out, errOut := runCLI(t, "pw\n", tt.args...)
		assert.Equal(t, tt.code, code, "case %d: %s", i, errOut)
		assert.Contains(t, errOut, tt.says, "case %d", i)
		assert.NotContains(t, strings.ToLower(out+errOut), strings.ToLower(key[4:16]), "case %d: the key is not repeated, in any case", i)
	}
	for _, typo := range []string{"--nope", "--remove-failed", "--api-key"} {
		_, _, errOut := runCLI(t, "", "login", typo+"=x")
		assert.Contains(t, errOut, "unknown flag: "+typo, "a flag's name as a person types one is named")
	}
	_, _, errOut := runCLI(t, "", "login", "-x")
	assert.Contains(t, errOut, "unknown shorthand flag -x", "a lone letter is named")
}
