package ui

import (
	"bufio"
	"context"
	"errors"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// revealRecord is what a revealer under test did: the command it ran and
// the folder it opened instead.
type revealRecord struct {
	mu      sync.Mutex
	name    string
	args    []string
	cmdLine string
	opened  []string
}

// fakeRevealer is a revealer for goos whose commands answer runErr and
// whose session bus is at bus.
func fakeRevealer(goos, bus string, runErr error) (revealer, *revealRecord) {
	rec := &revealRecord{}
	return revealer{
		goos:       goos,
		busAddress: func() string { return bus },
		run: func(_ context.Context, name string, args []string, cmdLine string) error {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			rec.name, rec.args, rec.cmdLine = name, args, cmdLine
			return runErr
		},
		openFolder: func(u *url.URL) error {
			rec.mu.Lock()
			defer rec.mu.Unlock()
			rec.opened = append(rec.opened, u.String())
			return nil
		},
	}, rec
}

// Each system's file manager is asked to select the file; when that fails
// the folder opens instead.
func TestRevealCommands(t *testing.T) {
	path := filepath.Join(t.TempDir(), "My Photos", "#1 a.jpg")
	folder := []string{folderURL(path).String()}
	for _, tc := range []struct {
		name, goos  string
		runErr      error
		wantName    string
		wantArgs    []string
		wantCmdLine string
		wantOpened  []string // the fallback
	}{
		{"windows", "windows", nil, "explorer.exe", []string{"/select," + path}, `explorer.exe /select,"` + path + `"`, nil},
		{"windows: Explorer's exit status 1 is its usual answer", "windows", &exec.ExitError{}, "explorer.exe",
			[]string{"/select," + path}, `explorer.exe /select,"` + path + `"`, nil},
		{"windows: Explorer does not start", "windows", exec.ErrNotFound, "explorer.exe",
			[]string{"/select," + path}, `explorer.exe /select,"` + path + `"`, folder},
		{"macOS", "darwin", nil, "open", []string{"-R", path}, "", nil},
		{"macOS: open fails", "darwin", errors.New("exit status 1"), "open", []string{"-R", path}, "", folder},
		{"linux without a session bus", "linux", nil, "", nil, "", folder},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, rec := fakeRevealer(tc.goos, "", tc.runErr)
			require.NoError(t, r.show(t.Context(), path))
			assert.Equal(t, tc.wantName, rec.name)
			assert.Equal(t, tc.wantArgs, rec.args)
			assert.Equal(t, tc.wantCmdLine, rec.cmdLine)
			assert.Equal(t, tc.wantOpened, rec.opened)
		})
	}
}

// Explorer's command line quotes the path after /select, (a Windows path
// holds no quote), where Go's own quoting would quote the whole argument.
func TestExplorerCommandLine(t *testing.T) {
	for path, want := range map[string]string{
		`C:\Users\me\a.jpg`:                 `explorer.exe /select,"C:\Users\me\a.jpg"`,
		`C:\Users\me\My Photos\#1 100%.jpg`: `explorer.exe /select,"C:\Users\me\My Photos\#1 100%.jpg"`,
		`\\nas\share\a b.png`:               `explorer.exe /select,"\\nas\share\a b.png"`,
	} {
		assert.Equal(t, want, explorerCommandLine(path), path)
	}
}

func TestFileURL(t *testing.T) {
	for path, want := range map[string]string{
		"/home/me/a.jpg":               "file:///home/me/a.jpg",
		"/home/me/raw photos/#1 %.jpg": "file:///home/me/raw%20photos/%231%20%25.jpg",
		"/home/me/été.png":             "file:///home/me/%C3%A9t%C3%A9.png",
	} {
		assert.Equal(t, want, fileURL(path), path)
	}
}

// privateBus starts a D-Bus session bus of the test's own and returns its
// address; it skips the test where dbus-daemon is not installed.
func privateBus(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon is not installed (Debian: dbus-daemon)")
	}
	cmd := exec.Command(bin, "--session", "--nofork", "--nopidfile", "--print-address=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	return strings.TrimSpace(line)
}

// fileManager answers FileManager1.ShowItems as a file manager would.
type fileManager struct{ shown chan []string }

func (f *fileManager) ShowItems(uris []string, startupID string) *dbus.Error {
	f.shown <- uris
	return nil
}

// On Linux a file manager on the session bus is asked over D-Bus to show
// the file selected; with none there, the folder opens.
func TestRevealOverDBus(t *testing.T) {
	bus := privateBus(t)
	path := filepath.Join(t.TempDir(), "raw photos", "#1.jpg")

	r, rec := fakeRevealer("linux", bus, nil)
	require.NoError(t, r.show(t.Context(), path))
	assert.Equal(t, []string{folderURL(path).String()}, rec.opened, "no file manager on the bus: the folder opens")

	conn, err := dbus.Connect(bus)
	require.NoError(t, err)
	defer conn.Close()
	fm := &fileManager{shown: make(chan []string, 1)}
	require.NoError(t, conn.Export(fm, fileManager1Path, fileManager1))
	reply, err := conn.RequestName(fileManager1, dbus.NameFlagDoNotQueue)
	require.NoError(t, err)
	require.Equal(t, dbus.RequestNameReplyPrimaryOwner, reply)

	r, rec = fakeRevealer("linux", bus, nil)
	require.NoError(t, r.show(t.Context(), path))
	assert.Equal(t, []string{fileURL(path)}, <-fm.shown)
	assert.Empty(t, rec.opened, "the file manager showed it: no folder opened")
	assert.Empty(t, rec.name, "no command run")
}
