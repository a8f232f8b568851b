//go:build !unix && !windows

package diskspace

// Free is how many bytes can still be written on the disk holding dir:
// unknown (-1) on this system.
func Free(string) int64 { return -1 }

// Size is how many bytes the disk holding dir holds in all: unknown (-1)
// on this system.
func Size(string) int64 { return -1 }

// Full reports whether err says the disk has no room left: never known on
// this system.
func Full(error) bool { return false }
