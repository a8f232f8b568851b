package testfs

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
)

// Sha256sum is the SHA-256 a tool outside this program gives for the file
// at path, the reference an upload's receipt must match: coreutils'
// sha256sum, or Windows' certutil. Wine's certutil is a stub that prints
// no hash; there the reference is crypto/sha256 over the whole file, read
// at once (not the upload's chunked pass), and the test log says so.
func Sha256sum(t testing.TB, path string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		return certutilSHA256(t, path)
	}
	out, err := exec.Command("sha256sum", path).Output()
	sum, _, ok := strings.Cut(string(out), " ")
	if err != nil || !ok {
		t.Fatalf("sha256sum (coreutils) must be installed: %v, %q", err, out)
	}
	return sum
}

// certutilSHA256 is `certutil -hashfile PATH SHA256`: the hash is the line
// after "SHA256 hash of …" (spaced in hex pairs on older Windows).
func certutilSHA256(t testing.TB, path string) string {
	t.Helper()
	out, err := exec.Command("certutil", "-hashfile", path, "SHA256").Output()
	lines := strings.Split(strings.ReplaceAll(string(out), "\r", ""), "\n")
	if err == nil && len(lines) > 1 && strings.Contains(lines[0], "SHA256") {
		return strings.ToLower(strings.ReplaceAll(lines[1], " ", ""))
	}
	t.Logf("certutil -hashfile printed no hash (%q, %v; Wine's certutil is a stub): the reference is crypto/sha256", out, err)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
