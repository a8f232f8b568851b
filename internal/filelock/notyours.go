package filelock

import (
	"fmt"

	"github.com/dstor-uploader/dstor-uploader/internal/inert"
)

// NotYoursError reports a file this process may not open because it, or
// the folder holding it, belongs to another user: root, after a run under
// sudo. chmod cannot help then; only that user, or sudo, can give it back.
// Take returns it for a lock file; storage words the history's files with
// it too, so every such file is named with one sentence and one command.
type NotYoursError struct {
	What   string // the file, or the folder holding it
	Folder bool   // What is the folder
	Owner  string // the user What belongs to
	Err    error  // the system's error
}

// Error names what belongs to whom and the command that gives it back.
func (e *NotYoursError) Error() string {
	return fmt.Sprintf("%s belongs to the user %s (left by a run under sudo?) — make it yours again (%s), then try again",
		e.What, e.Owner, e.ChownCommand())
}

// ChownCommand is the command that gives What back to this process's
// user (ChownCommand).
func (e *NotYoursError) ChownCommand() string { return ChownCommand(e.What, e.Folder) }

// Unwrap gives the system's error.
func (e *NotYoursError) Unwrap() error { return e.Err }

// NotYours is the *NotYoursError of the file at path, in the folder dir,
// refused with err, when another user owns dir (looked at first: giving
// it back gives back its files too) or the file; nil when neither is
// another user's.
func NotYours(dir, path string, err error) *NotYoursError {
	for _, p := range []string{dir, path} {
		if owner := Owner(p); owner != "" {
			return &NotYoursError{What: p, Folder: p == dir, Owner: owner, Err: err}
		}
	}
	return nil
}

// ChownCommand is the command that gives path, another user's, back to
// this process's user: sudo chown $USER, with -R for a folder (its files
// may be that user's too), the path one word for a POSIX shell, the only
// kind that runs it (Windows leaves no file to another user: Owner).
func ChownCommand(path string, folder bool) string {
	recursive := ""
	if folder {
		recursive = "-R "
	}
	return "sudo chown " + recursive + "$USER " + inert.POSIXWord(path)
}
