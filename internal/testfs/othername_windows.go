package testfs

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/windows"
)

// SubstOrSkip gives the folder target a drive letter of its own, as
// `subst S: target` does (DefineDosDevice), until the test ends, and
// returns that drive ("S:"). Wine 8's DefineDosDevice makes a name its
// file opens do not find (`subst y: c:\x`, then `type y:\f` says the
// path is not found), so there the drive is made as Wine's own drives
// are: a link in the prefix's dosdevices folder, as winecfg makes. The test
// skips when no letter is free or the drive cannot be made.
func SubstOrSkip(t testing.TB, target string) string {
	t.Helper()
	drive := freeDrive(t)
	if UnderWine() {
		wineDrive(t, drive, target)
		return drive
	}
	name, err := windows.UTF16PtrFromString(drive)
	if err != nil {
		t.Fatal(err)
	}
	to, err := windows.UTF16PtrFromString(target)
	if err != nil {
		t.Fatal(err)
	}
	if err := windows.DefineDosDevice(0, name, to); err != nil {
		t.Skipf("subst %s %s: %v", drive, target, err)
	}
	t.Cleanup(func() {
		_ = windows.DefineDosDevice(windows.DDD_REMOVE_DEFINITION|windows.DDD_EXACT_MATCH_ON_REMOVE, name, to)
	})
	requireReaches(t, drive+`\`, target)
	return drive
}

// freeDrive is a drive letter no drive has, from Z down.
func freeDrive(t testing.TB) string {
	t.Helper()
	used, err := windows.GetLogicalDrives()
	if err != nil {
		t.Fatalf("GetLogicalDrives: %v", err)
	}
	for i := 25; i >= 3; i-- {
		if used&(1<<i) == 0 {
			return string(rune('A'+i)) + ":"
		}
	}
	t.Skip("no free drive letter")
	return ""
}

// wineDrive makes drive ("S:") a Unix link to the folder target in the
// Wine prefix's dosdevices folder, and removes it when the test ends.
func wineDrive(t testing.TB, drive, target string) {
	t.Helper()
	prefix := os.Getenv("WINEPREFIX")
	if prefix == "" {
		t.Skip("WINEPREFIX is not set: no dosdevices folder to add a drive to")
	}
	link := prefix + "/dosdevices/" + strings.ToLower(drive)
	root := drive + `\`
	wineRunUnix(t, func() bool { _, err := os.Stat(root); return err == nil },
		"/bin/ln", "-s", wineUnixPath(t, target), link)
	t.Cleanup(func() {
		wineRunUnix(t, func() bool { _, err := os.Lstat(root); return os.IsNotExist(err) }, "/bin/rm", link)
	})
	requireReaches(t, root, target)
}

// requireReaches fails the test unless path opens the folder target.
func requireReaches(t testing.TB, path, target string) {
	t.Helper()
	a, err := os.Stat(path)
	if err != nil {
		t.Fatalf("%s made for %s: %v", path, target, err)
	}
	b, err := os.Stat(target)
	if err != nil || !os.SameFile(a, b) {
		t.Fatalf("%s does not reach %s (%v)", path, target, err)
	}
}
