package storage

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/inert"
)

// TestNamedOtherwiseOldAndNewRows: the history keeps, as ServerName, a
// name dStor answered that differs byte for byte from the name sent:
// escaped by inert.Line before 14aaf80 (serverText was
// truncate(inert.Line(s), n)), by inert.Literal since (a backslash that
// reads as an escape is \x5c). NamedOtherwise compared Name in either
// form, so a row stored now for a file named with the six characters
// \u202e that dStor answered with a real U+202E was taken for an old row
// of the very name sent, and the window and `history` said nothing of
// the rename the Literal form was made to tell. A hostile server can
// choose what it answers, not the name sent: a row now is read in its
// own form only. Rows stored before keep every verdict the older
// version gave them, but for a name with a backslash that reads as an
// escape, which is said renamed when its stored form is not that name's.
func TestNamedOtherwiseOldAndNewRows(t *testing.T) {
	older := func(answered string) string { return inert.Line(answered) } // 14aaf80^'s serverText, short names
	now := func(answered string) string {
		s, whole := inert.LiteralCut(answered, 255) // api.serverText, short names
		require.True(t, whole)
		return s
	}
	tests := []struct {
		name, sent, server string
		want               bool
	}{
		// Rows stored by older versions (Line form).
		{"older: renamed", "a.txt", older("b.txt"), true},
		{"older: another Unicode form", "cafe\u0301.txt", older("caf\u00e9.txt"), false},
		{"older: an override answered for the name sent", "a\u202eb.txt", older("ab.txt"), true},
		{"older: a control changed", "a\x1bb", older("a\x1bB"), true},
		{"older: an override in another Unicode form", "e\u0301\u202e.txt", older("\u00e9\u202e.txt"), false},
		{"older: the name sent holds a control, renamed", "a\x1bb.txt", older("ab.txt"), true},
		{"older: an emoji's joiner kept", "👩\u200d💻.md", older("👩\u200d💻 .md"), true},
		{"older: the six characters sent, U+202E answered", `a\u202eb`, older("a\u202eb"), true},
		// The one verdict older rows lose: the text stored cannot say whether
		// dStor answered the six characters in another Unicode form or U+202E
		// in it, which a row now stores alike; said renamed, the safe side.
		{"older: the six characters sent, answered in another Unicode form", `cafe` + "\u0301" + `\u202e`, older(`caf` + "\u00e9" + `\u202e`), true},
		// Rows stored now (Literal form).
		{"now: renamed", "a.txt", now("b.txt"), true},
		{"now: another Unicode form", "cafe\u0301.txt", now("caf\u00e9.txt"), false},
		{"now: another Unicode form of the six characters", `cafe` + "\u0301" + `\u202e.txt`, now(`caf` + "\u00e9" + `\u202e.txt`), false},
		{"now: U+202E sent, the six characters answered", "a\u202eb", now(`a\u202eb`), true},
		{"now: the six characters sent, U+202E answered", `a\u202eb`, now("a\u202eb"), true},
		{"now: the four characters sent, ESC answered", `a\x1bb`, now("a\x1bb"), true},
		{"now: a line break's escape sent, a line break answered", `two\nlines`, now("two\nlines"), true},
		{"now: and in another Unicode form too", `cafe` + "\u0301" + `\u202e`, now("caf\u00e9\u202e"), true},
		{"now: a Windows-looking name answered as sent but composed", `C:\temp\cafe` + "\u0301", now(`C:\temp\caf` + "\u00e9"), false},
	}
	for _, tt := range tests {
		e := HistoryEntry{Name: tt.sent, ServerName: tt.server}
		assert.Equal(t, tt.want, e.NamedOtherwise(), "%s: sent %q, stored %q", tt.name, tt.sent, tt.server)
	}
	assert.False(t, HistoryEntry{Name: `a\u202eb`}.NamedOtherwise(), "no server name: not renamed")
}
