//go:build !windows

package api

import (
	"os"
	"path/filepath"
	"strings"
)

// SpelledOnDisk is p as given: Linux file systems compare names byte for
// byte, so each spelling of a path is another file. (macOS, whose file
// systems ignore case by default, would need what Windows does.)
func SpelledOnDisk(p string) string { return p }

// AbsPath is p made absolute and clean, naming the file the system opens
// by p (what `cat p` reads): filepath.Abs(p), except that a ".." met
// after a symbolic link goes up from where the link leads, as the system
// goes, not from the link's own folder, as filepath.Abs's cut of
// "link/.." as text does: `upload current/../v1/report.pdf`, current a
// link to releases/v2, is releases/v1/report.pdf, not the v1/report.pdf
// of the folder the command runs in (another file, or none). The path up
// to its last ".." is then spelled as the system resolves it; the rest,
// and a path whose ".." goes through no link, keep the person's spelling.
// A path the system cannot follow up to its last ".." (a link to nothing,
// a loop, more links than it follows, a part not there, a folder it may
// not search: `cat` fails) is kept absolute with its "..", so a look at
// it fails as the system's open does (NamedNotThere says why), never
// naming the file the text cut finds.
//
// A path that names a folder (it ends with a separator, or "/.") where a
// file is (`cat report.pdf/` fails: not a directory) keeps a separator
// after it, so every look at it fails as the system's open does, not
// naming the file filepath.Abs's clean leaves.
func AbsPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return abs, err
	}
	if HasDotDot(p) {
		abs = dotDotFromLinks(p, abs)
	}
	if namesFolder(p) && !strings.HasSuffix(abs, "/") {
		if fi, err := os.Stat(abs); err == nil && !fi.IsDir() {
			return abs + "/", nil
		}
	}
	return abs, nil
}

// dotDotFromLinks is AbsPath of p, which has a "..", from abs, its text
// cut: the path up to the last ".." resolved as the system follows it,
// or p absolute with its ".." when the system cannot follow it.
func dotDotFromLinks(p, abs string) string {
	full, err := AbsUnresolved(p)
	if err != nil {
		return abs // the folder was removed since filepath.Abs read it
	}
	parts := strings.Split(full, "/")
	last := 0
	for i, part := range parts {
		if part == ".." {
			last = i
		}
	}
	resolved, ok := upFromLinks(abs, strings.Join(parts[:last+1], "/"), parts[last+1:])
	if !ok {
		return full
	}
	return resolved
}

// AbsUnresolved is p made absolute by the working directory, as AbsPath
// does, but reading nothing on disk beyond that folder: a path with a ".."
// or naming a folder (a separator or "/." at its end) keeps it, as given,
// for AbsPath to resolve later, on a goroutine a network mount that does
// not answer may block (AbsPath stats each part up to the last "..", and
// what a folder's path names). Any other path is AbsPath's, which reads
// nothing for it. The window's launch paths are made absolute so (in the
// launch, as the running window has another working directory) and
// resolved in the window, whose own window then shows at once.
func AbsUnresolved(p string) (string, error) {
	switch {
	case !HasDotDot(p) && !namesFolder(p):
		return AbsPath(p)
	case filepath.IsAbs(p):
		return p, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return wd + "/" + p, nil
}

// namesFolder reports whether p names a folder by its end, a separator or
// a "." after one, which the system opens only where a folder is.
func namesFolder(p string) bool {
	return strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.")
}

// upFromLinks is abs (filepath.Abs's path) unless up, the absolute path
// up to the last "..", leads to another folder than its text cut says:
// then it is where the system leads up, with rest, the names after it.
// It is false when the system cannot follow up (a link to nothing, a
// loop, more links than it follows, a part not there, a folder it may
// not search): it opens nothing by that path.
func upFromLinks(abs, up string, rest []string) (string, bool) {
	// The system's own walk first: filepath.EvalSymlinks follows up to
	// 255 links (the system 40) and goes up a ".." as text, searching no
	// folder (the system needs leave to search each: a folder without x).
	now, err := os.Stat(up)
	if err != nil {
		return "", false
	}
	resolved, err := filepath.EvalSymlinks(up) // each ".." from where the links before it lead
	if err != nil {
		return "", false
	}
	if cut, err := os.Stat(filepath.Clean(up)); err == nil && os.SameFile(cut, now) {
		return abs, true
	}
	return filepath.Join(append([]string{resolved}, rest...)...), true
}
