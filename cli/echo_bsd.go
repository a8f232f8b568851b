//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package cli

import "golang.org/x/sys/unix"

// termiosGet and termiosSet are the ioctl requests that read and set a
// terminal's modes here (echoOff).
const (
	termiosGet = unix.TIOCGETA
	termiosSet = unix.TIOCSETA
)
