package api

import (
	"errors"
	"io/fs"
	"slices"
	"syscall"
)

// FileErrno is a system error a local file met that a person can act on,
// with the Problem it is (ValidationError.Problem of a file refused for it).
type FileErrno struct {
	Errno   syscall.Errno
	Problem Problem
}

// FileErrnos are the system errors of this system that fileAccessError
// names by a Problem of their own, beyond the portable ones (a file that is
// not there, or not yours to read): on Windows the winerror.h codes os
// returns in a syscall.Errno for a file another program has open without
// sharing it, a drive not ready, a network share out of reach, a path too
// long or not valid, an online-only file not downloaded, a link or special
// file Windows cannot open; none elsewhere.
// The window words a system error it knows only by its text by them too.
func FileErrnos() []FileErrno { return slices.Clone(fileErrnos) }

// Gone reports whether err says a file or folder is not there (deleted or
// moved), so trying again cannot help. Go counts Windows' ERROR_BAD_NETPATH
// as fs.ErrNotExist too, but a network share out of reach may come back:
// an error FileErrnos names is never gone.
func Gone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) && fileErrnoProblem(err) == ""
}

// fileErrnoProblem is the Problem of the first of fileErrnos that err is,
// or "".
func fileErrnoProblem(err error) Problem {
	for _, fe := range fileErrnos {
		if errors.Is(err, fe.Errno) {
			return fe.Problem
		}
	}
	return ""
}

// platformFileSentence explains the reasons of this system a file cannot
// be read that a person can fix (FileErrnos), with their Problem, or
// returns "" for the others.
func platformFileSentence(q string, err error) (Problem, string) {
	switch p := fileErrnoProblem(err); p {
	case ProblemOnlineOnly:
		return p, q + " is an online-only file (OneDrive or another cloud service) that could not be downloaded — make it available on this computer (in Explorer: right-click it, Always keep on this device) or check that the service's app is running and online, then try again"
	case ProblemLocked:
		return p, q + " is open in another program that does not let others read it — close that program (or wait until it is done with the file), then try again"
	case ProblemDriveNotReady:
		return p, q + " is on a drive that is not ready — insert the disk or reconnect the drive, then try again"
	case ProblemShareUnreachable:
		return p, q + " is on a network share that cannot be reached — check that the computer sharing it is on and that you are signed in to the share, then try again"
	case ProblemPathTooLong:
		return p, q + " has a path longer than Windows allows here — move it to a folder with a shorter path, then try again"
	case ProblemInvalidPath:
		return p, q + " is not a valid Windows path — a name cannot contain < > : \" | ? * and cannot end with a dot or a space"
	case ProblemCannotAccess:
		return p, q + " cannot be opened by Windows: it is a link or special file of a kind Windows cannot read here (a symbolic link made in WSL, say) — add the file it leads to instead, or a copy of it"
	}
	return "", ""
}
