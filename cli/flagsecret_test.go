package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// namesAPath are the flags whose value is a file or folder the person
// named (or a folder path on dStor): a sentence may name it back, they
// need it. Such a value is taken as given, so it is not tried below.
var namesAPath = map[string]bool{"home": true, "folder": true, "folder-path": true, "data": true, profileFlag: true}

// takesAnyText are the flags whose every value is taken (a comment, a
// search, the sandbox's password, an account to sign out): no sentence
// refuses one, and the command would run with it.
var takesAnyText = map[string]bool{"comment": true, "search": true, "password": true, "account": true}

// gotThisFar are arguments that bring a command past the checks that
// come before its flags' values are read: a file to work on, a way to
// sign in, a free port for the sandbox (the row's own --listen comes
// after it, and wins).
var gotThisFar = map[string][]string{
	name + " upload":  {"photo.jpg"},
	name + " cid":     {"photo.jpg"},
	name + " verify":  {"photo.jpg"},
	name + " login":   {"--api-key-stdin"},
	name + " sandbox": {"--listen", "127.0.0.1:0"},
}

// TestNoCommandRepeatsAFlagOrAValueItRefuses: a secret typed where a flag
// or its value goes was repeated by the error: 'unknown flag: --KEY',
// "unknown shorthand flag: 'K' in -KEY", 'bad flag syntax: ---KEY',
// '--limit takes a whole number …: "KEY" is not one', 'unknown environment
// "KEY"' (login, logout, upload, resume, verify, the window), '"KEY" is
// not a rate', the sandbox's '"KEY" is not an email address', its listen
// address and its fault. The error output ends up in a terminal's
// scrollback and a CI job's log. Every command of the tree is given an
// unknown flag in each form and a refused value for each of its flags
// (but those that name a path or take any text): none may repeat it, and
// the flag parser's errors stay usage errors (exit 2).
func TestNoCommandRepeatsAFlagOrAValueItRefuses(t *testing.T) {
	t.Setenv(storage.HomeEnv, t.TempDir())
	t.Setenv(APIKeyEnv, "")
	rows := 0
	for _, key := range []string{strings.Repeat("S3cr3tK3y", 7), "p4ss.w0rd:1"} {
		for _, c := range everyCommand(t) {
			path := c.CommandPath()
			words := append(strings.Fields(path)[1:], gotThisFar[path]...)
			for _, flag := range []string{"--" + key, "-" + key, "--" + key + "=1", "---" + key} {
				code, said := runRefused(t, append(append([]string{}, words...), flag))
				assert.Equal(t, 2, code, "%s %s: %s", path, flag, said)
				assert.NotContains(t, said, key[:5], "%s: the unknown flag is not repeated", path)
				assert.Contains(t, said, "Run \""+path+" --help\"", "%s: says where its flags are", path)
				rows++
			}
			for _, f := range flagsOf(c) {
				if namesAPath[f.Name] || takesAnyText[f.Name] {
					continue
				}
				arg := []string{"--" + f.Name, key}
				if f.Value.Type() == "bool" {
					arg = []string{"--" + f.Name + "=" + key}
				}
				code, said := runRefused(t, append(append([]string{}, words...), arg...))
				assert.Equal(t, 2, code, "%s %s: a usage error: %s", path, arg, said)
				assert.NotContains(t, said, key[:5], "%s --%s: the value is not repeated", path, f.Name)
				assert.Contains(t, said, "--"+f.Name, "%s: says which flag is wrong", path)
				rows++
			}
		}
	}
	assert.Greater(t, rows, 150, "every command's flags")
}

// flagsOf is every flag c takes, its own and those it inherits, hidden
// ones too.
func flagsOf(c *cobra.Command) []*pflag.Flag {
	var all []*pflag.Flag
	c.LocalFlags().VisitAll(func(f *pflag.Flag) { all = append(all, f) })
	c.InheritedFlags().VisitAll(func(f *pflag.Flag) { all = append(all, f) })
	return all
}

// runRefused runs a command line that must be refused at once, bounded
// so that one taken (a sandbox serving) fails the test instead of
// hanging it, and returns its status and everything it printed.
func runRefused(t *testing.T, args []string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errOut strings.Builder
	code := Run(ctx, args, IO{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String() + errOut.String()
}
