//go:build !windows

package api

import "path/filepath"

// SpelledOnDisk is p as given: Linux file systems compare names byte for
// byte, so each spelling of a path is another file. (macOS, whose file
// systems ignore case by default, would need what Windows does.)
func SpelledOnDisk(p string) string { return p }

// AbsPath is filepath.Abs(p). (On Windows it keeps names kept for devices.)
func AbsPath(p string) (string, error) { return filepath.Abs(p) }
