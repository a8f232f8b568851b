package inert

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTextIsInert(t *testing.T) {
	for in, want := range map[string]string{
		"report.pdf":           "report.pdf",
		"été 🎉.txt":            "été 🎉.txt",
		"two\nlines":           `"two\nlines"`,
		"x\x1b]0;title\a":      `"x\x1b]0;title\a"`,
		"invoice\u202efdp.exe": `"invoice\u202efdp.exe"`,
		"c1\u009b2J":           `"c1\u009b2J"`,
		"bad\xff":              `"bad\xff"`,
	} {
		assert.Equal(t, want, Text(in), "%q", in)
	}
}

func TestJSONKeepsMeaning(t *testing.T) {
	in := map[string]string{"name": "a\u009b2J\u202e\x7f\U000E0001b <&>"}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	out := JSON(b)
	assert.NotContains(t, string(out), "\u009b")
	assert.NotContains(t, string(out), "\u202e")
	assert.NotContains(t, string(out), "\x7f")
	assert.Contains(t, string(out), `\u009b`)
	assert.Contains(t, string(out), `\udb40\udc01`)
	var back map[string]string
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, in, back)
}
