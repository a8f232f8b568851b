package api

import (
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/windows"
)

// SpelledOnDisk is the absolute, clean path p as the file system spells it:
// on Windows, whose names ignore case, each name as it was created (a short
// 8.3 name in full) and the drive letter in upper case, so that C:\Foo\a.txt
// and c:\foo\A.TXT, one file, are one path in the queue and the history.
// The \\?\ form of a path is the plain path when both name the same file
// (see plainForm). Links are not followed: a link keeps its own name. When
// a name cannot be looked up (it does not exist, the folder cannot be
// listed, a device path) p is kept as given from that name on.
func SpelledOnDisk(p string) string {
	p = plainForm(p)
	vol := filepath.VolumeName(p)
	if vol == "" || strings.HasPrefix(vol, `\\.\`) || len(p) == len(vol) {
		return p
	}
	if strings.HasSuffix(vol, ":") { // C: or \\?\C:
		vol = strings.ToUpper(vol)
	}
	out := vol
	names := strings.Split(strings.TrimPrefix(p[len(vol):], `\`), `\`)
	for i, name := range names {
		found, ok := nameOnDisk(out+`\`+name, name)
		if !ok {
			return out + `\` + strings.Join(names[i:], `\`)
		}
		out += `\` + found
	}
	return out
}

// nameOnDisk looks up the last name of path in its folder (FindFirstFile)
// and returns it as the folder lists it, or false when it is not found or
// the entry found is not name itself in another case or its short name (a
// pattern character in name matches other entries).
func nameOnDisk(path, name string) (string, bool) {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `*?<>"`) {
		return "", false
	}
	p, err := windows.UTF16PtrFromString(longPath(path))
	if err != nil {
		return "", false
	}
	var data windows.Win32finddata
	h, err := windows.FindFirstFile(p, &data)
	if err != nil {
		return "", false
	}
	_ = windows.FindClose(h)
	long := windows.UTF16ToString(data.FileName[:])
	short := windows.UTF16ToString(data.AlternateFileName[:])
	if !strings.EqualFold(long, name) && !strings.EqualFold(short, name) {
		return "", false
	}
	return long, true
}

// plainForm is p without the \\?\ or \\.\ prefix (\\?\C:\x,
// \\?\UNC\server\share\x, \\.\C:\x) when the plain path opens the same
// file, so that a file given both ways is one path: one job, and found
// already uploaded. Go adds the \\?\ prefix itself where a long path needs
// it. p is kept as given when the prefix matters: a name the plain form
// would change or send to a device (one ending in a dot or a space, ".",
// "..", nul.txt), a path not clean, or a device (\\.\nul).
func plainForm(p string) string {
	if !strings.HasPrefix(p, `\\?\`) && !strings.HasPrefix(p, `\\.\`) {
		return p
	}
	var plain string
	switch {
	case strings.HasPrefix(p[4:], `UNC\`):
		plain = `\\` + p[len(`\\?\UNC\`):]
	case len(p) >= 7 && p[5] == ':' && p[6] == '\\' &&
		('a' <= p[4] && p[4] <= 'z' || 'A' <= p[4] && p[4] <= 'Z'):
		plain = p[4:]
	default:
		return p
	}
	vol := filepath.VolumeName(plain)
	if vol == "" || filepath.Clean(plain) != plain {
		return p
	}
	for _, name := range strings.Split(strings.TrimPrefix(plain[len(vol):], `\`), `\`) {
		stem, _, _ := strings.Cut(name, ".")
		if name == "." || name == ".." || strings.HasSuffix(name, ".") || strings.HasSuffix(name, " ") ||
			reservedDeviceNames[strings.ToUpper(strings.TrimRight(stem, " "))] {
			return p
		}
	}
	return plain
}

// longPath is the \\?\ form of the absolute path p, which Windows takes
// beyond 260 characters (p unchanged when it has the form already).
func longPath(p string) string {
	switch {
	case strings.HasPrefix(p, `\\?\`):
		return p
	case strings.HasPrefix(p, `\\`):
		return `\\?\UNC\` + p[2:]
	default:
		return `\\?\` + p
	}
}

// fileNamedAsFolder reports whether p, whose absolute path is abs, names
// a file with a separator after it, which Windows opens nothing by.
func fileNamedAsFolder(p, abs string) bool {
	if p == "" || !os.IsPathSeparator(p[len(p)-1]) || os.IsPathSeparator(abs[len(abs)-1]) {
		return false
	}
	fi, err := os.Stat(abs)
	return err == nil && !fi.IsDir()
}

// AbsUnresolved is AbsPath(p): Windows reads ".." as text, reading
// nothing on disk for it, so there is nothing to leave for later.
func AbsUnresolved(p string) (string, error) { return AbsPath(p) }

// AbsPath is p made absolute and clean, as filepath.Abs does, except that
// a name Windows keeps for a device (C:\data\nul.txt, CON) stays the
// person's path instead of becoming the device (\\.\nul), so that the
// reserved-name sentence, which says to rename the file, is what they get,
// and that a path in the \\?\ form is kept as given: Windows opens it as
// written, while GetFullPathName (under filepath.Abs) would drop a name's
// trailing dot or space and resolve "..", naming another file than the
// one the form reaches (plainForm then drops the prefix where it can).
// A file named with a separator after it ("notes.txt\") keeps it, as
// Windows opens no file by that name: the path is then said to go
// through a file, not taken for the file.
func AbsPath(p string) (string, error) {
	if strings.HasPrefix(p, `\\?\`) {
		return p, nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return abs, err
	}
	if !strings.HasPrefix(abs, `\\.\`) || strings.HasPrefix(p, `\\.\`) {
		if fileNamedAsFolder(p, abs) {
			return abs + `\`, nil
		}
		return abs, nil
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return filepath.Join(wd, p), nil
}
