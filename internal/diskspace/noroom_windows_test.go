package diskspace

import "golang.org/x/sys/windows"

// noRoom is how this system says a disk is full.
var noRoom = windows.ERROR_DISK_FULL
