// Package diskspace tells how much room a disk has left and whether an
// error means it has none, in the words of each system (ENOSPC on Unix,
// ERROR_DISK_FULL on Windows), so that a full disk is named as such, with
// the space to free, wherever the program meets one.
package diskspace
