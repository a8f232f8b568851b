//go:build !windows

package api

// fileErrnos: the portable checks in fileAccessError name what these
// systems report, by the errors os gives on every system (fs.ErrNotExist,
// fs.ErrPermission, syscall.ENAMETOOLONG).
var fileErrnos []FileErrno

// reservedNameSentence: only Windows keeps file names for devices.
func reservedNameSentence(string, string) string { return "" }
