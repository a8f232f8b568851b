package instance

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// claimAsEnv tells the re-executed test binary to claim the data folder it
// names and print the error (TestHelperClaimAs).
const claimAsEnv = "DSTOR_INSTANCE_CLAIM_AS"

// TestHelperClaimAs is not a test: run as a child process by
// TestAWindowLockLeftToRootSaysToChownIt, it claims the data folder and
// prints the error.
func TestHelperClaimAs(t *testing.T) {
	dir := os.Getenv(claimAsEnv)
	if dir == "" {
		return // not the child
	}
	srv, _, err := Claim(context.Background(), dir, Request{})
	if err == nil {
		_ = srv.Close()
	}
	fmt.Printf("claim: %v\n", err)
	os.Exit(0)
}

// TestAWindowLockLeftToRootSaysToChownIt: a first run under sudo left the
// data folder's window.lock (or the folder itself) to root; the person's
// next run cannot take it. The error names what root owns and the sudo
// chown that gives it back (-R for the folder), as the history's and the
// queue's locks do, not a bare "permission denied".
func TestAWindowLockLeftToRootSaysToChownIt(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("leaving files to root, and running as another user, takes root")
	}
	for _, folder := range []bool{true, false} {
		top := t.TempDir()
		dir := filepath.Join(top, "data")
		require.NoError(t, os.Mkdir(dir, 0o700))
		srv, _, err := Claim(context.Background(), dir, Request{}) // root's run
		require.NoError(t, err)
		require.NoError(t, srv.Close())
		lock := filepath.Join(dir, lockName)
		require.FileExists(t, lock)
		testfs.OpenToNobody(t, top)
		if !folder {
			require.NoError(t, os.Chown(dir, testfs.Nobody, testfs.Nobody))
		}
		want, what := "sudo chown $USER "+lock, lock
		if folder {
			want, what = "sudo chown -R $USER "+dir, dir
		}
		out := string(testfs.RunAsNobody(t, top, "TestHelperClaimAs", claimAsEnv+"="+dir))
		assert.Contains(t, out, what+" belongs to the user root (left by a run under sudo?)", "folder %v", folder)
		assert.Contains(t, out, "make it yours again ("+want+"), then try again", "folder %v", folder)
	}
}
