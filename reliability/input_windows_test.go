package reliability

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"

	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// canInterruptChild: os.Process.Signal cannot send Ctrl+C on Windows (that
// takes GenerateConsoleCtrlEvent and a console process group of its own).
const canInterruptChild = false

// platformFileCases are Windows' own bad inputs: names kept for devices, a
// file another program holds without sharing, an invalid name, a junction
// in a folder, and paths past 260 characters, which must just work.
func platformFileCases(t *testing.T, k badInputKit) []badCase {
	dir, upload := k.dir, k.upload
	return []badCase{
		{name: "reserved name (nul.txt, the NUL device)", via: "CLI", want: "a name Windows keeps for the NUL device", check: func(t *testing.T) string {
			return upload(t, filepath.Join(dir, "nul.txt"))
		}},
		{name: "reserved name (COM1.log)", via: "CLI", want: "a name Windows keeps for the COM1 device", check: func(t *testing.T) string {
			return upload(t, filepath.Join(dir, "COM1.log"))
		}},
		{name: "file open in another program that does not share it", via: "CLI", want: "is open in another program that does not let others read it", check: func(t *testing.T) string {
			p := k.file("mailbox.pst", []byte("busy"))
			name, err := windows.UTF16PtrFromString(p)
			require.NoError(t, err)
			h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
			require.NoError(t, err)
			defer func() { _ = windows.CloseHandle(h) }()
			return upload(t, p)
		}},
		{name: "name with a character Windows does not allow (|)", via: "CLI", want: "is not a valid Windows path", check: func(t *testing.T) string {
			return upload(t, filepath.Join(dir, "a|b.txt"))
		}},
		{name: "junction inside a folder (the file beside it is uploaded)", via: "CLI", want: "junction (a link to another folder) — not followed", uploads: 1, check: func(t *testing.T) string {
			d := filepath.Join(dir, "with-junction")
			require.NoError(t, os.Mkdir(d, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(d, "kept.txt"), []byte("kept"), 0o644))
			testfs.JunctionOrSkip(t, t.TempDir(), filepath.Join(d, "elsewhere"))
			return upload(t, d)
		}},
		{name: "path over 260 characters", via: "CLI", want: "uploaded and verified", uploads: 1, check: func(t *testing.T) string {
			deep := filepath.Join(dir, strings.Repeat("long-folder-name-", 8), strings.Repeat("deeper-folder-", 8))
			require.NoError(t, os.MkdirAll(deep, 0o755))
			p := filepath.Join(deep, "past-max-path.txt")
			require.Greater(t, len(p), 260)
			require.NoError(t, os.WriteFile(p, []byte("deep"), 0o644))
			return k.uploaded(t, p)
		}},
		{name: `path in the \\?\ form`, via: "CLI", want: "uploaded and verified", uploads: 1, check: func(t *testing.T) string {
			return k.uploaded(t, `\\?\`+k.file("long-form.txt", []byte("long form")))
		}},
	}
}

// platformNameCases: Windows names cannot hold double quotes or line
// breaks; single quotes they can.
func platformNameCases(k badInputKit) []badCase {
	return []badCase{
		{name: "name with single quotes", via: "CLI", want: "uploaded and verified", uploads: 1, check: k.accepted(`say 'cheese' now.txt`)},
	}
}
