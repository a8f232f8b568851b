package cli

import (
	"bytes"
	"os/exec"
	"testing"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// heldRun is a command-line run in a child process whose upload a
// testutil.UploadHold holds, so a test acts while it is in flight.
type heldRun struct {
	t              *testing.T
	name           string // the run, as failures name it
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	exited         chan error
}

// startHeld starts the run of args (env added to its environment) and
// returns once one of its uploads reaches hold; the test fails, with what
// the run wrote on stderr, if it ends first or no upload comes within 2
// minutes.
func startHeld(t *testing.T, hold *testutil.UploadHold, name string, env []string, args ...string) *heldRun {
	t.Helper()
	cmd := testutil.ChildCommand(args...)
	cmd.Env = append(cmd.Env, env...)
	return startHeldCmd(t, hold, name, cmd)
}

// startHeldCmd is startHeld for a child command the test has made (one
// started through a wrapper).
func startHeldCmd(t *testing.T, hold *testutil.UploadHold, name string, cmd *exec.Cmd) *heldRun {
	t.Helper()
	r := &heldRun{t: t, name: name, cmd: cmd, exited: make(chan error, 1)}
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	startInterruptible(t, r.cmd)
	go func() { r.exited <- r.cmd.Wait() }()
	select {
	case <-hold.Started():
	case err := <-r.exited:
		t.Fatalf("%s ended before its upload (%v): %s", name, err, r.stderr.String())
	case <-time.After(2 * time.Minute):
		t.Fatalf("no upload of %s within 2 minutes", name)
	}
	return r
}

// wait returns how the run ended, failing the test when it does not end
// within 2 minutes of what the test just did (since).
func (r *heldRun) wait(since string) error {
	r.t.Helper()
	select {
	case err := <-r.exited:
		return err
	case <-time.After(2 * time.Minute):
		r.t.Fatalf("%s did not end within 2 minutes of %s", r.name, since)
		return nil
	}
}
