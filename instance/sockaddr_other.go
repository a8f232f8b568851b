//go:build unix && !linux

package instance

import (
	"fmt"
	"path/filepath"
)

// socketAddr is the address that binds or dials the socket file name in
// dir: its path, which must fit a socket address (sun_path); done does
// nothing.
func socketAddr(dir, name string) (addr string, done func(), err error) {
	path := filepath.Join(dir, name)
	if len(path) > maxSocketPath {
		return "", nil, fmt.Errorf("the data folder's path is too long for a local socket (%d bytes, at most %d)",
			len(dir), maxSocketPath-len(name)-1)
	}
	return path, func() {}, nil
}
