package storage

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// busDaemonsMarked lists the dbus-daemon processes whose environment holds
// mark: the ones this test's process launched, whatever else runs.
func busDaemonsMarked(t *testing.T, mark string) []int {
	t.Helper()
	procs, err := filepath.Glob("/proc/[0-9]*")
	require.NoError(t, err)
	var pids []int
	for _, p := range procs {
		comm, err := os.ReadFile(filepath.Join(p, "comm"))
		if err != nil || string(bytes.TrimSpace(comm)) != "dbus-daemon" {
			continue
		}
		env, err := os.ReadFile(filepath.Join(p, "environ"))
		if err != nil || !bytes.Contains(append([]byte{0}, env...), []byte("\x00"+busMarkEnv+"="+mark+"\x00")) {
			continue
		}
		pid, err := strconv.Atoi(filepath.Base(p))
		require.NoError(t, err)
		pids = append(pids, pid)
	}
	return pids
}

// busMarkEnv marks the processes a test starts, and so the bus daemons
// they launch.
const busMarkEnv = "DSTOR_BUS_TEST_MARK"

// TestNoBusAutolaunchedWithoutASession: with no session bus to find, a
// D-Bus connection (as Fyne's tray icon, its notifications and go-keyring
// make) autolaunches a bus daemon that outlives the process; after
// AvoidBusAutolaunch it fails at once and launches nothing.
func TestNoBusAutolaunchedWithoutASession(t *testing.T) {
	if _, err := exec.LookPath("dbus-launch"); err != nil {
		t.Skip("dbus-launch is not installed: nothing could be autolaunched")
	}
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	if sessionBusLikely() {
		t.Skip("this machine has a session bus under /run/user: nothing would be autolaunched")
	}

	// Without it: the daemon this test's check looks for is there.
	mark := uuid.NewString()
	t.Setenv(busMarkEnv, mark)
	conn, err := dbus.SessionBusPrivate()
	if err == nil {
		_ = conn.Close()
	}
	launched := busDaemonsMarked(t, mark)
	for _, pid := range launched {
		_ = syscall.Kill(pid, syscall.SIGTERM) // started by this test
	}
	require.NotEmpty(t, launched, "without AvoidBusAutolaunch a connection launches a bus (%v)", err)

	mark = uuid.NewString()
	t.Setenv(busMarkEnv, mark)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	require.True(t, AvoidBusAutolaunch())
	_, err = dbus.SessionBusPrivate()
	require.Error(t, err, "no bus to connect to")
	assert.Empty(t, busDaemonsMarked(t, mark), "no bus daemon launched")

	s := NewSecretStore(0)
	state, _ := s.State()
	assert.Equal(t, KeyringNoSession, state, "the keyring store still says there is no session")
}
