// Package testfs makes file-system fixtures for tests that not every system
// can make, so that a test skips with the reason there instead of failing.
// Only tests import it.
package testfs

import (
	"os"
	"runtime"
	"testing"
)

// NoSymlinks is the reason a test skips where symbolic links cannot be made
// or followed.
const NoSymlinks = "this Windows cannot make symbolic links (it takes Developer Mode or an administrator; " +
	"Wine 8's CreateSymbolicLink reports success and makes nothing)"

// Symlink makes link point at target and reports whether it could. Only on
// Windows (no privilege for links, or Wine) may it return false; anywhere
// else a failure fails the test.
func Symlink(t testing.TB, target, link string) bool {
	t.Helper()
	err := os.Symlink(target, link)
	if err != nil && runtime.GOOS != "windows" {
		t.Fatalf("make a symbolic link: %v", err)
	}
	if err == nil && runtime.GOOS == "windows" {
		// Wine answers success without making anything.
		st, err := os.Lstat(link)
		return err == nil && st.Mode()&os.ModeSymlink != 0
	}
	return err == nil
}

// SymlinkOrSkip makes link point at target, skipping the test where no link
// can be made (see Symlink).
func SymlinkOrSkip(t testing.TB, target, link string) {
	t.Helper()
	if !Symlink(t, target, link) {
		t.Skip(NoSymlinks)
	}
}

// Resolves reports whether a link made by Symlink can be followed (Wine's
// cannot).
func Resolves(link string) bool {
	_, err := os.Stat(link)
	return err == nil
}
