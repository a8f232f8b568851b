package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIndexFileNameFitsAFileSystem: the index page is saved under its
// title's name before it is uploaded, and a folder's name may itself be
// the 255 bytes a file system allows (in ASCII or in three-byte CJK), so
// the page's name — the title's letters and "-index.html" — is cut to
// fit, at a character boundary, rather than the page failing to save
// with "file name too long".
func TestIndexFileNameFitsAFileSystem(t *testing.T) {
	tests := []struct{ name, title, prefix string }{
		{"short", "raw photos", "raw-photos-index.html"},
		{"only dots and spaces", ". .. ", "index.html"},
		{"a bidi override is a dash", "invoice\u202efdp", "invoice-fdp-index.html"},
		{"255 ASCII bytes", strings.Repeat("a", 255), strings.Repeat("a", 244)},
		{"85 CJK characters (255 bytes)", strings.Repeat("写", 85), strings.Repeat("写", 81)},
		{"mixed widths", "x" + strings.Repeat("é", 127), "x" + strings.Repeat("é", 121)},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := indexFileName(tt.title)
			assert.LessOrEqual(t, len(got), 255, got)
			assert.True(t, utf8.ValidString(got), got)
			assert.True(t, strings.HasSuffix(got, "index.html"), got)
			assert.True(t, strings.HasPrefix(got, tt.prefix), got)
			require.NoError(t, os.WriteFile(filepath.Join(dir, got), []byte("<!DOCTYPE html>"), 0o600))
		})
	}
}
