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

func TestLineIsInert(t *testing.T) {
	for in, want := range map[string]string{
		"Link to report.pdf copied":          "Link to report.pdf copied",
		"“été 🎉.txt” is live":                "“été 🎉.txt” is live",
		"open two\nlines: permission denied": `open two\nlines: permission denied`,
		"x\x1b]0;title\a is live":            `x\x1b]0;title\a is live`,
		"invoice\u202efdp.exe failed":        `invoice\u202efdp.exe failed`,
		"c1\u009b2J":                         `c1\u009b2J`,
		"bad\xff.txt and \ttab":              `bad\xff.txt and \ttab`,
		"tag\U000E0001 and zero\u200bwidth":  `tag\U000e0001 and zero\u200bwidth`,
	} {
		out := Line(in)
		assert.Equal(t, want, out, "%q", in)
		assert.Equal(t, out, Line(out), "a line made inert stays as it is")
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
