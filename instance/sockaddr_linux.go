package instance

import (
	"fmt"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// socketAddr is the address that binds or dials the socket file name in
// dir. A path longer than a socket address may be (sun_path) is reached
// through a descriptor of dir, /proc/self/fd/N/name, which fits whatever
// the length of dir, so a data folder deep in the tree still has one
// window; done closes that descriptor once the socket is bound or
// connected.
func socketAddr(dir, name string) (addr string, done func(), err error) {
	path := filepath.Join(dir, name)
	if len(path) <= maxSocketPath {
		return path, func() {}, nil
	}
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, fmt.Errorf("open the data folder to reach its socket: %w", err)
	}
	return "/proc/self/fd/" + strconv.Itoa(fd) + "/" + name, func() { _ = unix.Close(fd) }, nil
}
