package cli

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

const desktopFile = "../build/linux/dstor-uploader.desktop"

// readDesktopEntry reads a .desktop file's groups of key=value lines.
func readDesktopEntry(t *testing.T, path string) map[string]map[string]string {
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	groups := map[string]map[string]string{}
	var cur map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			cur = map[string]string{}
			groups[strings.Trim(line, "[]")] = cur
		default:
			k, v, ok := strings.Cut(line, "=")
			require.True(t, ok, "%q is no key=value line", line)
			require.NotNil(t, cur, "a key before any group")
			cur[k] = v
		}
	}
	require.NoError(t, sc.Err())
	return groups
}

// TestDesktopEntry: file managers offer "Open with dStor Uploader" for any
// file and folder (application/octet-stream is the parent of every file
// type), the program gets the files as %F, and the "Upload files…" action
// runs a command line that asks for files.
func TestDesktopEntry(t *testing.T) {
	g := readDesktopEntry(t, desktopFile)
	entry := g["Desktop Entry"]
	require.NotNil(t, entry)
	mime := strings.Split(strings.TrimSuffix(entry["MimeType"], ";"), ";")
	assert.Contains(t, mime, "application/octet-stream")
	assert.Contains(t, mime, "inode/directory")
	assert.True(t, strings.HasSuffix(entry["Exec"], " %F"), entry["Exec"])
	assert.Equal(t, "dStor Uploader", entry["Name"])
	assert.Equal(t, "upload-files;", entry["Actions"])
	action := g["Desktop Action upload-files"]
	require.NotNil(t, action)
	assert.Equal(t, "Upload files…", action["Name"])

	toml, err := os.ReadFile("../FyneApp.toml")
	require.NoError(t, err)
	assert.Contains(t, string(toml), `ExecParams = " %F"`, "fyne's own entry takes files the same way")

	// The action's command line opens the window asking for files.
	t.Setenv(storage.HomeEnv, t.TempDir())
	var opened []ui.Options
	openWindow = func(o ui.Options) error { opened = append(opened, o); return nil }
	t.Cleanup(func() { openWindow = ui.Run })
	args := strings.Fields(action["Exec"])[1:]
	code, _, errOut := runCLI(t, "", args...)
	require.Equal(t, 0, code, errOut)
	require.Len(t, opened, 1)
	assert.True(t, opened[0].PickFiles)

	if _, err := exec.LookPath("desktop-file-validate"); err == nil {
		out, err := exec.Command("desktop-file-validate", desktopFile).CombinedOutput()
		assert.NoError(t, err, "%s", out)
		assert.Empty(t, strings.TrimSpace(string(out)))
	}
}
