//go:build unix

package api

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/linkchain"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestAbsPathOfDotDotAfterALink: `upload current/../v1/report.pdf`, where
// current is a symbolic link to releases/v2, names what `cat` reads: the
// system follows the link, then goes up from where it leads
// (releases/v1/report.pdf). AbsPath made it absolute by cutting
// "current/.." as text, naming the v1/report.pdf of the folder the
// command ran in: "does not exist — check the name" when there is none,
// another file uploaded when there is one. A ".." after no link, or after
// a part not there, is cut as text, as before; so is every path with no
// "..", whatever links it goes through. (A ".." after a part not there,
// cut as text too, named a file the system does not open: see
// TestDotDotAfterWhatLeadsNowhereOpensNothing.)
func TestAbsPathOfDotDotAfterALink(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	releases, here := filepath.Join(root, "releases"), filepath.Join(root, "here")
	for _, dir := range []string{filepath.Join(releases, "v1"), filepath.Join(releases, "v2", "sub"), filepath.Join(here, "v1"), filepath.Join(here, "plain")} {
		require.NoError(t, os.MkdirAll(dir, 0o700))
	}
	far := filepath.Join(releases, "v1", "report.pdf")
	require.NoError(t, os.WriteFile(far, []byte("far"), 0o600))
	near := filepath.Join(here, "v1", "report.pdf")
	require.NoError(t, os.WriteFile(near, []byte("near"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(releases, "v2"), filepath.Join(here, "current")))
	require.NoError(t, os.Symlink("report.pdf", filepath.Join(here, "v1", "named.pdf")))
	t.Chdir(here)

	tests := []struct{ name, path, want string }{
		{"a link, then ..", "current/../v1/report.pdf", far},
		{"absolute, a link, then ..", here + "/current/../v1/report.pdf", far},
		{"a link, a folder in it, then .. twice", "current/sub/../../v1/report.pdf", far},
		{"a link, then .., a file not there", "current/../v1/none.pdf", filepath.Join(releases, "v1", "none.pdf")},
		{"the folder a link's .. leads to", "current/..", releases},
		{"a link kept after the last ..", "current/../../here/v1/named.pdf", filepath.Join(here, "v1", "named.pdf")},
		{".. after a folder", "plain/../v1/report.pdf", near},
		{"no ..", "v1/report.pdf", near},
		{"a link, no ..", "current/sub", filepath.Join(here, "current", "sub")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AbsPath(tt.path)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "%q", tt.path)
			// What a launch hands the window, which resolves it later.
			unresolved, err := AbsUnresolved(tt.path)
			require.NoError(t, err)
			assert.True(t, filepath.IsAbs(unresolved), unresolved)
			got, err = AbsPath(unresolved)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "%q made absolute unresolved (%q)", tt.path, unresolved)
		})
	}

	got, err := AbsPath("current/../v1/report.pdf")
	require.NoError(t, err)
	require.NoError(t, os.Remove(near))
	var nt *NotThereError
	assert.False(t, errors.As(NamedNotThere(got, got), &nt), "%q is there: %v", got, nt)
}

// TestDotDotAfterWhatLeadsNowhereOpensNothing: with loop a symbolic link
// to itself (or dead one to nothing, or no "none" at all), `cat
// loop/../v1/report.pdf` fails (ELOOP, ENOENT), but AbsPath fell back to
// cutting "loop/.." as text and named v1/report.pdf, a file that is there:
// `upload loop/../v1/report.pdf` uploaded it. AbsPath now keeps such a
// path's ".." (absolute), so a look at it fails as the system's open does,
// and NamedNotThere says why, as it does of the path as typed: a link on
// the way to nothing, a loop, a name to check.
func TestDotDotAfterWhatLeadsNowhereOpensNothing(t *testing.T) {
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(filepath.Join(here, "v1"), 0o700))
	near := filepath.Join(here, "v1", "report.pdf")
	require.NoError(t, os.WriteFile(near, []byte("near"), 0o600))
	require.NoError(t, os.Symlink("loop", filepath.Join(here, "loop")))
	require.NoError(t, os.Symlink("nowhere", filepath.Join(here, "dead")))
	// A chain of one link more than the system follows, to a folder:
	// filepath.EvalSymlinks follows up to 255.
	testfs.LinkChain(t, here, linkchain.MaxLinks+1, "v1")
	t.Chdir(here)

	tests := []struct {
		name, path string
		kind       NotThereKind
		link       string // NotThereError.Link
	}{
		{"a link to nothing, then ..", "dead/../v1/report.pdf", NotThereLinkOnTheWay, here + "/dead"},
		{"absolute, a link to nothing, then ..", here + "/dead/../v1/report.pdf", NotThereLinkOnTheWay, here + "/dead"},
		{"a loop, then ..", "loop/../v1/report.pdf", NotThereLoop, ""},
		{"a part not there, then ..", "none/../v1/report.pdf", NotThereName, ""},
		{"a part not there, a folder, then .. twice", "none/v1/../../v1/report.pdf", NotThereName, ""},
		{"more links than the system follows, then ..", "link-0/../v1/report.pdf", NotThereLoop, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, sysErr := os.Stat(tt.path)
			require.Error(t, sysErr, "the system opens nothing by %q", tt.path)
			for _, made := range []func(string) (string, error){AbsPath, AbsUnresolved} {
				got, err := made(tt.path)
				require.NoError(t, err)
				assert.True(t, filepath.IsAbs(got), got)
				require.NotEqual(t, near, got, "the text cut of %q", tt.path)
				got, err = AbsPath(got) // a launch's path, resolved in the window
				require.NoError(t, err)
				_, err = os.Stat(got)
				assert.ErrorIs(t, err, errors.Unwrap(sysErr), "%q fails as %q does", got, tt.path)
				var nt *NotThereError
				require.True(t, errors.As(NamedNotThere(got, tt.path), &nt), "%q", got)
				assert.Equal(t, tt.kind, nt.Kind, nt.Error())
				assert.Equal(t, tt.link, nt.Link)
				assert.Equal(t, got, nt.Path)
			}
		})
	}
}

// TestAbsPathOfAFileNamedAsAFolder: `cat report.pdf/` fails (ENOTDIR: a
// name ending with a separator, or "/.", names a folder), but AbsPath
// cleaned the separator away and named report.pdf: `upload report.pdf/`
// uploaded it, and the window queued it. AbsPath (and AbsUnresolved, for
// the window to resolve) now keep a separator after such a path when no
// folder is there, so a look at it fails as the system's open does, and
// NamedNotThere says its path goes through a file. A folder named so, or
// a path not there, is cleaned as before.
func TestAbsPathOfAFileNamedAsAFolder(t *testing.T) {
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(here, "v1", "sub"), 0o700))
	file := filepath.Join(here, "v1", "report.pdf")
	require.NoError(t, os.WriteFile(file, []byte("report"), 0o600))
	require.NoError(t, os.Symlink("v1/report.pdf", filepath.Join(here, "flink")))
	require.NoError(t, os.Symlink("v1", filepath.Join(here, "current")))
	t.Chdir(here)

	for _, typed := range []string{"v1/report.pdf/", "v1/report.pdf//", "v1/report.pdf/.", "v1/report.pdf/./",
		here + "/v1/report.pdf/", "flink/", "current/report.pdf/", "v1/sub/../report.pdf/", "current/../v1/report.pdf/"} {
		t.Run(typed, func(t *testing.T) {
			_, sysErr := os.Stat(typed)
			require.ErrorIs(t, sysErr, syscall.ENOTDIR, "the system opens nothing by %q", typed)
			for _, made := range []func(string) (string, error){AbsPath, AbsUnresolved} {
				got, err := made(typed)
				require.NoError(t, err)
				assert.True(t, filepath.IsAbs(got), got)
				got, err = AbsPath(got) // a launch's path, resolved in the window
				require.NoError(t, err)
				_, err = os.Stat(got)
				assert.ErrorIs(t, err, syscall.ENOTDIR, "%q fails as %q does", got, typed)
				var nt *NotThereError
				require.True(t, errors.As(NamedNotThere(got, typed), &nt), "%q", got)
				assert.Equal(t, NotThereThroughFile, nt.Kind, nt.Error())
			}
		})
	}
	for typed, want := range map[string]string{"v1/": here + "/v1", "v1/.": here + "/v1", "current//": here + "/current",
		"v1/none.pdf/": here + "/v1/none.pdf", "./": here} {
		got, err := AbsPath(typed)
		require.NoError(t, err)
		assert.Equal(t, want, got, "%q", typed)
	}
}

// TestAbsPathOfADotDotPathLongerThanTheSystemTakes: `cat` of
// v1/../v1/../…/v1/report.pdf, longer than the system takes a path
// (PATH_MAX, 4,096 bytes on Linux), fails ("File name too long"), but
// AbsPath named v1/report.pdf, which `upload` then uploaded:
// filepath.EvalSymlinks looks at each part alone, never at the whole
// path. AbsPath now keeps it, so a look at it fails as the system's does
// (the upload says the path is longer than the system allows).
func TestAbsPathOfADotDotPathLongerThanTheSystemTakes(t *testing.T) {
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	near := filepath.Join(here, "v1", "report.pdf")
	require.NoError(t, os.Mkdir(filepath.Dir(near), 0o700))
	require.NoError(t, os.WriteFile(near, []byte("near"), 0o600))
	t.Chdir(here)
	typed := strings.Repeat("v1/../", 700) + "v1/report.pdf"
	_, sysErr := os.Stat(typed)
	require.ErrorIs(t, sysErr, syscall.ENAMETOOLONG, "the system opens nothing by a path of %d bytes", len(typed))

	got, err := AbsPath(typed)
	require.NoError(t, err)
	require.NotEqual(t, near, got, "the text cut")
	_, err = os.Stat(got)
	assert.ErrorIs(t, err, syscall.ENAMETOOLONG)
	assert.True(t, PathTooLong(err), "said as a path longer than the system allows")
}

// TestNamedNotThereOfADotDotAfterAFile: `cat flink/../v1/report.pdf`,
// flink a symbolic link to a file (or a file itself before the ".."),
// fails (not a directory), but NamedNotThere found no file on the way:
// FileOnTheWay went up the path's text cut ("flink/.." is "."), met a
// folder and said nothing, so `upload` queued the path to fail, with "its
// path goes through a file" naming none, for resume to retry. With a link
// before the "..", it named a file of the text cut that the path does not
// go through (`cur/../v1/f.txt/`: ./v1/f.txt, not releases/v1/f.txt). It
// now goes up the path as the system reads each part, and names the file
// the path goes through.
func TestNamedNotThereOfADotDotAfterAFile(t *testing.T) {
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	releases, here := filepath.Join(root, "releases"), filepath.Join(root, "here")
	for _, dir := range []string{filepath.Join(releases, "v1"), filepath.Join(releases, "v2"), filepath.Join(here, "v1")} {
		require.NoError(t, os.MkdirAll(dir, 0o700))
	}
	far := filepath.Join(releases, "v1", "report.pdf")
	require.NoError(t, os.WriteFile(far, []byte("far"), 0o600))
	near := filepath.Join(here, "v1", "report.pdf")
	require.NoError(t, os.WriteFile(near, []byte("near"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(releases, "v1", "only.pdf"), []byte("only"), 0o600))
	require.NoError(t, os.Symlink(filepath.Join(releases, "v2"), filepath.Join(here, "current")))
	require.NoError(t, os.Symlink("v1/report.pdf", filepath.Join(here, "flink")))
	t.Chdir(here)

	tests := []struct{ typed, through, file string }{
		{"flink/../v1/report.pdf", here + "/flink", near},
		{"v1/report.pdf/../report.pdf", here + "/v1/report.pdf", near},
		{"current/../v1/only.pdf/x", here + "/current/../v1/only.pdf", filepath.Join(releases, "v1", "only.pdf")},
		{"current/../v1/report.pdf/../report.pdf", here + "/current/../v1/report.pdf", far},
		{"current/../v1/report.pdf/x", here + "/current/../v1/report.pdf", far},
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			_, sysErr := os.Stat(tt.typed)
			require.ErrorIs(t, sysErr, syscall.ENOTDIR)
			path, err := AbsUnresolved(tt.typed) // as the window is handed it
			require.NoError(t, err)
			var nt *NotThereError
			require.True(t, errors.As(NamedNotThere(path, tt.typed), &nt), "%q", path)
			assert.Equal(t, NotThereThroughFile, nt.Kind, nt.Error())
			assert.Equal(t, tt.through, nt.Detail)
			named, err := os.Stat(nt.Detail)
			require.NoError(t, err)
			file, err := os.Stat(tt.file)
			require.NoError(t, err)
			assert.True(t, os.SameFile(file, named), "%q is the file the path goes through, %q", nt.Detail, tt.file)
		})
	}
}

// TestNamedNotThereOfAPathTooLongForTheSystem: a path the system refuses
// for its length (ENAMETOOLONG) opens nothing now and never will, but
// NamedNotThere said nothing of it: `upload` queued it as a failed upload
// that `resume` offered to retry. A path longer than PATH_MAX (a ".."
// path of 4,208 bytes to a file that is there, or a deep one) and a name
// longer than a name may be are now named as not there, each with what to
// do.
func TestNamedNotThereOfAPathTooLongForTheSystem(t *testing.T) {
	here, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, os.Mkdir(filepath.Join(here, "v1"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(here, "v1", "report.pdf"), []byte("near"), 0o600))
	t.Chdir(here)
	const pathTooLong = " has a path longer than this system allows — name it by a shorter path, or move it to a folder with a shorter one"
	const nameTooLong = " has a name longer than the system allows (255 bytes), so no file has that path — check the path for a mistake"
	for _, tt := range []struct{ name, typed, want string }{
		{"a \"..\" path to a file there", strings.Repeat("v1/../", 700) + "v1/report.pdf", pathTooLong},
		{"a path deeper than the system takes", strings.Repeat(strings.Repeat("d", 200)+"/", 21) + "f", pathTooLong},
		{"a name of 256 bytes", strings.Repeat("n", 256), nameTooLong},
		{"a folder's name of 300 bytes on the path", strings.Repeat("d", 300) + "/f", nameTooLong},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, sysErr := os.Lstat(tt.typed)
			require.ErrorIs(t, sysErr, syscall.ENAMETOOLONG)
			p, err := AbsPath(tt.typed)
			require.NoError(t, err)
			why := NamedNotThere(p, tt.typed)
			nt, ok := errors.AsType[*NotThereError](why)
			require.True(t, ok, "named as not there: %v", why)
			assert.Equal(t, NotThereTooLong, nt.Kind)
			assert.Equal(t, quotePath(p)+tt.want, nt.Error())
		})
	}
}
