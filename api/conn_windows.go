package api

import "syscall"

// lostConnErrnos are the system errors of a connection that was up and was
// then lost. Winsock has its own numbers: syscall.ECONNRESET and friends are
// Go's inventions on Windows and never come back from a socket.
var lostConnErrnos = []error{syscall.WSAECONNRESET, syscall.WSAECONNABORTED, syscall.ECONNRESET, syscall.EPIPE}
