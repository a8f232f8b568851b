package api

import (
	"errors"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestNamedNotThereOfATildeNotExpanded: `upload "~/report.pdf"` (quoted,
// so the shell left ~ as it was; or any ~ on Windows, where cmd never
// replaces it) said only that the path does not exist — check the name,
// though the name was right. When the first part of the path not there is
// ~ (or, off Windows, ~user) and the path it stands for is there, the
// sentence says why and names that path; otherwise it stays a name to
// check. Relative as cid and verify name it, absolute as upload does.
//
// It gave that hint for any part "~" not there on the way, but a shell
// leaves ~ as it is only at the start of a word: `upload /data/~/x`
// (a folder named ~, deliberately), `upload nolink/../~/x` and a window's
// launch path (made absolute before the window sees it, so its typed
// spelling is not known) were told to write ~ outside quotes. The hint
// is now given only when the path as typed starts with a ~ part.
func TestNamedNotThereOfATildeNotExpanded(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	report := filepath.Join(home, "report.pdf")
	require.NoError(t, os.WriteFile(report, []byte("pdf"), 0o600))
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "has-a-tilde"), 0o700))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "has-a-tilde", "~"), 0o700))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "data"), 0o700))
	sep := string(filepath.Separator)
	var other, otherHome string
	if u, err := user.Current(); err == nil && runtime.GOOS != "windows" {
		if _, err := os.Stat(u.HomeDir); err == nil {
			other, otherHome = "~"+u.Username, u.HomeDir
		}
	}
	tests := []struct {
		name, path string
		typed      string // the path as typed; "same" for path itself
		kind       NotThereKind
		meant      string // Detail: the path ~ stands for
	}{
		{"~/ quoted", "~/report.pdf", "same", NotThereTilde, report},
		{"~ alone", "~", "same", NotThereTilde, home},
		{"~ with the platform's separator", "~" + sep + "report.pdf", "same", NotThereTilde, report},
		{"absolute, as upload names it", filepath.Join(dir, "~", "report.pdf"), "~" + sep + "report.pdf", NotThereTilde, report},
		{"~user/", other + "/", "same", NotThereTilde, otherHome},
		{"what ~ stands for is not there either", "~/reprot.pdf", "same", NotThereName, ""},
		{"no such user", "~no-such-user-h196/report.pdf", "same", NotThereName, ""},
		{"a name that only starts with ~", "~report.pdf", "same", NotThereName, ""},
		{"~ after a folder not there", filepath.Join("no-folder", "~", "report.pdf"), "same", NotThereName, ""},
		{"a folder named ~ that is there", filepath.Join("has-a-tilde", "~", "report.pdf"), "same", NotThereName, ""},
		{"a ~ typed in the middle, absolute", filepath.Join(dir, "data", "~", "report.pdf"), "same", NotThereName, ""},
		{"a ~ typed after ..", "nolink" + sep + ".." + sep + "~" + sep + "report.pdf", "same", NotThereName, ""},
		{"absolute, its typed spelling not known (a window's launch path)", filepath.Join(dir, "~", "report.pdf"), "", NotThereName, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tt.name == "~user/" {
				t.Skip("cmd has no ~user")
			}
			if tt.path == "/" {
				t.Skip("no user with a home folder here")
			}
			typed := tt.typed
			if typed == "same" {
				typed = tt.path
			}
			var nt *NotThereError
			require.True(t, errors.As(NamedNotThere(tt.path, typed), &nt), "%q typed %q", tt.path, typed)
			assert.Equal(t, tt.kind, nt.Kind)
			assert.Equal(t, tt.meant, nt.Detail)
			if tt.kind != NotThereTilde {
				assert.Equal(t, quotePath(tt.path)+" does not exist — check the name", nt.Error())
				return
			}
			want := quotePath(tt.path) + ` does not exist — ~ is not expanded inside quotes: write it outside them, or the full path, ` + quotePath(tt.meant)
			if runtime.GOOS == "windows" {
				want = quotePath(tt.path) + ` does not exist — ~ is not expanded on Windows: write %USERPROFILE% for it, or the full path, ` + quotePath(tt.meant)
			}
			assert.Equal(t, want, nt.Error())
		})
	}
}

// TestNamedNotThereThroughALinkToNothing: `upload proj/link/report.pdf`,
// proj/link a symbolic link to ../gone, which is not there, said only
// '"proj/link/report.pdf" does not exist — check the name', though the
// name was right and the link leads nowhere; a link to nothing named
// itself already said so. It now names the link on the way and where it
// leads, relative or absolute, deeper below it or after a "..", which the
// system reads from where the link leads. A link to a folder that is there
// leaves a name to check.
func TestNamedNotThereThroughALinkToNothing(t *testing.T) {
	dir := linkFolder(t)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "proj", "sub"), 0o700))
	require.NoError(t, os.Symlink("../gone", filepath.Join(dir, "proj", "link")))
	require.NoError(t, os.Symlink("sub", filepath.Join(dir, "proj", "fine")))
	tests := []struct {
		name, path, link string // link: the link on the way, "" for none
	}{
		{"relative", "proj/link/report.pdf", "proj/link"},
		{"absolute", dir + "/proj/link/report.pdf", dir + "/proj/link"},
		{"deeper below it", "proj/link/2026/report.pdf", "proj/link"},
		{"after a ..", "proj/link/../report.pdf", "proj/link"},
		{"a link to a folder that is there", "proj/fine/report.pdf", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nt *NotThereError
			require.True(t, errors.As(NamedNotThere(tt.path, tt.path), &nt), "%q", tt.path)
			if tt.link == "" {
				assert.Equal(t, NotThereName, nt.Kind)
				assert.Equal(t, quotePath(tt.path)+" does not exist — check the name", nt.Error())
				return
			}
			assert.Equal(t, NotThereLinkOnTheWay, nt.Kind)
			assert.Equal(t, tt.link, nt.Link)
			assert.Equal(t, "../gone", nt.Detail)
			assert.Equal(t, quotePath(tt.path)+" does not exist — its path goes through "+quotePath(tt.link)+
				`, a symbolic link to "../gone", which does not exist: point the link at the folder, or name the file's own path`, nt.Error())
		})
	}
}

// TestNamedNotThereOfALinkNamedWithASeparatorAfterIt: `cid proj/link/`
// (tab completion ends a link's name with "/"), proj/link a symbolic link
// to ../gone, said '"proj/link/" does not exist — its path goes through
// "proj/link", …: point the link at the folder', as if a name came after
// the link; it names the link itself, as proj/link does.
func TestNamedNotThereOfALinkNamedWithASeparatorAfterIt(t *testing.T) {
	dir := linkFolder(t)
	require.NoError(t, os.Symlink("../gone", filepath.Join(dir, "proj", "link")))
	for _, path := range []string{"proj/link", "proj/link/", "proj/link//", dir + "/proj/link/"} {
		var nt *NotThereError
		require.True(t, errors.As(NamedNotThere(path, path), &nt), "%q", path)
		assert.Equal(t, NotThereLink, nt.Kind, "%q: %s", path, nt)
		assert.Equal(t, "../gone", nt.Detail)
		assert.Empty(t, nt.Link)
		assert.Equal(t, quotePath(path)+` is a symbolic link to "../gone", which does not exist — point the link at the file, or name the file itself`, nt.Error())
	}
}

// TestNamedNotThereOfAChainOfLinksNamesItsEnd: with a a symbolic link to
// b and b one to nowhere, `upload a` said '"a" is a symbolic link to "b",
// which does not exist' (b is there: a link) and `upload a/x` that its
// path goes through a, "a symbolic link to "b", which does not exist":
// neither named the link that leads to nothing. Both now name it (End)
// and where it leads (Detail), however many links come before it; a link
// straight to nothing says what it said.
func TestNamedNotThereOfAChainOfLinksNamesItsEnd(t *testing.T) {
	dir := linkFolder(t)
	for link, to := range map[string]string{"a": "b", "b": "nowhere", "c": "a", "proj/up": "../b", "d": "nowhere"} {
		require.NoError(t, os.Symlink(to, filepath.Join(dir, link)))
	}
	const leads = `which does not exist — point the link at the file, or name the file itself`
	tests := []struct {
		name, path      string
		kind            NotThereKind
		link, end, want string
	}{
		{"a link to a link to nothing", "a", NotThereLink, "", "b",
			`"a" is a symbolic link that leads to "b", a symbolic link to "nowhere", ` + leads},
		{"three links", "c", NotThereLink, "", "b",
			`"c" is a symbolic link that leads to "b", a symbolic link to "nowhere", ` + leads},
		{"absolute", dir + "/a", NotThereLink, "", dir + "/b",
			`"` + dir + `/a" is a symbolic link that leads to "` + dir + `/b", a symbolic link to "nowhere", ` + leads},
		{"a target up a folder", "proj/up", NotThereLink, "", "b",
			`"proj/up" is a symbolic link that leads to "b", a symbolic link to "nowhere", ` + leads},
		{"through it", "a/x", NotThereLinkOnTheWay, "a", "b",
			`"a/x" does not exist — its path goes through "a", a symbolic link that leads to "b", a symbolic link to "nowhere", ` +
				`which does not exist: point the link at the folder, or name the file's own path`},
		{"a link straight to nothing", "d", NotThereLink, "", "",
			`"d" is a symbolic link to "nowhere", ` + leads},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nt *NotThereError
			require.True(t, errors.As(NamedNotThere(tt.path, tt.path), &nt), "%q", tt.path)
			assert.Equal(t, tt.kind, nt.Kind)
			assert.Equal(t, tt.link, nt.Link)
			assert.Equal(t, "nowhere", nt.Detail)
			if tt.end != "" {
				_, err := os.Readlink(nt.End)
				require.NoError(t, err, "End %q is the link that leads to nothing", nt.End)
				assert.Equal(t, filepath.Clean(tt.end), filepath.Clean(nt.End))
			} else {
				assert.Empty(t, nt.End)
			}
			assert.Equal(t, tt.want, nt.Error())
		})
	}
}

// TestTildeIsLookedAtWhereTheLaunchRan: a launch hands the window its
// paths absolute, with the spelling each was typed in
// (instance.Request.Typed), and the window, in another working folder,
// says of one typed "~/report.pdf" (quoted; on Windows, as cmd leaves it)
// what the command line says. Whether a folder named ~ was meant is
// looked at where the path was named (its absolute path's ~ part), not in
// the working folder of whoever asks: a window in a folder holding a ~
// said "check the name" of a launch's ~ no shell replaced, and a window
// elsewhere hinted at the home folder for a launch's real folder ~.
func TestTildeIsLookedAtWhereTheLaunchRan(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	report := filepath.Join(home, "report.pdf")
	require.NoError(t, os.WriteFile(report, []byte("pdf"), 0o600))
	launched, withTilde, window := t.TempDir(), t.TempDir(), t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(withTilde, "~"), 0o700))
	require.NoError(t, os.Mkdir(filepath.Join(window, "~"), 0o700))
	t.Chdir(window)
	typed := "~" + string(filepath.Separator) + "report.pdf"

	var nt *NotThereError
	require.True(t, errors.As(NamedNotThere(filepath.Join(launched, "~", "report.pdf"), typed), &nt))
	assert.Equal(t, NotThereTilde, nt.Kind, "no ~ where the launch ran: %s", nt)
	assert.Equal(t, report, nt.Detail)
	t.Chdir(launched) // no ~ in the asker's folder
	require.True(t, errors.As(NamedNotThere(filepath.Join(withTilde, "~", "report.pdf"), typed), &nt))
	assert.Equal(t, NotThereName, nt.Kind, "a folder ~ where the launch ran is what was named: %s", nt)

	there, notThere := SplitNotThere([]string{filepath.Join(launched, "~", "report.pdf"), report}, []string{typed, report})
	assert.Equal(t, []string{report}, there)
	require.Len(t, notThere, 1)
	assert.Equal(t, NotThereTilde, notThere[0].Kind)
	_, notThere = SplitNotThere([]string{filepath.Join(launched, "~", "report.pdf")}, nil)
	require.Len(t, notThere, 1)
	assert.Equal(t, NotThereName, notThere[0].Kind, "typed spelling not known (a launch of an older version)")
}

// linkFolder is the folder a test of symbolic links runs in, a new one
// with a folder proj in it; the test skips on Windows, where making a
// link needs a privilege.
func linkFolder(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("a symbolic link needs a privilege on Windows")
	}
	dir := t.TempDir()
	t.Chdir(dir)
	require.NoError(t, os.Mkdir(filepath.Join(dir, "proj"), 0o700))
	return dir
}

// TestNamedNotThereOfALinkToANameTooLong: `upload toolong`, toolong a
// symbolic link to a name longer than a name may be (no file can have
// it), was queued and failed as "has a path longer than this system
// allows — move it to a folder with a shorter path", kept for
// --retry-failed, though the path named is short and no retry could
// send it; `upload toolong/x` was refused with that sentence. Both are a
// link that leads to nothing, and say so, naming the link and where it
// leads, alone or at the end of a chain, as for a target that is not
// there. A path too long by its own text still says that.
func TestNamedNotThereOfALinkToANameTooLong(t *testing.T) {
	dir := linkFolder(t)
	long := strings.Repeat("x", MaxNameLen+1)
	testfs.SymlinkOrSkip(t, long, filepath.Join(dir, "toolong"))
	testfs.SymlinkOrSkip(t, "toolong", filepath.Join(dir, "a"))
	tests := []struct {
		name, path string
		kind       NotThereKind
		link, end  string
	}{
		{"the link itself", "toolong", NotThereLink, "", ""},
		{"named as a folder", "toolong/", NotThereLink, "", ""},
		{"through it", "toolong/x", NotThereLinkOnTheWay, "toolong", ""},
		{"absolute, through it", dir + "/toolong/x", NotThereLinkOnTheWay, dir + "/toolong", ""},
		{"at the end of a chain", "a", NotThereLink, "", "toolong"},
		{"through a chain", "a/x", NotThereLinkOnTheWay, "a", "toolong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var nt *NotThereError
			require.True(t, errors.As(NamedNotThere(tt.path, tt.path), &nt), "%q: %v", tt.path, NamedNotThere(tt.path, tt.path))
			assert.Equal(t, tt.kind, nt.Kind, nt.Error())
			assert.Equal(t, tt.link, nt.Link)
			assert.Equal(t, long, nt.Detail)
			assert.Equal(t, tt.end, nt.End)
			assert.Contains(t, nt.Error(), quotePath(long)+", which does not exist")
		})
	}
	var nt *NotThereError
	ownText := strings.Repeat("y", MaxNameLen+1) + "/x"
	require.True(t, errors.As(NamedNotThere(ownText, ownText), &nt))
	assert.Equal(t, NotThereTooLong, nt.Kind, "a name of the path itself too long")
}
