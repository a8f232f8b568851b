package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/dstor-uploader/dstor-uploader/internal/offlocal"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
)

// FileDigests name a file's content twice: by the CIDv0 dStor gives it
// and by the plain SHA-256 that `sha256sum` prints, so a person can check
// an upload against a file with either.
type FileDigests struct {
	CID    string // CIDv0, as dStor computes it
	SHA256 string // lowercase hex
	Size   int64  // bytes read
	// ID is the identity of the file read (FileIdentity.ID, as an
	// upload's history entry records it), "" where the platform gives
	// none: verify finds by it the uploads of this very file made by
	// another spelling of its path.
	ID string
	// Folder is the ID of the folder HashListedFile's beneath led to when
	// the file was opened through it (as FolderID names a folder; "" for
	// HashFile and where folders have no ID): `verify DIR` compares it
	// with the folder it began verifying, so a file opened through another
	// folder put at its path meanwhile is not said to be one of its own.
	// Set also with the error of a file opened but not read whole.
	Folder string
}

// HashFile reads the regular file at path once and returns its CIDv0 and
// SHA-256, computed in the same pass (what `verify` prints). Canceling ctx
// stops it between chunks.
func HashFile(ctx context.Context, path string) (FileDigests, error) {
	return hashFile(ctx, UploadRequest{Path: path}, true)
}

// HashListedFile is HashFile for a file a folder's listing found in the
// folder beneath (`verify DIR`): no symbolic link below beneath is
// followed, opening it or checking it after the read, as an upload of the
// folder follows none, so a file replaced by a link after the listing is
// said to be one, never hashed as the link's target.
func HashListedFile(ctx context.Context, beneath, path string) (FileDigests, error) {
	d, err := hashFile(ctx, UploadRequest{Path: path, Beneath: beneath}, true)
	if errors.Is(err, errSymlinkBelow) {
		return d, notListed(quotePath(path)+" is now a symbolic link, or inside one, below the folder — not followed; name its target to verify it", errSymlinkBelow)
	}
	return d, err
}

// FileCID reads the regular file at path once and returns its CIDv0: the
// hash an upload of it is answered with, as `ipfs add -n -Q` prints it
// (what `cid` prints). It skips HashFile's SHA-256, half of the work.
// Canceling ctx stops it between chunks.
func FileCID(ctx context.Context, path string) (string, error) {
	d, err := hashFile(ctx, UploadRequest{Path: path}, false)
	return d.CID, err
}

// hashFile is HashFile of req.Path (HashListedFile's when req.Beneath is
// set), with the SHA-256 only when withSHA256. A file the system makes up
// as it is read (/proc, /sys) is refused, as ValidateFile refuses it.
func hashFile(ctx context.Context, req UploadRequest, withSHA256 bool) (FileDigests, error) {
	path := req.Path
	f, opened, folder, err := openToHash(req)
	if err != nil {
		if req.Beneath != "" {
			return FileDigests{}, err
		}
		return FileDigests{}, namedToHash(path, err)
	}
	defer func() { _ = f.Close() }()      // read-only
	failed := FileDigests{Folder: folder} // what it was opened through, even when not read whole
	if madeUpAsRead(f, opened.Size) {
		// Read, it never matches its size: refused as an upload refuses
		// it, not "changed while it was read" on every run.
		return failed, notStored(quotePath(path))
	}
	h := NewCIDHasher()
	if withSHA256 {
		h.EnableSHA256()
	}
	if _, err := h.ReadFrom(&hookedReader{r: ctxReader{ctx, f}, path: path}); err != nil {
		h.Abort()
		if ctx.Err() != nil {
			return failed, ctx.Err()
		}
		return failed, fileAccessError(quotePath(path), err)
	}
	if err := readWhole(f, req, opened, h.Size()); err != nil {
		h.Abort()
		return failed, err
	}
	cid, err := h.Sum()
	if err != nil {
		return failed, err
	}
	d := FileDigests{CID: cid, Size: h.Size(), ID: opened.ID, Folder: folder}
	if withSHA256 {
		d.SHA256 = hex.EncodeToString(h.SHA256())
	}
	return d, nil
}

// openToHash opens the file of req to hash it: beneath its folder without
// following links when req.Beneath is set (folder: the ID of the folder
// Beneath led to, see openListed), else the path as given (folder "").
func openToHash(req UploadRequest) (f *os.File, id FileIdentity, folder string, err error) {
	if req.Beneath != "" {
		return openListed(req.Beneath, req.Path, FileIdentity{})
	}
	f, id, err = OpenRegularFile(req.Path)
	return f, id, "", err
}

// namedToHash is err, opening the path a person named to `cid` or
// `verify` (which hash files one by one and upload nothing), in their
// words: a folder says to name its files, not (as an upload's does) to
// upload them; a path not there says what upload says of one named so
// (NamedNotThere: check the name, the path or the link), not
// that a file seen before was moved or deleted.
func namedToHash(path string, err error) error {
	var ve *ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	switch {
	case ve.Problem == ProblemIsFolder:
		return &ValidationError{Field: ve.Field, Problem: ve.Problem,
			Message: quotePath(path) + " is a folder, not a file — name the files inside it"}
	case ve.Problem == ProblemNotExist:
		if nt := NamedNotThere(path, path); nt != nil {
			return &ValidationError{Field: ve.Field, Problem: ve.Problem, Message: nt.Error(), err: ve.err}
		}
	}
	return err
}

// readWhole checks that the n bytes read from f, opened as the version
// opened of the file of req, are that whole version and that its path
// still leads to it (through no link below req.Beneath when set), with
// the upload's own checks (pathChange, openChange): a
// file written, truncated, moved or replaced while it was read gives the
// hash of bytes it never held all at once, or of a file no longer at that
// path, which `cid` and `verify` must not print as its own.
func readWhole(f *os.File, req UploadRequest, opened FileIdentity, n int64) error {
	path := req.Path
	q := quotePath(path)
	what, err := pathChange(req, opened)
	if err != nil {
		// The path cannot be followed any more (a folder on it replaced
		// by a file, its permissions taken away): not the file read.
		what = "its path can no longer be followed: " + cleanText(pathCause(err).Error())
	}
	if what == "" {
		if what, err = openChange(f, opened); err != nil {
			return fileAccessError(q, err)
		}
	}
	if what == "" && n != opened.Size {
		what = fmt.Sprintf("%d of its %d bytes could be read", n, opened.Size)
	}
	switch isGone, goneErr := gone(path); {
	case what == "":
		return nil
	case isGone:
		return &ValidationError{Field: "file", err: fmt.Errorf("%w: %w", ErrFileChanged, goneErr),
			Message: q + " was deleted or moved while it was read, so no hash is given for it"}
	}
	return &ValidationError{Field: "file", err: ErrFileChanged,
		Message: q + " changed while it was read (" + what + "), so no hash is given for it — run this again once nothing is writing to it"}
}

// pathCause is the system's own error inside err, without the path an
// *fs.PathError repeats.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ctxReader stops reading once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// hookedReader is the reader of a file being hashed: after each read it
// calls readhook.AfterRead, where a test changes the file mid-read.
type hookedReader struct {
	r    io.Reader
	path string
	n    int64
}

func (h *hookedReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if n > 0 {
		h.n += int64(n)
		readhook.AfterRead(h.path, h.n)
	}
	return n, err
}

// ErrChecksumMismatch reports a file whose SHA-256 is not the one the
// person expected (UploadRequest.ExpectSHA256); match it with errors.Is.
// Trying again cannot help.
var ErrChecksumMismatch = errors.New("the file's SHA-256 is not the expected one")

// ChecksumMismatchError is a file whose SHA-256 differs from the expected
// one: nothing of it was sent.
type ChecksumMismatchError struct {
	Path     string
	Expected string // lowercase hex
	Actual   string // lowercase hex
}

func (e *ChecksumMismatchError) Error() string {
	return fmt.Sprintf("%s: SHA-256 is %s, expected %s", quotePath(e.Path), e.Actual, e.Expected)
}

// Is makes errors.Is(err, ErrChecksumMismatch) true.
func (e *ChecksumMismatchError) Is(target error) bool { return target == ErrChecksumMismatch }

func (e *ChecksumMismatchError) sentence() string {
	return fmt.Sprintf("%s is not the expected file: its SHA-256 is %s, not %s — nothing was sent; check that you chose the right file and checksum",
		quotePath(e.Path), e.Actual, e.Expected)
}

// NormalizeSHA256 checks that s is a SHA-256 written as 64 hex digits
// (either case, surrounding spaces ignored) and returns it in lowercase.
func NormalizeSHA256(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != 2*sha256.Size {
		return "", &ValidationError{Field: "SHA-256", Message: fmt.Sprintf("a SHA-256 checksum is 64 hex digits; this one has %d characters", len(s))}
	}
	if _, err := hex.DecodeString(s); err != nil {
		return "", &ValidationError{Field: "SHA-256", Message: "a SHA-256 checksum holds only the hex digits 0-9 and a-f"}
	}
	return s, nil
}

// checkExpectedSHA256 reads the file req names once, before anything is
// sent, and fails with a *ChecksumMismatchError when its SHA-256 is not
// req.ExpectSHA256. It returns the identity of the version it read, which
// the upload must then send. The open and the read run off the calling
// goroutine (offlocal.Until): on a drive that stopped answering they block
// for good, and held the upload's goroutine, so the queue's Close, Cancel
// and the CLI's first Ctrl+C with it; when ctx ends first, it fails with
// a KindCanceled error, and the read left behind ends at its next block
// (ctxReader) once the drive answers, and closes its file.
func checkExpectedSHA256(ctx context.Context, req UploadRequest) (FileIdentity, error) {
	r, ok := offlocal.Until(ctx, nil, func() checkedSum {
		id, err := sumExpected(ctx, req)
		return checkedSum{id, err}
	})
	if !ok {
		return FileIdentity{}, uploadEnded(ctx, errReadGivenUp)
	}
	return r.id, r.err
}

// checkedSum is what sumExpected gave, handed across offlocal.Until.
type checkedSum struct {
	id  FileIdentity
	err error
}

// sumExpected is checkExpectedSHA256 on the calling goroutine; it touches
// nothing but its own file and hash.
func sumExpected(ctx context.Context, req UploadRequest) (FileIdentity, error) {
	f, id, err := openForUpload(req)
	if err != nil {
		return FileIdentity{}, err
	}
	defer func() { _ = f.Close() }() // read-only
	h := sha256.New()
	if _, err := io.Copy(h, &hookedReader{r: ctxReader{ctx, f}, path: req.Path}); err != nil {
		if ctx.Err() != nil {
			return FileIdentity{}, &Error{Kind: KindCanceled, Op: OpUpload, Err: ctx.Err()}
		}
		return FileIdentity{}, fileAccessError(quotePath(req.Path), err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != req.ExpectSHA256 {
		return FileIdentity{}, &ChecksumMismatchError{Path: req.Path, Expected: req.ExpectSHA256, Actual: sum}
	}
	return id, nil
}
