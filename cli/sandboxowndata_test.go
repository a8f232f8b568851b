package cli

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestSandboxRefusesTheAppsOwnDataFolder: sandbox --data given dStor
// Uploader's own data folder (the one $DSTOR_UPLOADER_HOME or the default
// names), a folder in it, or a link to it, started and wrote its store
// (blobs, meta, tmp) among the history's files. It is refused before
// anything starts, saying to pick another folder, exit 2, and nothing is
// made there.
func TestSandboxRefusesTheAppsOwnDataFolder(t *testing.T) {
	home := t.TempDir()
	t.Setenv(storage.HomeEnv, home)
	link := filepath.Join(t.TempDir(), "link")
	kept := filepath.Join(home, storage.IndexPagesFolder) // a folder the app keeps there
	require.NoError(t, os.Mkdir(kept, 0o700))
	linkIn := filepath.Join(t.TempDir(), "link-in")
	linksWork := testfs.Symlink(t, home, link) && testfs.Symlink(t, kept, linkIn)
	for _, tc := range []struct {
		name, data string
		needsLink  bool
	}{
		{name: "the data folder", data: home},
		{name: "a folder in it", data: filepath.Join(home, "store")},
		{name: "a link to it", data: link, needsLink: true},
		{name: "through a link", data: filepath.Join(link, "new", "store"), needsLink: true},
		{name: "a link into it", data: linkIn, needsLink: true},
		{name: "given relative to", data: filepath.Join(home, "x", "..")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needsLink && !linksWork {
				t.Skip(testfs.NoSymlinks)
			}
			code, out, errOut := runSandboxUntilServing(t, "--listen", "127.0.0.1:0", "--data", tc.data)
			assert.Equal(t, 2, code, "%s%s", out, errOut)
			assert.Empty(t, out, "nothing started")
			assert.Contains(t, errOut, "dStor Uploader's own data folder")
			assert.Contains(t, errOut, "pick another folder")
		})
	}
	entries, err := os.ReadDir(home)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no store made in the data folder")
	entries, err = os.ReadDir(kept)
	require.NoError(t, err)
	assert.Empty(t, entries, "nor in a folder it keeps")
}

// TestSandboxRefusesTheAppsDataFolderNotMadeYet: with no data folder yet
// (a first run), sandbox --data given the path the app's data folder
// will have, a folder in it, or either through a link to a parent, made
// that folder and its store there, which the app then started in. It is
// refused as the data folder is, and nothing is made; a folder beside it
// is served.
func TestSandboxRefusesTheAppsDataFolderNotMadeYet(t *testing.T) {
	parent := t.TempDir()
	home := filepath.Join(parent, "not-yet", "dstor-uploader")
	t.Setenv(storage.HomeEnv, home)
	link := filepath.Join(t.TempDir(), "link")
	linksWork := testfs.Symlink(t, parent, link)
	for _, tc := range []struct {
		name, data string
		needsLink  bool
	}{
		{name: "the data folder", data: home},
		{name: "a folder in it", data: filepath.Join(home, "store")},
		{name: "through a link", data: filepath.Join(link, "not-yet", "dstor-uploader"), needsLink: true},
		{name: "given relative to", data: filepath.Join(home, "x", "..")},
		{name: "a folder in it, by a link", data: filepath.Join(link, "not-yet", "dstor-uploader", "store"), needsLink: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needsLink && !linksWork {
				t.Skip(testfs.NoSymlinks)
			}
			code, out, errOut := runSandboxUntilServing(t, "--listen", "127.0.0.1:0", "--data", tc.data)
			assert.Equal(t, 2, code, "%s%s", out, errOut)
			assert.Contains(t, errOut, "dStor Uploader's own data folder")
			assert.NoDirExists(t, filepath.Join(parent, "not-yet"), "nothing made")
			require.NoError(t, os.RemoveAll(filepath.Join(parent, "not-yet"))) // the next case's first run, too
		})
	}

	beside := filepath.Join(parent, "not-yet", "dstor-uploader-sandbox")
	code, out, errOut := runSandboxUntilServing(t, "--listen", "127.0.0.1:0", "--data", beside)
	assert.Equal(t, 0, code, "%s%s", out, errOut)
	assert.Contains(t, out, "API base", "a folder beside it, whose name begins the same, is served")
}

// TestSandboxRefusesTheFolderTheDataFolderLinkLeadsTo: when
// $DSTOR_UPLOADER_HOME is a link to a folder not made yet (a drive's
// folder to be), sandbox --data given the folder it leads to, or a
// folder in it, made it with its store there, where the app then started
// through the link (realPath stopped at the link, which leads nowhere
// yet). It is refused as the data folder is, through a chain of links
// too, and nothing is made.
func TestSandboxRefusesTheFolderTheDataFolderLinkLeadsTo(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "drive", "dstor-uploader")
	home := filepath.Join(parent, "home")
	testfs.SymlinkOrSkip(t, filepath.Join("drive", "dstor-uploader"), home)
	chained := filepath.Join(parent, "chained")
	testfs.SymlinkOrSkip(t, home, chained)
	for name, env := range map[string]string{"a link": home, "a link to a link": chained} {
		t.Setenv(storage.HomeEnv, env)
		for what, data := range map[string]string{"the folder": target, "a folder in it": filepath.Join(target, "store")} {
			t.Run(name+", "+what, func(t *testing.T) {
				code, out, errOut := runSandboxUntilServing(t, "--listen", "127.0.0.1:0", "--data", data)
				assert.Equal(t, 2, code, "%s%s", out, errOut)
				assert.Contains(t, errOut, "dStor Uploader's own data folder")
				assert.NoDirExists(t, filepath.Join(parent, "drive"), "nothing made")
				require.NoError(t, os.RemoveAll(filepath.Join(parent, "drive")))
			})
		}
	}
}

// TestSandboxRefusesWhereTheDataFolderLinkLeadsPastALink: with
// $DSTOR_UPLOADER_HOME a link to a folder not made yet whose relative
// target has a ".." after a link ("sub/../drive/dstor-uploader", sub a
// link to elsewhere/r), or a "../drive/dstor-uploader" link in a folder
// reached through a link, the system reads the ".." in the folder the
// link leads to: the app's data folder is elsewhere/drive/dstor-uploader.
// realPath cleaned the target where the link stands (parent/drive/…), so
// sandbox --data elsewhere/drive/dstor-uploader made its store where the
// app then started. It is refused, and nothing is made.
func TestSandboxRefusesWhereTheDataFolderLinkLeadsPastALink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows linkchain, and realPath with it, reads a \"..\" as Clean does (its cleanable says where Windows does not: a link's target after a symbolic link)")
	}
	parent := t.TempDir()
	elsewhere := filepath.Join(parent, "elsewhere")
	require.NoError(t, os.MkdirAll(filepath.Join(elsewhere, "r"), 0o700))
	testfs.SymlinkOrSkip(t, filepath.Join(elsewhere, "r"), filepath.Join(parent, "sub"))
	viaSub := filepath.Join(parent, "home")
	testfs.SymlinkOrSkip(t, "sub/../drive/dstor-uploader", viaSub)
	inLinked := filepath.Join(parent, "sub", "home") // made in elsewhere/r
	testfs.SymlinkOrSkip(t, "../drive/dstor-uploader", inLinked)
	data := filepath.Join(elsewhere, "drive", "dstor-uploader")
	for name, home := range map[string]string{"a .. after a link in its target": viaSub, "a .. from a linked folder": inLinked} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(storage.HomeEnv, home)
			for what, dir := range map[string]string{"the folder": data, "a folder in it": filepath.Join(data, "store")} {
				code, out, errOut := runSandboxUntilServing(t, "--listen", "127.0.0.1:0", "--data", dir)
				assert.Equal(t, 2, code, "%s: %s%s", what, out, errOut)
				assert.Contains(t, errOut, "dStor Uploader's own data folder", what)
				assert.NoDirExists(t, filepath.Join(elsewhere, "drive"), "%s: nothing made", what)
				require.NoError(t, os.RemoveAll(filepath.Join(elsewhere, "drive")))
			}
			// The system does lead there: once made, the data folder is it.
			require.NoError(t, os.MkdirAll(data, 0o700))
			defer func() { require.NoError(t, os.RemoveAll(filepath.Join(elsewhere, "drive"))) }()
			own, err := os.Stat(home)
			require.NoError(t, err)
			made, err := os.Stat(data)
			require.NoError(t, err)
			assert.True(t, os.SameFile(own, made), "the app's data folder is %s", data)
		})
	}
}

// runSandboxUntilServing runs the sandbox command with args and stops it
// once it has printed its API base (a refused one never serves).
func runSandboxUntilServing(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out watchedOutput
	var errOut testutil.LockedBuffer
	go func() {
		select {
		case <-out.when("API base"):
			cancel()
		case <-ctx.Done():
		}
	}()
	code := Run(ctx, append([]string{"sandbox"}, args...), IO{In: strings.NewReader(""), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}
