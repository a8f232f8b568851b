package cli

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFlagValueErrorsAreSentences: a value a flag cannot take (a word for
// a number, a number too large, a word for a switch) was shown as the flag
// parser's Go error ('invalid argument "abc" for "--limit" flag:
// strconv.ParseInt: parsing "abc": invalid syntax'). Each must say what the
// flag takes, without the value given (it may be a secret typed in the
// wrong place: TestNoCommandRepeatsAFlagOrAValueItRefuses), and exit 2 (a
// usage error).
func TestFlagValueErrorsAreSentences(t *testing.T) {
	t.Setenv("DSTOR_UPLOADER_HOME", t.TempDir())
	tests := []struct {
		args []string
		says string
	}{
		{[]string{"history", "--limit", "abc"}, `--limit takes a whole number written in digits, such as 10: the value given (not repeated here, as it may be a secret) is not one`},
		{[]string{"history", "--limit", "0e999"}, `--limit takes a whole number written in digits, such as 10: the value given (not repeated here, as it may be a secret) is not one`},
		{[]string{"history", "--limit", "1.5"}, `--limit takes a whole number written in digits, such as 10: the value given (not repeated here, as it may be a secret) is not one`},
		{[]string{"history", "--limit", "99999999999999999999"}, `--limit: the number given is too large`},
		{[]string{"upload", "--concurrency", "four", "x"}, `--concurrency takes a whole number written in digits, such as 10: the value given (not repeated here, as it may be a secret) is not one`},
		{[]string{"sandbox", "--max-upload-size", "10G"}, `--max-upload-size takes a whole number written in digits, such as 10: the value given (not repeated here, as it may be a secret) is not one`},
		{[]string{"history", "--json=maybe"}, `--json is a switch: write --json alone to turn it on (or --json=false); the value given (not repeated here, as it may be a secret) is neither`},
		{[]string{"sandbox", "--fault", "bogus"}, `--fault: fault: unknown item; known:`},
		{[]string{"resume", "--retry-failed=yes"}, `--retry-failed is a switch: write --retry-failed alone to turn it on (or --retry-failed=false); the value given (not repeated here, as it may be a secret) is neither`},
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

// TestNumberFlagsAreDecimal: a number flag reads its value as the decimal
// number its digits write, as the sentence of a bad value says ("a whole
// number written in digits"). The flag parser read it as Go does a
// literal: "--limit 010" was 8 (octal), "--limit 08" was refused as not
// a number written in digits, and "--concurrency 0x10" was 16.
func TestNumberFlagsAreDecimal(t *testing.T) {
	t.Setenv("DSTOR_UPLOADER_HOME", t.TempDir())
	root := newRoot(IO{In: strings.NewReader(""), Out: io.Discard, Err: io.Discard})
	read := func(command, flag, value string) (string, error) {
		cmd, _, err := root.Find([]string{command})
		require.NoError(t, err)
		if err := cmd.ParseFlags([]string{"--" + flag, value}); err != nil {
			return "", err
		}
		return cmd.Flags().Lookup(flag).Value.String(), nil
	}
	for _, tt := range []struct{ command, flag, value, want string }{
		{"history", "limit", "010", "10"},
		{"history", "limit", "08", "8"},
		{"history", "limit", "+7", "7"},
		{"upload", "concurrency", "010", "10"},
		{"upload", "concurrency", "09", "9"},
		{"sandbox", "max-upload-size", "0100", "100"},
	} {
		got, err := read(tt.command, tt.flag, tt.value)
		if assert.NoError(t, err, "%s --%s %s", tt.command, tt.flag, tt.value) {
			assert.Equal(t, tt.want, got, "%s --%s %s", tt.command, tt.flag, tt.value)
		}
	}
	for _, tt := range []struct{ command, flag, value string }{
		{"history", "limit", "0x10"},
		{"history", "limit", "0b11"},
		{"history", "limit", "0o17"},
		{"history", "limit", "1_000"},
		{"upload", "concurrency", "0x10"},
		{"sandbox", "max-upload-size", "0x400"},
	} {
		_, err := read(tt.command, tt.flag, tt.value)
		if assert.Error(t, err, "%s --%s %s", tt.command, tt.flag, tt.value) {
			assert.Equal(t, fmt.Sprintf("--%s takes a whole number written in digits, such as 10: the value given (not repeated here, as it may be a secret) is not one", tt.flag),
				flagErrorText(nil, err))
		}
	}
}
