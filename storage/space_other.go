//go:build !linux

package storage

// freeSpace is how many bytes can still be written on the disk holding
// dir, or -1 when unknown (a platform file, space_<os>.go, can say).
func freeSpace(string) int64 { return -1 }
