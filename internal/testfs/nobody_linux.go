package testfs

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Nobody is the uid and gid of the user nobody, whom the tests of files a
// run under sudo left to root run as.
const Nobody = 65534

// OpenToNobody lets the user nobody reach the folders below top, a
// t.TempDir() (its parent is made for the test, mode 0700).
func OpenToNobody(t testing.TB, top string) {
	t.Helper()
	for _, p := range []string{filepath.Dir(top), top} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}

// RunAsNobody runs the test helper named, from a copy of this test binary
// in top (which nobody can run), as the user nobody with env added, and
// returns what it printed.
func RunAsNobody(t testing.TB, top, helper, env string) []byte {
	t.Helper()
	exe := filepath.Join(top, filepath.Base(os.Args[0]))
	b, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^"+helper+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env)
	cmd.Dir = top
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: Nobody, Gid: Nobody}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s as nobody: %v: %s", helper, err, out)
	}
	return out
}

// RerunAsNobody runs test t again, from a copy of this test binary, as
// the user nobody, for whom a folder's mode counts (root reads and
// searches every folder), and fails t when that run fails: a test run as
// root calls it and returns.
func RerunAsNobody(t *testing.T) {
	t.Helper()
	top := t.TempDir()
	OpenToNobody(t, top)
	out := string(RunAsNobody(t, top, t.Name(), "HOME="+top)) // root's home is closed to nobody
	if strings.Contains(out, "no tests to run") || !strings.Contains(out, "PASS") {
		t.Errorf("%s did not pass as nobody: %s", t.Name(), out)
	}
}
