package api

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLongAccountIdsStayIdentifiable: account ids (a token's sub) longer
// than an email address, which an issuer's prefix makes alike at the
// start. Shown in a sentence, or cut to the length an account name may
// have, each keeps its start and its end with "…" between, so two ids that
// differ only at the end are never shown, nor filed, as one.
func TestLongAccountIdsStayIdentifiable(t *testing.T) {
	prefix := "urn:dstor:tenant:example-organisation:" + strings.Repeat("0", 40)
	for _, tc := range []struct {
		name   string
		length int // of each id
	}{
		{"longer than a sentence cut (64)", 100},
		{"longer than an email address (254)", 400},
		{"multi-byte", 300},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fill := "x"
			if tc.name == "multi-byte" {
				fill = "é"
			}
			id := func(end string) string {
				s := prefix
				for len(s)+len(end) < tc.length {
					s += fill
				}
				return s + end
			}
			alice, bob := id("-alice"), id("-bob")

			subA := ParseToken(makeJWT(t, map[string]any{"sub": alice})).Subject
			subB := ParseToken(makeJWT(t, map[string]any{"sub": bob})).Subject
			assert.NotEqual(t, subA, subB, "two accounts")
			for _, sub := range []string{subA, subB} {
				assert.LessOrEqual(t, len(sub), maxEmailLen)
				assert.True(t, utf8.ValidString(sub))
				assert.True(t, strings.HasPrefix(sub, prefix[:30]), "its start: %q", sub)
			}
			assert.True(t, strings.HasSuffix(subA, "-alice"), subA)
			assert.True(t, strings.HasSuffix(subB, "-bob"), subB)

			said := (&AccountChangedError{SignedIn: subA, Renewed: subB}).Error()
			require.True(t, utf8.ValidString(said))
			assert.Contains(t, said, "-alice)", "the account signed in, identifiable")
			assert.Contains(t, said, "-bob)", "the other, identifiable")
			assert.Contains(t, said, "("+prefix[:20])
		})
	}
}
