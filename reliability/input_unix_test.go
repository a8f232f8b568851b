//go:build !windows

package reliability

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// canInterruptChild: a child process gets Ctrl+C as SIGINT.
const canInterruptChild = true

// platformFileCases are the kinds of file Unix has that are not regular
// files or cannot be read: an unreadable file, a named pipe, a device and
// symbolic-link loops.
func platformFileCases(t *testing.T, k badInputKit) []badCase {
	dir, upload := k.dir, k.upload
	return []badCase{
		unreadableCase(t, dir, upload),
		{name: "FIFO (named pipe)", via: "CLI", want: "is a named pipe, not a regular file", check: func(t *testing.T) string {
			p := filepath.Join(dir, "fifo")
			require.NoError(t, syscall.Mkfifo(p, 0o644))
			return upload(t, p)
		}},
		{name: "device file (/dev/null)", via: "CLI", want: "is a device, not a regular file", check: func(t *testing.T) string {
			return upload(t, "/dev/null")
		}},
		{name: "symlink loop given as the file", via: "CLI", want: "goes round a loop of symbolic links", check: func(t *testing.T) string {
			a, b := filepath.Join(dir, "loop-a"), filepath.Join(dir, "loop-b")
			require.NoError(t, os.Symlink(b, a))
			require.NoError(t, os.Symlink(a, b))
			return upload(t, a)
		}},
		{name: "symlink loop inside a folder", via: "CLI", want: "symbolic link — not followed", check: func(t *testing.T) string {
			d := filepath.Join(dir, "with-loop")
			require.NoError(t, os.Mkdir(d, 0o755))
			require.NoError(t, os.Symlink(filepath.Join(d, "self"), filepath.Join(d, "self")))
			return upload(t, d)
		}},
	}
}

// platformNameCases are names Unix allows and Windows does not: quotes and
// a line break.
func platformNameCases(k badInputKit) []badCase {
	return []badCase{
		{name: "name with quotes", via: "CLI", want: "uploaded and verified", uploads: 1, check: k.accepted(`say "cheese" 'now'.txt`)},
		{name: "name with a newline", via: "CLI", want: "uploaded and verified", uploads: 1, check: k.accepted("two\nlines.txt")},
	}
}

// unreadableCase is a file this process cannot read. chmod 000 does not stop
// root, so as root a file the kernel refuses even to root is used
// (/proc/sys/vm/compact_memory, write-only), or the case is skipped (n/a).
func unreadableCase(t *testing.T, dir string, upload func(*testing.T, ...string) string) badCase {
	bc := badCase{name: "unreadable file", via: "CLI", want: "cannot be read — check that you have permission"}
	bc.check = func(t *testing.T) string {
		if os.Geteuid() != 0 {
			p := filepath.Join(dir, "secret.txt")
			require.NoError(t, os.WriteFile(p, []byte("x"), 0o000))
			return upload(t, p)
		}
		const wo = "/proc/sys/vm/compact_memory"
		if f, err := os.Open(wo); err == nil {
			f.Close()
			t.Skip("as root: no file here is unreadable to root")
		} else if !errors.Is(err, os.ErrPermission) {
			t.Skip("as root: no file here is unreadable to root")
		}
		return upload(t, wo)
	}
	if os.Geteuid() == 0 {
		bc.name = "unreadable file (as root: the write-only /proc/sys/vm/compact_memory, since chmod 000 does not stop root)"
	}
	return bc
}
