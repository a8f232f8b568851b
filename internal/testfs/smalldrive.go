package testfs

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// SmallDrivesEnv names the small drives a Windows test may fill: words
// DRIVE=BYTES (`S:=524288 T:=1048576`), each a drive that holds nothing
// else. make test-windows maps tmpfs mounts of those sizes as Wine drives;
// Windows itself has no tmpfs, and a virtual disk takes an administrator.
const SmallDrivesEnv = "DSTOR_SMALL_DRIVES"

// drivesLent are the small drives lent to a running test.
var drivesLent sync.Map

// smallDrive lends the test a drive of SmallDrivesEnv of exactly size
// bytes, emptied again at cleanup, or skips the test when there is none.
func smallDrive(t testing.TB, size int) string {
	t.Helper()
	for _, w := range strings.Fields(os.Getenv(SmallDrivesEnv)) {
		drive, bytes, ok := strings.Cut(w, "=")
		if n, err := strconv.Atoi(bytes); !ok || err != nil || n != size {
			continue
		}
		if _, lent := drivesLent.LoadOrStore(drive, t.Name()); lent {
			continue
		}
		root := drive + string(filepath.Separator)
		t.Cleanup(func() {
			emptyDrive(t, root)
			drivesLent.Delete(drive)
		})
		return root
	}
	t.Skipf("a full disk takes a drive of %d bytes that holds nothing else: make test-windows maps small tmpfs mounts as drives (%s); none is free here", size, SmallDrivesEnv)
	return ""
}

// emptyDrive deletes everything on the drive at root.
func emptyDrive(t testing.TB, root string) {
	t.Helper()
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Errorf("empty the drive %s: %v", root, err)
		return
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(root, e.Name())); err != nil {
			t.Errorf("empty the drive %s: %v", root, err)
		}
	}
}
