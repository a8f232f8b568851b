package testfs

import "golang.org/x/sys/windows"

// UnderWine reports whether this Windows program runs under Wine, whose
// ntdll exports wine_get_version: for the few tests of what Wine does not
// do as Windows does, which then skip and say so.
func UnderWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
