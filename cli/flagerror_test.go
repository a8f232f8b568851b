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
		{[]string{"upload", "--concurency", "x"}, "--concurrency"}, // one letter left out
		{[]string{"upload", "--conccurrenyc", "x"}, ""},            // one in, two swapped: 3 edits
		{[]string{"history", "--limt"}, "--limit"},                 // one left out
		{[]string{"history", "--lmiit"}, "--limit"},                // two swapped: 2 edits
		{[]string{"history", "--jsno"}, "--json"},                  // two swapped
		{[]string{"upload", "--env-x", "sandbox", "x"}, "--env"},   // two too many
		{[]string{"upload", "-env", "sandbox", "x"}, "--env"},      // one dash for a long flag
		{[]string{"history", "--debug-profil", "d"}, ""},           // close to a hidden flag only
		{[]string{"history", "--zz"}, ""},                          // too short to tell
		{[]string{"history", "--completely-different"}, ""},        // near nothing
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
