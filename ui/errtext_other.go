//go:build !windows

package ui

// platformErrnos: the errors os returns here are the Unix ones
// themselves (systemErrors).
var platformErrnos []errnoAlias
