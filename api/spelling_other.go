//go:build !windows

package api

// SpelledOnDisk is p as given: Linux file systems compare names byte for
// byte, so each spelling of a path is another file. (macOS, whose file
// systems ignore case by default, would need what Windows does.)
func SpelledOnDisk(p string) string { return p }
