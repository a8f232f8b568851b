//go:build unix

package cli

import (
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/startsig"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// TestVerifyEndsAtASecondCtrlC: a read that does not return (a network
// drive or a USB disk that stopped answering) held verify after Ctrl+C,
// and a second Ctrl+C was swallowed too: the person could only kill it.
// The second Ctrl+C now ends it at once, with the sentence and exit
// status (130) of the first: the file being read gets no line and is not
// counted. The read here blocks until the test ends; the signals are
// real (SIGINT to this process), each sent once the one before it was
// delivered.
func TestVerifyEndsAtASecondCtrlC(t *testing.T) {
	if startsig.Ignored(os.Interrupt) {
		t.Skip("this test binary was started with SIGINT ignored (a script's background job, trap \"\" INT), " +
			"so verify run in it rightly ignores Ctrl+C; run it where Ctrl+C is not ignored (`go test` runs it so)")
	}
	delivered := make(chan os.Signal, 2)
	signal.Notify(delivered, os.Interrupt)
	t.Cleanup(func() { signal.Stop(delivered) })
	v := verifyReadingTheSecond(t)
	for range 2 { // Ctrl+C, then Ctrl+C again
		require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGINT))
		<-delivered
	}
	select {
	case r := <-v.done:
		assert.Equal(t, exitStatusOf(syscall.SIGINT), r.code, "%s%s", r.out, r.err)
		assert.Equal(t, 1, strings.Count(r.out, "\n"), "a.txt's line only:\n%s", r.out)
		assert.Contains(t, r.out, v.first+": not uploaded to "+v.url)
		assert.Equal(t, "verify was interrupted: the files after the last line printed were not verified; before it, verified 1 file(s) against "+
			v.url+": 0 uploaded · 1 not uploaded\n", r.err)
	case <-time.After(20 * time.Second): // a bound on a failure, not a wait the test needs
		t.Fatal("the second Ctrl+C did not end verify: it still waits for the read of b.txt")
	}
}

// verifyRun is a `verify` of two files run in this process (runCLI), held
// in the read of the second (verifyReadingTheSecond).
type verifyRun struct {
	first   string // a.txt, verified before the held read
	url     string // the sandbox verified against
	done    <-chan verifyEnded
	release func() // lets the held read return; at the test's end too
}

// verifyEnded is how a verifyRun ended.
type verifyEnded struct {
	code     int
	out, err string
}

// verifyReadingTheSecond starts `verify` of a.txt then b.txt against a
// sandbox and returns once it reads b.txt, whose read does not return
// (a network drive or a USB disk that stopped answering) until release.
func verifyReadingTheSecond(t *testing.T) verifyRun {
	t.Helper()
	sb := keyedSandbox(t)
	dir := t.TempDir()
	first := testutil.WriteFile(t, filepath.Join(dir, "a.txt"), 100)
	stuck := testutil.WriteFile(t, filepath.Join(dir, "b.txt"), 100)
	reading, released := make(chan struct{}), make(chan struct{})
	var once, releasing sync.Once
	release := func() { releasing.Do(func() { close(released) }) }
	t.Cleanup(readhook.Set(func(p string, _ int64) {
		if p == stuck {
			once.Do(func() { close(reading) })
			<-released
		}
	}))
	t.Cleanup(release) // before the hook is restored
	done := make(chan verifyEnded, 1)
	go func() {
		code, out, errOut := runCLI(t, "", "verify", "--env", sb.URL, first, stuck)
		done <- verifyEnded{code, out, errOut}
	}()
	select {
	case <-reading:
	case r := <-done:
		t.Fatalf("verify ended before it read b.txt (%d): %s%s", r.code, r.out, r.err)
	}
	return verifyRun{first: first, url: sb.URL, done: done, release: release}
}
