package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestUnknownFlagSuggestsACloseOne: a mistyped flag is answered with the
// command's flag it was meant to be, when one is within typoEdits edits
// (the same reach as a mistyped command's suggestion), and with none when
// the word is further from every flag, too short to tell, or close only
// to a hidden flag.
func TestUnknownFlagSuggestsACloseOne(t *testing.T) {
	t.Setenv("DSTOR_UPLOADER_HOME", t.TempDir())
	tests := []struct {
		args     []string
		suggests string // "" for no suggestion
	}{
		{[]string{"upload", "--concurency", "x"}, "--concurrency"},   // one letter left out
		{[]string{"upload", "--conccurrenyc", "x"}, ""},              // one in, two swapped: 3 edits
		{[]string{"history", "--limt"}, "--limit"},                   // one left out
		{[]string{"history", "--lmiit"}, "--limit"},                  // two swapped: 2 edits
		{[]string{"history", "--jsno"}, "--json"},                    // two swapped
		{[]string{"upload", "--env-x", "sandbox", "x"}, "--env"},     // two too many
		{[]string{"upload", "-env", "sandbox", "x"}, "--env"},        // one dash for a long flag
		{[]string{"history", "--debug-profil", "d"}, ""},             // close to a hidden flag only
		{[]string{"history", "--zz"}, ""},                            // too short to tell
		{[]string{"history", "--completely-different"}, ""},          // near nothing
		{[]string{"upload", "--folder", "/x", "x"}, "--folder-path"}, // the first word of one flag
		{[]string{"upload", "--limit", "1M", "x"}, "--limit-rate"},   // the first word
		{[]string{"upload", "--rate", "1M", "x"}, "--limit-rate"},    // its last word, by name
		{[]string{"upload", "--path", "x"}, ""},                      // the file, not --folder-path
		{[]string{"login", "--password", "x", "--email", "a@b"}, "--password-stdin"},
		{[]string{"login", "--api-key", "x"}, "--api-key-stdin"},
		{[]string{"login", "--stdin"}, ""},                         // no flag begins with it
		{[]string{"login", "--api", "x"}, "--api-key-stdin"},       // the first word of one
		{[]string{"upload", "--dest", "/x", "x"}, "--folder-path"}, // scp's and rsync's word
		{[]string{"upload", "--destination", "/x", "x"}, "--folder-path"},
		{[]string{"history", "--dest", "/x"}, ""}, // no --folder-path there
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		code, _, errOut := runCLI(t, "", tt.args...)
		assert.Equal(t, 2, code, "%s: %s", name, errOut)
		if tt.suggests == "" {
			assert.NotContains(t, errOut, "Did you mean", name)
			continue
		}
		assert.Contains(t, errOut, `Did you mean "`+tt.suggests+`"?`, name)
	}
}

// TestUnknownRecursiveFlagSaysFoldersGoWhole: -r, -R and --recursive,
// what cp, scp and rsync need for a folder's contents, are answered on
// upload and verify with what they do anyway, not only "unknown"; on
// another command they get no such line.
func TestUnknownRecursiveFlagSaysFoldersGoWhole(t *testing.T) {
	t.Setenv("DSTOR_UPLOADER_HOME", t.TempDir())
	const whole = "with everything in it"
	for _, args := range [][]string{{"upload", "-r", "x"}, {"upload", "-R", "x"}, {"upload", "--recursive", "x"}, {"verify", "-r", "x"}} {
		code, _, errOut := runCLI(t, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
		assert.Contains(t, errOut, "A folder is "+args[0][:len(args[0])-1], args) // uploaded, verified
		assert.Contains(t, errOut, whole, args)
	}
	for _, args := range [][]string{{"cid", "-r", "x"}, {"upload", "-rf", "x"}} {
		code, _, errOut := runCLI(t, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
		assert.NotContains(t, errOut, whole, args)
	}
}
