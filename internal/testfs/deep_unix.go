//go:build unix

package testfs

import (
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// DeepFolder makes folders nested below root until the path of the
// deepest is longer than the system lets a path be (PATH_MAX, 4,096 bytes
// on Linux), each made relative to its parent's descriptor (as no path
// that long can be given), writes a file named file there holding
// content, and returns the deepest folder's path. Go's os.RemoveAll
// removes such a tree (it works from descriptors too).
func DeepFolder(t testing.TB, root, file string, content []byte) string {
	t.Helper()
	name := strings.Repeat("d", 200)
	dir, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("open %s: %v", root, err)
	}
	path := root
	for len(path) <= unix.PathMax {
		if err := unix.Mkdirat(dir, name, 0o755); err != nil {
			t.Fatalf("mkdir %s: %v", name, err)
		}
		sub, err := unix.Openat(dir, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		_ = unix.Close(dir)
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		dir, path = sub, filepath.Join(path, name)
	}
	defer func() { _ = unix.Close(dir) }()
	fd, err := unix.Openat(dir, file, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
	if err != nil {
		t.Fatalf("create %s: %v", file, err)
	}
	defer func() { _ = unix.Close(fd) }()
	if _, err := unix.Write(fd, content); err != nil {
		t.Fatalf("write %s: %v", file, err)
	}
	return path
}
