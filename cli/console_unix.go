//go:build !windows

package cli

// attachParentConsole has nothing to do outside Windows: a program started
// from a terminal already writes to it.
func attachParentConsole() {}
