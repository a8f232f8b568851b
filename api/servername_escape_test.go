package api

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServerTextTellsABackslashFromAnEscape: a server may answer a name
// holding the six characters \u202e (a backslash, u, 2, 0, 2, e), and
// serverText escapes a real U+202E as those same six: stored, the two read
// alike, and a name a person wrote with a backslash reads as one dStor
// answered with a right-to-left override. A backslash that would read as
// the start of an escape is escaped itself (\x5c), so the stored name says
// which it was; one that starts no escape stays as it is.
func TestServerTextTellsABackslashFromAnEscape(t *testing.T) {
	tests := []struct{ name, answered, want string }{
		{"a real override", "a\u202eb.txt", `a\u202eb.txt`},
		{"the six characters of its escape", `a\u202eb.txt`, `a\x5cu202eb.txt`},
		{"a backslash before a real override", "a\\\u202eb.txt", `a\\u202eb.txt`},
		{"a real escape byte", "a\x1bb", `a\x1bb`},
		{"the four characters of its escape", `a\x1bb`, `a\x5cx1bb`},
		{"a long escape's shape", `a\U000e0001`, `a\x5cU000e0001`},
		{"a backslash that starts no escape", `a\zb.txt`, `a\zb.txt`},
		{"two backslashes that start none", `a\\zb`, `a\\zb`},
		{"a backslash at the end", `name\`, `name\`},
		{"u without four hex digits", `a\u20b.txt`, `a\u20b.txt`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, serverText(tt.answered, maxFileNameLen), tt.name)
	}
	assert.NotEqual(t, serverText("a\u202eb", maxFileNameLen), serverText(`a\u202eb`, maxFileNameLen),
		"a real override and the text of its escape are stored apart")
}

// TestServerTextCutAtAWholeEscape: a name dStor answered is kept to at
// most 255 bytes once escaped, and was cut by bytes: an escape at the
// bound was cut in half ("…\u20…"), which reads as the text "\u20", not as
// the character dStor sent. The cut falls before or after a whole escape,
// and a whole character, never inside one: at every byte offset of the
// bound, what is kept is whole escapes and characters.
func TestServerTextCutAtAWholeEscape(t *testing.T) {
	const mark = "…"
	room := maxFileNameLen - len(mark)
	for _, tt := range []struct {
		name, char string
		shown      []string // what one char shows as, escape by escape
	}{
		{"an override", "\u202e", []string{`\u202e`}},
		{"a control", "\x1b", []string{`\x1b`}},
		{"a tag", "\U000e0001", []string{`\U000e0001`}},
		{"an invalid byte", "\xff", []string{`\xff`}},
		{"a backslash that reads as an escape", `\u0041`, []string{`\x5c`, "u", "0", "0", "4", "1"}},
		{"a four-byte emoji", "\U0001f389", []string{"\U0001f389"}},
	} {
		for shift := 0; shift <= 12; shift++ {
			prefix := strings.Repeat("a", room-shift)
			got := serverText(prefix+strings.Repeat(tt.char, 40), maxFileNameLen)
			assert.LessOrEqual(t, len(got), maxFileNameLen, "%s, shift %d", tt.name, shift)
			assert.True(t, utf8.ValidString(got), "%s, shift %d: %q", tt.name, shift, got)
			require.True(t, strings.HasSuffix(got, mark), "%s, shift %d: %q", tt.name, shift, got)
			kept, ok := strings.CutPrefix(strings.TrimSuffix(got, mark), prefix)
			require.True(t, ok, "%s, shift %d: the name's start is kept: %q", tt.name, shift, got)
			for kept != "" {
				for _, unit := range tt.shown {
					rest, whole := strings.CutPrefix(kept, unit)
					require.True(t, whole || kept == "", "%s, shift %d: cut inside %q: %q", tt.name, shift, unit, got)
					kept = rest
				}
			}
		}
	}
}

// TestLinkTextTellsABackslashFromAnEscape: a file named with the six
// characters \u202e and one named with U+202E got the same Markdown and
// HTML link text (Markdown's own escape doubles the backslash of both), so
// whoever read the link could not tell which file it named. The text of a
// backslash that would read as an escape is \x5c.
func TestLinkTextTellsABackslashFromAnEscape(t *testing.T) {
	l := Links{}
	for _, style := range []string{LinkMarkdown, LinkHTML} {
		real := l.As(style, "production", "QmHash", "a\u202eb.txt")
		typed := l.As(style, "production", "QmHash", `a\u202eb.txt`)
		assert.NotEqual(t, real, typed, style)
		assert.Contains(t, typed, `x5cu202eb.txt`, style)
	}
	page, err := l.IndexPage(`\u202e`, []SharedFile{{"production", "QmHash", `a\u202eb.txt`}})
	require.NoError(t, err)
	assert.Contains(t, string(page), `\x5cu202e`)
}
