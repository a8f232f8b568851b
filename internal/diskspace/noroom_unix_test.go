//go:build unix

package diskspace

import "syscall"

// noRoom is how this system says a disk is full.
var noRoom = syscall.ENOSPC
