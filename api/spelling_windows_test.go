package api

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// TestSpelledOnDisk: every spelling of a path that differs only in case
// (and the drive letter) is the path as created; a missing tail, a pattern
// character and a path beyond 260 characters are handled; the \\?\ form is
// the plain path unless that would name another file; a short 8.3 name,
// where the file system has them, becomes the long one.
func TestSpelledOnDisk(t *testing.T) {
	base := SpelledOnDisk(t.TempDir())
	require.Regexp(t, `^[A-Z]:\\`, base)
	file := filepath.Join(base, "Foo Bar", "Sub", "Report.TXT")
	require.NoError(t, os.MkdirAll(filepath.Dir(file), 0o755))
	require.NoError(t, os.WriteFile(file, []byte("report"), 0o644))
	long := filepath.Join(base, strings.Repeat("Deep-Folder-", 20), strings.Repeat("Deeper-", 30), "Long Name.txt")
	require.Greater(t, len(long), 260)
	require.NoError(t, os.MkdirAll(filepath.Dir(long), 0o755))
	require.NoError(t, os.WriteFile(long, []byte("long"), 0o644))

	for _, tc := range []struct{ name, in, want string }{
		{"as created", file, file},
		{"lower case", strings.ToLower(file), file},
		{"upper case", strings.ToUpper(file), file},
		{"over 260 characters", strings.ToUpper(long), long},
		{"the long form, which names the same file", `\\?\` + strings.ToLower(file), file},
		{"the long form of a drive root", `\\?\c:\`, `C:\`},
		{"the long form of a share", `\\?\UNC\server\share\x.txt`, `\\server\share\x.txt`},
		{"the device form, which names the same file", `\\.\` + strings.ToLower(file), file},
		{"the device form of a share", `\\.\UNC\server\share\x.txt`, `\\server\share\x.txt`},
		{"the device form kept: a reserved name", `\\.\` + filepath.Join(base, "nul.txt"), `\\.\` + filepath.Join(base, "nul.txt")},
		{"the device form kept: a device", `\\.\nul`, `\\.\nul`},
		{"the long form kept: a reserved name", `\\?\` + filepath.Join(base, "nul.txt"), `\\?\` + filepath.Join(base, "nul.txt")},
		{"the long form kept: a trailing dot", `\\?\` + filepath.Join(base, "x."), `\\?\` + filepath.Join(base, "x.")},
		{"the long form kept: a trailing space", `\\?\` + filepath.Join(base, "x "), `\\?\` + filepath.Join(base, "x ")},
		{"the long form kept: a dot-dot", `\\?\` + base + `\..\x`, `\\?\` + base + `\..\x`},
		{"a missing tail kept as given", strings.ToLower(filepath.Join(base, "Foo Bar", "New", "X.txt")),
			filepath.Join(base, "Foo Bar") + `\new\x.txt`},
		{"a pattern kept as given", filepath.Join(strings.ToLower(base), "Foo*"), base + `\Foo*`},
		{"a drive root", "c:\\", `C:\`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, SpelledOnDisk(tc.in))
		})
	}

	t.Run("a short name", func(t *testing.T) {
		short, err := shortName(file)
		if err != nil || short == file {
			t.Skipf("this file system gives %s no short 8.3 name (%v)", file, err)
		}
		assert.Equal(t, file, SpelledOnDisk(short))
	})
}

// shortName is the 8.3 form of path (GetShortPathName).
func shortName(path string) (string, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return "", err
	}
	buf := make([]uint16, windows.MAX_LONG_PATH)
	n, err := windows.GetShortPathName(p, &buf[0], uint32(len(buf)))
	if err != nil {
		return "", err
	}
	return windows.UTF16ToString(buf[:n]), nil
}

// TestAbsPath: a name kept for a device stays the person's path (absolute),
// so its sentence can name it; a path in the \\?\ form is taken as given,
// as Windows opens it (GetFullPathName, under filepath.Abs, would drop a
// name's trailing dot or space and resolve "..", naming another file);
// every other path is filepath.Abs's.
func TestAbsPath(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	for in, want := range map[string]string{
		`C:\data\nul.txt`:         `C:\data\nul.txt`,
		`C:\data\x\..\COM1`:       `C:\data\COM1`,
		"CON":                     filepath.Join(wd, "CON"),
		`\\.\nul`:                 `\\.\nul`,
		`C:\data\x\..\a.txt`:      `C:\data\a.txt`,
		"a.txt":                   filepath.Join(wd, "a.txt"),
		`\\?\C:\data\x.`:          `\\?\C:\data\x.`,
		`\\?\C:\data\x `:          `\\?\C:\data\x `,
		`\\?\C:\data\x\..\a.txt`:  `\\?\C:\data\x\..\a.txt`,
		`\\?\UNC\server\share\x.`: `\\?\UNC\server\share\x.`,
		`\\?\C:\data\a.txt`:       `\\?\C:\data\a.txt`,
	} {
		got, err := AbsPath(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
}
