package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFlagValueErrorsAreSentences: a value a flag cannot take (a word for
// a number, a number too large, a word for a switch) was shown as the flag
// parser's Go error ('invalid argument "abc" for "--limit" flag:
// strconv.ParseInt: parsing "abc": invalid syntax'). Each must say what the
// flag takes, with the value given, and exit 2 (a usage error).
func TestFlagValueErrorsAreSentences(t *testing.T) {
	t.Setenv("DSTOR_UPLOADER_HOME", t.TempDir())
	tests := []struct {
		args []string
		says string
	}{
		{[]string{"history", "--limit", "abc"}, `--limit takes a whole number written in digits, such as 10: "abc" is not one`},
		{[]string{"history", "--limit", "0e999"}, `--limit takes a whole number written in digits, such as 10: "0e999" is not one`},
		{[]string{"history", "--limit", "1.5"}, `--limit takes a whole number written in digits, such as 10: "1.5" is not one`},
		{[]string{"history", "--limit", "99999999999999999999"}, `--limit: "99999999999999999999" is too large a number`},
		{[]string{"upload", "--concurrency", "four", "x"}, `--concurrency takes a whole number written in digits, such as 10: "four" is not one`},
		{[]string{"sandbox", "--max-upload-size", "10G"}, `--max-upload-size takes a whole number written in digits, such as 10: "10G" is not one`},
		{[]string{"history", "--json=maybe"}, `--json is a switch: write --json alone to turn it on (or --json=false); "maybe" is neither`},
		{[]string{"sandbox", "--fault", "bogus"}, `--fault: fault "bogus"`},
		{[]string{"resume", "--retry-failed=yes"}, `--retry-failed is a switch: write --retry-failed alone to turn it on (or --retry-failed=false); "yes" is neither`},
	}
	for _, tt := range tests {
		t.Run(tt.args[0]+" "+tt.args[1], func(t *testing.T) {
			code, out, errOut := runCLI(t, "", tt.args...)
			assert.Equal(t, 2, code, "a usage error: %s%s", out, errOut)
			assert.Contains(t, errOut, tt.says)
			assert.NotContains(t, errOut, "strconv")
			assert.NotContains(t, errOut, "invalid syntax")
			assert.NotContains(t, errOut, "invalid argument")
		})
	}
}
