package api

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/offlocal"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
)

// FileIdentity tells one version of one file apart from any other: the
// file itself (ID: device and inode, or the platform's file id) and its
// state (size, modification and change times). The walk of a folder records
// it, and an upload compares it before and after sending, so what is
// uploaded is the file that was listed and what is recorded is one
// consistent version of it.
type FileIdentity struct {
	Size    int64
	ModTime time.Time
	// ChangeTime is the inode change time (ctime), which a write moves even
	// when the modification time is put back (touch -r); zero where the
	// platform gives none.
	ChangeTime time.Time
	// ID names the file on its file system ("device:inode" on Linux);
	// empty where the platform gives none.
	ID string
}

// sameVersion reports whether b is the same file in the same state as a:
// every field known on both sides is equal.
func (a FileIdentity) sameVersion(b FileIdentity) bool {
	return a.Size == b.Size && a.ModTime.Equal(b.ModTime) &&
		(a.ChangeTime.IsZero() || b.ChangeTime.IsZero() || a.ChangeTime.Equal(b.ChangeTime)) &&
		(a.ID == "" || b.ID == "" || a.ID == b.ID)
}

// ErrNotListedFile reports that the path of a file found in a chosen folder
// no longer leads to that file: a component below the folder is now a
// symbolic link, or the file was replaced by another one (another device
// or inode); or that the path of a file named itself now leads through a
// symbolic link to another file than the one added. Nothing is sent; the file is skipped, never retried, since
// uploading what the path now leads to is what the person did not choose.
var ErrNotListedFile = errors.New("the path no longer leads to the file listed in the chosen folder")

// ErrListedFileReplaced is the cause of an ErrNotListedFile for a file
// found in a chosen folder and replaced by another file (another device
// or inode) after the listing: the folder holds a file that was not
// listed, so not uploaded, unlike a link put in its place.
var ErrListedFileReplaced = errors.New("the file listed was replaced by another file")

// errSymlinkBelow is the cause of an ErrNotListedFile for a symbolic link
// met below the chosen folder (or a path leaving it).
var errSymlinkBelow = errors.New("a symbolic link below the chosen folder")

// ListedFile checks a regular file found while walking the folder beneath
// and returns its identity, for the job that will upload it: the file is
// opened without following a symbolic link at any component of path below
// beneath (see openBeneath), as the upload will open it. A file the
// system makes up as it is read (/proc, /sys) is refused, as ValidateFile
// refuses it. rootID is the ID of the folder beneath led to when the file
// was opened through it (as FolderID gives it; "" where files have no ID):
// a walk compares it with the folder it began listing, so a file opened
// through another folder put at beneath's path meanwhile is not taken for
// the chosen folder's, with no further look at the path.
func ListedFile(beneath, path string) (id FileIdentity, rootID string, err error) {
	f, id, rootID, err := openListed(beneath, path, FileIdentity{})
	if err != nil {
		return FileIdentity{}, "", err
	}
	madeUp := madeUpAsRead(f, id.Size)
	_ = f.Close() // opened read-only: nothing to flush
	if madeUp {
		return FileIdentity{}, "", notStored(quotePath(path))
	}
	return id, rootID, nil
}

// openListed opens path, found in the chosen folder beneath, for reading
// without following a symbolic link below beneath, checks that it is a
// regular file and, when want has an ID, that it is that file. rootID is
// the ID of the folder beneath led to as it was opened (see openBeneath).
func openListed(beneath, path string, want FileIdentity) (f *os.File, id FileIdentity, rootID string, err error) {
	q := quotePath(path)
	rel, err := filepath.Rel(beneath, path)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return nil, FileIdentity{}, "", notListed(q+" is not inside the chosen folder — not uploaded", errSymlinkBelow)
	}
	f, rootID, err = openBeneath(beneath, rel)
	if errors.Is(err, errSymlinkBelow) {
		return nil, FileIdentity{}, "", notListed(q+" is now a symbolic link, or inside one, below the chosen folder — not followed, not uploaded; add the target itself to upload it", err)
	}
	if err != nil {
		return nil, FileIdentity{}, "", fileAccessError(q, err)
	}
	fail := func(err error) (*os.File, FileIdentity, string, error) {
		_ = f.Close()
		return nil, FileIdentity{}, "", err
	}
	st, id, err := statOpen(f)
	switch {
	case err != nil:
		return fail(fileAccessError(q, err))
	case st.IsDir():
		// Opened for reading as any folder can be: replaced since the
		// walk listed a file there.
		return fail(&ValidationError{Field: "file", Problem: ProblemIsFolder,
			Message: q + " is a folder, not a file: it was replaced by a folder after its folder was listed — add it again to upload the files inside it"})
	case !regularOpen(f, st):
		return fail(notRegular(q, st.Mode()))
	case want.ID != "" && id.ID != "" && want.ID != id.ID:
		return fail(notListed(q+" was replaced by another file after the folder was listed — not uploaded; add it again to upload the new one", ErrListedFileReplaced))
	}
	return f, id, rootID, nil
}

// notListed is the ValidationError of an ErrNotListedFile.
func notListed(msg string, cause error) error {
	err := ErrNotListedFile
	if cause != nil {
		err = fmt.Errorf("%w: %w", ErrNotListedFile, cause)
	}
	return &ValidationError{Field: "file", Message: msg, err: err}
}

// openForUpload opens the file of req: beneath its chosen folder without
// following links when req.Beneath is set (and only the listed file, which
// a file with its ID changed since the add, reached through a link made
// after the add at the folder's path or on its way, is not), else
// the path as given (the person chose it, links included). A file named
// itself whose path now leads to another file than the one added
// (req.Listed: another file ID, or the same ID on a file changed since
// the add, see surelyAdded) through a symbolic link made after it was
// added (req.AddedAt) is refused: another program put the link there, in place
// of the file or of a folder on its path, and what it leads to is not
// what the person chose. Another file saved in its place without a link
// (as editors save) is that file's new version, and is sent, also when
// the path goes through links that were there when it was added (a home
// folder that is a link, or a link the person chose).
func openForUpload(req UploadRequest) (*os.File, FileIdentity, error) {
	readhook.BeforeOpen(req.Path)
	if req.Beneath != "" {
		f, id, _, err := openListed(req.Beneath, req.Path, req.Listed)
		if err == nil && !surelyAdded(req.Listed, id, req.AddedAt) && throughNewLink(req.Beneath, req.AddedAt) {
			_ = f.Close()
			return nil, FileIdentity{}, notListed(quotePath(req.Path)+" now leads through a symbolic link put at its folder's path, or on the way to it, after the folder was added — not uploaded; add the folder again to upload what it holds now", nil)
		}
		return f, id, err
	}
	f, id, err := OpenRegularFile(req.Path)
	if err == nil && !surelyAdded(req.Listed, id, req.AddedAt) && throughNewLink(req.Path, req.AddedAt) {
		_ = f.Close()
		return nil, FileIdentity{}, notListed(quotePath(req.Path)+" now leads through a symbolic link to another file than the one added — not uploaded; add the file itself to upload it", nil)
	}
	return f, id, err
}

// openedFile is what openForUpload gave, handed across offlocal.UntilOr.
type openedFile struct {
	f   *os.File
	id  FileIdentity
	err error
}

// openForUploadUntil is openForUpload off the calling goroutine
// (offlocal.UntilOr), for an upload that ctx ends (the queue's Close and
// Cancel, the CLI's Ctrl+C): an open or a stat of a file on a network
// share or a USB disk that stopped answering blocks for good, and held the
// upload's goroutine, and the window's quit, a Cancel's free slot and the
// command's end with it. When ctx ends first, it fails with a KindCanceled
// error (the job stays to be sent again), and a file the open left behind
// opens after all is closed at once: a handle kept open would keep the
// person from deleting or moving the file on Windows. The open left behind
// touches nothing but the file (req is a copy).
func openForUploadUntil(ctx context.Context, req UploadRequest) (*os.File, FileIdentity, error) {
	r, ok := offlocal.UntilOr(ctx, nil, func() openedFile {
		f, id, err := openForUpload(req)
		return openedFile{f, id, err}
	}, func(late openedFile) {
		if late.f != nil {
			_ = late.f.Close() // read-only: nothing to flush
		}
	})
	if !ok {
		return nil, FileIdentity{}, uploadEnded(ctx, errOpenGivenUp)
	}
	return r.f, r.id, r.err
}

// errOpenGivenUp is the cause of openForUploadUntil's error when the
// upload ended before the open of its file returned.
var errOpenGivenUp = errors.New("the upload ended while its file was being opened")

// uploadEnded is the error of an upload that ctx ended while a look at
// its file (an open, a read: cause) had not returned: the upload's end,
// not the file's fault. A deadline that passed is a timeout (retryable),
// as it is when it passes while the file is sent (transportError); any
// other end is a cancel.
func uploadEnded(ctx context.Context, cause error) error {
	kind := KindCanceled
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		kind = KindTimeout
	}
	return &Error{Kind: kind, Op: OpUpload, Err: fmt.Errorf("%w: %w", cause, context.Cause(ctx))}
}

// surelyAdded reports whether now, the file a named path leads to, is
// the one added at added, whose file ID was listed.ID: the same ID, and
// not changed since the add. The ID alone does not tell: a file system
// gives a deleted file's number to a file made later (ext4 does so at
// once), so a file made since the add may carry it. No slack here: file
// times come from a clock that lags the one the add read, so a file made
// or changed just before the add counts as the one added (a file made,
// linked to and uploaded at once, as a script does, is sent), and one
// made after the add with a deleted file's number has a later time,
// unless it was made in the same clock tick (a few milliseconds). A file
// without an ID on either side is not judged here, nor one whose change
// time is ahead of this machine's clock: another clock stamped it (a
// share's server ahead of this one, or this clock set back since), so
// its time says nothing about the add, and the ID decides.
func surelyAdded(listed, now FileIdentity, added time.Time) bool {
	switch {
	case listed.ID == "" || now.ID == "":
		return true
	case now.ID != listed.ID:
		return false
	case now.ChangeTime.IsZero() || added.IsZero() || now.ChangeTime.After(time.Now()):
		return true // nothing tells a newer file with the same ID apart
	}
	return !now.ChangeTime.After(added)
}

// linkClockSlack is how long before the add a link's time may say it was
// made and still count as made after it: a file system stamps times from
// a clock that may lag the one read at the add by a tick.
const linkClockSlack = 100 * time.Millisecond

// maxLinksFollowed is how many symbolic links newestLinkOn follows on
// one path before it takes the path for one that cannot be followed: as
// many as filepath.EvalSymlinks follows (the system follows fewer, 40 on
// Linux, and opens nothing past them).
const maxLinksFollowed = 255

// throughNewLink reports whether path goes, at any component, through a
// symbolic link made after added (any link, when added is zero), or cannot
// be followed any more. Each link met is looked at, those its target
// names too: a link made after the add beyond one made before it (a link
// the person chose that leads to another link) leads elsewhere as much
// as one in the path's own text.
func throughNewLink(path string, added time.Time) bool {
	newest, ok := newestLinkOn(path)
	return !ok || !newest.IsZero() && (added.IsZero() || !newest.Before(added.Add(-linkClockSlack)))
}

// LinksSettleIn is how long an add of path waits before it takes its
// time (UploadRequest.AddedAt), so that every symbolic link on path then
// counts as made before the add: a link made within linkClockSlack
// before it counts as made after it (see throughNewLink), and a script
// that makes a link and names a file through it at once (ln -s build
// latest && upload latest/report.txt) would have that file, written to
// again before its turn, refused. At most linkClockSlack (a link stamped
// in the future by a clock set back is not waited for: it counts as new);
// 0 for a path without a link, or one that cannot be followed.
func LinksSettleIn(path string) time.Duration {
	newest, ok := newestLinkOn(path)
	if !ok || newest.IsZero() {
		return 0
	}
	return min(max(time.Until(newest.Add(linkClockSlack+time.Millisecond)), 0), linkClockSlack)
}

// newestLinkOn walks path as the system follows it and gives the change
// time of the newest symbolic link it meets (zero: none), and false when
// path cannot be followed (a name not there, a link to nothing, more
// links than maxLinksFollowed). Each component is looked at itself: a
// plain path is not taken for a link because resolving it spells it
// otherwise (Windows: drive letter, case, short names), nor is a file
// Windows keeps as another kind of reparse point (a cloud file's
// placeholder), whose times are the file's own.
func newestLinkOn(path string) (newest time.Time, ok bool) {
	prefix, todo := linkWalkStart(filepath.Clean(path))
	for links := 0; len(todo) > 0; {
		part := todo[0]
		todo = todo[1:]
		switch {
		case part == ".":
			continue
		case part == ".." && prefix != "" && filepath.Base(prefix) != "..":
			prefix = filepath.Dir(prefix) // prefix is reached without a link: its parent is its text's
			continue
		}
		next := filepath.Join(prefix, part)
		fi, err := os.Lstat(next)
		if err != nil {
			return time.Time{}, false
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			prefix = next
			continue
		}
		if links++; links > maxLinksFollowed {
			return time.Time{}, false
		}
		if at := ChangedAt(fi); at.After(newest) {
			newest = at
		}
		target, err := os.Readlink(next)
		if err != nil {
			return time.Time{}, false
		}
		root, parts := linkWalkStart(target)
		if filepath.IsAbs(target) {
			prefix = root
		}
		todo = append(parts, todo...)
	}
	return newest, true
}

// linkWalkStart splits path for newestLinkOn: its volume and root (""
// for a relative path) and its names, as written (a link's target is
// not cleaned: a ".." in it goes up from where the names before it lead).
func linkWalkStart(path string) (root string, parts []string) {
	root = filepath.VolumeName(path)
	rest := path[len(root):]
	if rest != "" && os.IsPathSeparator(rest[0]) {
		root += string(filepath.Separator)
	}
	parts = strings.FieldsFunc(rest, func(r rune) bool { return r < 0x80 && os.IsPathSeparator(uint8(r)) })
	return root, parts
}

// identityAtPath is the identity of the file req's path leads to now: for
// a file of a chosen folder, the entry at the path itself (entryIdentity:
// a link there is not the file), else the file the path leads to.
func identityAtPath(req UploadRequest) (FileIdentity, error) {
	if req.Beneath != "" {
		return entryIdentity(req.Beneath, req.Path)
	}
	return statPath(req.Path)
}

// checkSameVersion fails with ErrFileChanged unless the file req's path
// leads to and the open file f are still the version opened.
func checkSameVersion(f *os.File, req UploadRequest, opened FileIdentity) error {
	what, err := pathChange(req, opened)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrFileChanged, err)
	}
	if what == "" {
		what, err = openChange(f, opened)
		if err != nil {
			return fmt.Errorf("stat the file: %w", err)
		}
	}
	if what != "" {
		return fileChanged(req.Path, what)
	}
	return nil
}

// pathChange says how the file req's path leads to now differs from the
// version opened ("" when it is that version), with the error of a look
// at the path that failed for another reason than the file being gone. A
// file moved, deleted or put in place of the one opened, or a folder on
// its path moved or replaced, leaves the open file as it was: only its
// path tells. Uploads (checkSameVersion) and hashes (readWhole) ask it.
func pathChange(req UploadRequest, opened FileIdentity) (string, error) {
	now, err := identityAtPath(req)
	switch {
	case Gone(err):
		return "it was deleted or moved", nil
	case err != nil:
		return "", err
	case !opened.sameVersion(now):
		return describeChange(opened, now), nil
	}
	return "", nil
}

// openChange says how the open file f now differs from the version
// opened: "" when it is that version.
func openChange(f *os.File, opened FileIdentity) (string, error) {
	_, now, err := statOpen(f)
	if err != nil {
		return "", err
	}
	if !opened.sameVersion(now) {
		return describeChange(opened, now), nil
	}
	return "", nil
}

// gone reports whether path leads to no entry any more: the file was
// deleted or moved, or a folder on its path was.
func gone(path string) (bool, error) {
	_, err := os.Lstat(path)
	return Gone(err), err
}

// fileChanged is the error of a file that changed while it was uploaded,
// what saying how. A file that is gone is said so, and the error then
// wraps fs.ErrNotExist: trying again cannot help.
func fileChanged(path, what string) error {
	if isGone, err := gone(path); isGone {
		return fmt.Errorf("%w: %w", ErrFileChanged, &ValidationError{Field: "file", err: err,
			Message: quotePath(path) + " was deleted or moved while it was being uploaded, so the upload is not recorded"})
	}
	return fmt.Errorf("%w: %s", ErrFileChanged, what)
}

// describeChange says what differs between two identities of a file.
func describeChange(was, now FileIdentity) string {
	switch {
	case was.ID != "" && now.ID != "" && was.ID != now.ID:
		return "it was replaced by another file"
	case was.Size != now.Size:
		return fmt.Sprintf("its size went from %d to %d bytes", was.Size, now.Size)
	case !was.ModTime.Equal(now.ModTime):
		return "its modification time changed"
	}
	return "it was written to (its change time moved)"
}
