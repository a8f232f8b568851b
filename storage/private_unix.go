//go:build !windows

package storage

import "os"

// makePrivateDir creates dir (and its parents) when missing, the last one
// with mode 0700 so that nobody else on the machine can list it. An existing
// directory keeps its mode: it may be one the person chose and shares.
func makePrivateDir(dir string) error {
	return os.MkdirAll(dir, 0o700)
}

// restrictToOwner makes an existing file readable and writable by its owner
// only (mode 0600), whatever the umask gave it.
func restrictToOwner(path string) error {
	return os.Chmod(path, 0o600)
}

// makePrivateFile makes a lock file private to its owner when it is
// missing: on Unix filelock.Take makes it so (mode 0600).
func makePrivateFile(string) error { return nil }
