package api

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestIsRegularFileTakesFilesHoldingTheirOwnData: a file Go calls irregular
// only because its reparse point holds its own data (OneDrive's and other
// cloud services' files, compressed, deduplicated, archived) is a file to
// upload; special files, links and unknown tags stay refused. The tags
// come from a stand-in for Windows (reparseTagAt), so this runs anywhere.
func TestIsRegularFileTakesFilesHoldingTheirOwnData(t *testing.T) {
	tests := []struct {
		name string
		mode fs.FileMode
		tag  uint32
		err  error
		want bool
	}{
		{"regular file", 0o644, 0, nil, true},
		{"OneDrive file (IO_REPARSE_TAG_CLOUD)", fs.ModeIrregular, 0x9000001A, nil, true},
		{"OneDrive online-only file (IO_REPARSE_TAG_CLOUD_3)", fs.ModeIrregular, 0x9000301A, nil, true},
		{"last cloud tag (IO_REPARSE_TAG_CLOUD_F)", fs.ModeIrregular, 0x9000F01A, nil, true},
		{"compressed (WOF)", fs.ModeIrregular, 0x80000017, nil, true},
		{"deduplicated", fs.ModeIrregular, 0x80000013, nil, true},
		{"archived (HSM)", fs.ModeIrregular, 0xC0000004, nil, true},
		{"archived (HSM2)", fs.ModeIrregular, 0x80000006, nil, true},
		{"Unix socket (AF_UNIX)", fs.ModeIrregular, 0x80000023, nil, false},
		{"WSL FIFO", fs.ModeIrregular, 0x80000024, nil, false},
		{"app execution alias", fs.ModeIrregular, 0x8000001B, nil, false},
		{"not quite a cloud tag", fs.ModeIrregular, 0x9000001B, nil, false},
		{"irregular without a tag", fs.ModeIrregular, 0, nil, false},
		{"tag unreadable", fs.ModeIrregular, 0x9000001A, errors.New("access denied"), false},
		{"folder", fs.ModeDir | 0o755, 0x9000001A, nil, false},
		{"OneDrive folder (irregular folder)", fs.ModeDir | fs.ModeIrregular, 0x9000001A, nil, false},
		{"named pipe", fs.ModeNamedPipe, 0, nil, false},
		{"symbolic link", fs.ModeSymlink, 0xA000000C, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked := ""
			was := reparseTagAt
			reparseTagAt = func(p string) (uint32, error) { asked = p; return tt.tag, tt.err }
			t.Cleanup(func() { reparseTagAt = was })

			assert.Equal(t, tt.want, IsRegularFile(`C:\OneDrive\report.pdf`, tt.mode))
			if tt.mode.Type() == fs.ModeIrregular {
				assert.Equal(t, `C:\OneDrive\report.pdf`, asked, "an irregular file's tag is read")
			} else {
				assert.Empty(t, asked, "no tag is read for other files")
			}
		})
	}
}
