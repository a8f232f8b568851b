package cli

import "golang.org/x/sys/unix"

// termiosGet and termiosSet are the ioctl requests that read and set a
// terminal's modes here (echoOff).
const (
	termiosGet = unix.TCGETS
	termiosSet = unix.TCSETS
)
