package cli

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/windows"
)

// newSpoolFile is a new temporary file for a spool that Windows deletes
// once its one handle is closed, however this process ends (a file in use
// cannot be removed by name on Windows), so a history ended mid-list
// (Ctrl+C, closed console) leaves no file.
func newSpoolFile() (*os.File, error) {
	for range 100 {
		name := filepath.Join(os.TempDir(), "dstor-uploader-history-"+strconv.FormatUint(rand.Uint64(), 36)+".spool")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL|windows.O_FILE_FLAG_DELETE_ON_CLOSE, 0o600)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("no unused name for a temporary file")
}
