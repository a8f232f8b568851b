package diskspace

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFreeIsKnownForAFolder: the free space of a folder on a real disk is
// known (Free does not fall back to -1 on this system), and a missing
// folder's is not.
func TestFreeIsKnownForAFolder(t *testing.T) {
	assert.Positive(t, Free(t.TempDir()))
	assert.Equal(t, int64(-1), Free(t.TempDir()+"/no/such/folder"))
}

// TestSizeIsKnownForAFolder: a disk holds at least what it has free, and a
// missing folder's size is not known.
func TestSizeIsKnownForAFolder(t *testing.T) {
	dir := t.TempDir()
	assert.GreaterOrEqual(t, Size(dir), Free(dir))
	assert.Positive(t, Size(dir))
	assert.Equal(t, int64(-1), Size(dir+"/no/such/folder"))
}

// TestFullKnowsThisSystemsWords: the system's "no room left" is known
// however it is wrapped, and other errors are not taken for it.
func TestFullKnowsThisSystemsWords(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"no room, from a write", &fs.PathError{Op: "write", Path: "f", Err: noRoom}, true},
		{"no room, wrapped", fmt.Errorf("save: %w", noRoom), true},
		{"permission denied", &fs.PathError{Op: "write", Path: "f", Err: syscall.EACCES}, false},
		{"another error", errors.New("no space left on device"), false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Full(tc.err))
		})
	}
}
