package api

import (
	"path/filepath"
	"slices"
	"strings"
)

// HasDotDot reports whether a part of p is "..": AbsPath reads such a
// part from where a symbolic link before it leads, as the system does,
// and keeps it when the system cannot follow it, so callers that name or
// guard a folder ask this first.
func HasDotDot(p string) bool {
	return slices.Contains(strings.Split(filepath.ToSlash(p), "/"), "..")
}
