//go:build !linux && !windows

package api

import (
	"os"
	"time"
)

// identityOf reads a file's identity from its FileInfo. Here only size and
// modification time are known; a platform file (fileid_<os>.go) adds the
// file id and change time where the platform gives them.
func identityOf(fi os.FileInfo) FileIdentity {
	return FileIdentity{Size: fi.Size(), ModTime: fi.ModTime()}
}

// ChangedAt is when what fi describes last changed, as its modification
// time says: here no change time is read (macOS's stat has one, which
// this build leaves unread; see the Linux one).
func ChangedAt(fi os.FileInfo) time.Time { return fi.ModTime() }

// OnDeviceOf would report whether dir is on the device of the file whose
// identity was id; here identities name no device, so it is never known.
func OnDeviceOf(_, _ string) (on, known bool) { return false, false }
