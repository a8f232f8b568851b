//go:build !windows

package cli

import (
	"os"
	"os/signal"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestStopDuringTheKeyringWaitEndsIt (helper-257's repro): a signed-in
// upload whose read of its secrets the keyring never answers fails after
// the store's timeout, and the command then waits for the keyring's late
// calls before it ends (st.close, at most storage.DefaultKeyringTimeout).
// Ctrl+C or SIGTERM during that wait was caught by the command's own
// handler and did nothing, so the command sat out the whole wait (three
// Ctrl+C to end it). A stop signal now ends the wait at once, and the
// command still says what the keyring may keep. SIGTERM, which a command
// always takes (Ctrl+C may be ignored by the test's parent), and this
// test watches it too, so that none ends the test binary.
func TestStopDuringTheKeyringWaitEndsIt(t *testing.T) {
	sb, _ := signedOutSandbox(t)
	funcs := testutil.NewKeyring().Funcs()
	get, hang, entered, release := funcs.Get, atomic.Bool{}, make(chan struct{}, 1), make(chan struct{})
	t.Cleanup(func() { close(release) })
	funcs.Get = func(service, user string) (string, error) {
		if hang.Load() {
			select {
			case entered <- struct{}{}:
			default:
			}
			<-release // a keyring that stopped answering
		}
		return get(service, user)
	}
	withSecrets(t, storage.NewSecretStoreOn(funcs, 200*time.Millisecond))
	code, _, errOut := runCLI(t, sb.Key+"\n", "login", "--env", sb.URL, "--api-key-stdin")
	require.Equal(t, 0, code, errOut)

	caught := make(chan os.Signal, 8)
	signal.Notify(caught, syscall.SIGTERM)
	defer signal.Stop(caught)
	file := filepath.Join(t.TempDir(), "a.txt")
	require.NoError(t, os.WriteFile(file, []byte("a"), 0o600))
	hang.Store(true)
	type result struct {
		code   int
		errOut string
	}
	done := make(chan result, 1)
	go func() {
		code, _, errOut := runCLI(t, "", "upload", "--env", sb.URL, file)
		done <- result{code, errOut}
	}()
	select {
	case <-entered:
	case <-time.After(20 * time.Second):
		t.Fatal("the upload never read its secrets")
	}
	began := time.Now()
	tick := time.NewTicker(50 * time.Millisecond) // a stop signal until the command ends: whichever step it is in
	defer tick.Stop()
	var r result
	for ended := false; !ended; {
		select {
		case r = <-done:
			ended = true
		case <-tick.C:
			// Each stop reaches this test's watch before the next is sent,
			// and so before the watch ends: a SIGTERM still on its way
			// when it ended (sent as the command ended) killed the test
			// binary ("signal: terminated").
			stopCommand(t, caught)
		}
	}
	took := time.Since(began)
	assert.NotEqual(t, 0, r.code, r.errOut)
	assert.Contains(t, r.errOut, "The OS keyring has not finished", "it says what the keyring may keep")
	assert.Less(t, took, storage.DefaultKeyringTimeout/2, "the stop ended the wait for the keyring (%v)", took)
}
