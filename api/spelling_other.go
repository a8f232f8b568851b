//go:build !windows

package api

import (
	"os"
	"path/filepath"
	"slices"
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
func AbsPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil || !slices.Contains(strings.Split(p, "/"), "..") {
		return abs, err
	}
	full := p
	if !filepath.IsAbs(p) {
		wd, err := os.Getwd()
		if err != nil {
			return abs, nil // the folder was removed since filepath.Abs read it
		}
		full = wd + "/" + p
	}
	parts := strings.Split(full, "/")
	last := 0
	for i, part := range parts {
		if part == ".." {
			last = i
		}
	}
	return upFromLinks(abs, strings.Join(parts[:last+1], "/"), parts[last+1:]), nil
}

// upFromLinks is abs (filepath.Abs's path) unless up, the absolute path
// up to the last "..", leads to another folder than its text cut says:
// then it is where the system leads up, with rest, the names after it.
func upFromLinks(abs, up string, rest []string) string {
	resolved, err := filepath.EvalSymlinks(up) // each ".." from where the links before it lead
	if err != nil {
		return abs // a part not there: the system opens nothing by that path either
	}
	cut, err := os.Stat(filepath.Clean(up))
	if now, errNow := os.Stat(resolved); err == nil && errNow == nil && os.SameFile(cut, now) {
		return abs
	}
	return filepath.Join(append([]string{resolved}, rest...)...)
}
