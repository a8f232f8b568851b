//go:build !windows

package cli

// showErrorBox does nothing outside Windows: there the window's errors stay
// on stderr, which a desktop session keeps in its journal.
func showErrorBox(string, string) {}
