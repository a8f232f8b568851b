package storage

import (
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckIndexLooksAtTheSharedMemoryAlone: the command line's queue
// looks at the history before each upload it starts, and stops only at a
// -shm gone (ReplacedError.SharedMemory); the three stats of CheckFile
// before every start were a cost of every small file. CheckIndex looks at
// the -shm alone (CheckFile's looks only once it is gone: counted here
// through betweenFileLooks), and says the same as CheckFile of a -shm
// deleted or replaced, alone or with the rest; a database file or -wal
// gone while the -shm is there it leaves to the next write's CheckFile.
func TestCheckIndexLooksAtTheSharedMemoryAlone(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows refuses to delete a -shm SQLite holds open, and it is not watched there")
	}
	for _, tc := range []struct {
		name  string
		gone  []string // the suffixes of path deleted, in order
		index *ReplacedError
		file  *ReplacedError // CheckFile's, after CheckIndex
	}{
		{"nothing", nil, nil, nil},
		{"the -shm", []string{"-shm"}, &ReplacedError{Journal: true, SharedMemory: true}, &ReplacedError{Journal: true, SharedMemory: true}},
		{"the -wal and the -shm", []string{"-wal", "-shm"}, &ReplacedError{Journal: true, SharedMemory: true}, &ReplacedError{Journal: true, SharedMemory: true}},
		{"all three, the -shm first", []string{"-shm", "-wal", ""}, &ReplacedError{Deleted: true}, &ReplacedError{Deleted: true}},
		{"the file alone", []string{""}, nil, &ReplacedError{Deleted: true}},
		{"the -wal alone", []string{"-wal"}, nil, &ReplacedError{Journal: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := openNewTestDB(t)
			path := d.Path()
			require.NoError(t, d.InsertJobs([]JobRow{{ID: "before", LocalPath: "/a"}}))
			require.True(t, d.shmKnown, "the -shm is watched")
			for _, suffix := range tc.gone {
				require.NoError(t, os.Remove(path+suffix))
			}
			fullLooks := 0
			betweenFileLooks = func() { fullLooks++ }
			t.Cleanup(func() { betweenFileLooks = nil })

			err := d.CheckIndex()
			if tc.index == nil {
				assert.NoError(t, err)
				assert.Zero(t, fullLooks, "one stat of the -shm: CheckFile's looks not taken")
			} else {
				tc.index.Path = path
				assert.Equal(t, tc.index, err)
			}
			tc.file = withPath(tc.file, path)
			if tc.file == nil {
				assert.NoError(t, d.CheckFile())
			} else {
				assert.Equal(t, tc.file, d.CheckFile())
				assert.Equal(t, tc.file, d.CheckIndex(), "once found gone, said so for good")
			}
		})
	}
}

// withPath is e with its Path set to path (nil stays nil).
func withPath(e *ReplacedError, path string) *ReplacedError {
	if e != nil {
		e.Path = path
	}
	return e
}
