package testfs

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// JunctionOrSkip makes link a junction (a mount point) to the folder
// target, with cmd's mklink /J, which needs no privilege on Windows. Under
// Wine, which cannot make junctions (Wine 8 has no reparse points: mklink
// /J prints "Failed to open"), it makes what Wine shows as a link to a
// folder instead: a Unix symbolic link, which Wine lists as a reparse point
// and otherwise follows as if it were the folder. The test skips elsewhere
// (junctions are Windows' own).
func JunctionOrSkip(t testing.TB, target, link string) {
	t.Helper()
	if runtime.GOOS != "windows" {
		t.Skip("junctions are Windows' own")
	}
	if UnderWine() {
		wineFolderLink(t, target, link)
		return
	}
	out, err := exec.Command("cmd", "/c", "mklink", "/J", link, target).CombinedOutput()
	// Go reports a junction as neither a folder nor a symbolic link.
	if st, lerr := os.Lstat(link); err != nil || lerr != nil || st.IsDir() {
		t.Skipf("this Windows cannot make junctions here: mklink /J: %v, %q", err, out)
	}
}

// wineFolderLink makes link a Unix symbolic link to the folder target
// under Wine, and removes it when the test ends, before its folders are
// (Wine would have Go's RemoveAll go through it).
func wineFolderLink(t testing.TB, target, link string) {
	t.Helper()
	unixLink := wineUnixPath(t, link)
	wineRunUnix(t, func() bool { _, err := os.Lstat(link); return err == nil },
		"/bin/ln", "-s", wineUnixPath(t, target), unixLink)
	t.Cleanup(func() {
		wineRunUnix(t, func() bool { _, err := os.Lstat(link); return os.IsNotExist(err) }, "/bin/rm", unixLink)
	})
}

// wineRunUnix runs the Unix program argv[0] under Wine and waits until
// done reports that it has had its effect: Wine starts a Unix program
// directly but gives no handle to wait on. It is started by Wine's start.exe
// (/unix: a Unix path), not by this process: the handles Wine's CreateProcess gives back for a Unix
// program are not ones to close, and closing them here (os.StartProcess
// closes the thread's handle, Release or the GC the process's) once closed
// one of the Go runtime's own events in their place, which killed the test
// binary ("runtime: setevent failed; errno=6", fatal error
// runtime.semawakeup, about 1 run in 8 of the junction tests).
func wineRunUnix(t testing.TB, done func() bool, argv ...string) {
	t.Helper()
	args := append([]string{"/unix"}, argv...)
	if out, err := exec.Command("start", args...).CombinedOutput(); err != nil {
		t.Fatalf("run %s under Wine: %v %s", argv[0], err, out)
	}
	for deadline := time.Now().Add(30 * time.Second); !done(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%q under Wine had no effect after 30 s", argv)
		}
	}
}

// wineUnixPath is the Unix path of a Windows path under Wine (winepath -u).
func wineUnixPath(t testing.TB, path string) string {
	t.Helper()
	out, err := exec.Command("winepath", "-u", path).Output()
	if err != nil {
		t.Fatalf("winepath -u %s: %v", path, err)
	}
	return strings.TrimRight(string(out), "\r\n")
}
