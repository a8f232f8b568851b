package worker

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// ReasonCode says why a job failed, was skipped, waits or was already
// uploaded, in no language: the window words each code in its own
// (Job.Reason), while Job.Err keeps the English sentence the command line
// prints and scripts read. Codes are stored with the job, so they never
// change meaning; a new cause gets a new code.
type ReasonCode string

// The reason codes. Job.ReasonArg carries the one detail a code's wording
// needs, as its comment says; the others have none.
const (
	// Listing what was added.
	ReasonNoPath           ReasonCode = "no-path"
	ReasonBothDestinations ReasonCode = "both-destinations"
	ReasonBadFolderPath    ReasonCode = "bad-folder-path"
	ReasonBadComment       ReasonCode = "bad-comment"
	ReasonBadChecksum      ReasonCode = "bad-checksum"
	ReasonBadParentID      ReasonCode = "bad-parent-id"
	ReasonBadName          ReasonCode = "bad-name"
	ReasonChecksumFolder   ReasonCode = "checksum-folder"
	ReasonSymlink          ReasonCode = "symlink"
	ReasonJunction         ReasonCode = "junction"
	ReasonEmptyFolder      ReasonCode = "empty-folder"
	ReasonPipe             ReasonCode = "pipe"
	ReasonSocket           ReasonCode = "socket"
	ReasonDevice           ReasonCode = "device"
	ReasonSpecialFile      ReasonCode = "special-file"
	ReasonVanished         ReasonCode = "vanished"
	ReasonFolderDenied     ReasonCode = "folder-denied"
	ReasonFolderUnreadable ReasonCode = "folder-unreadable" // Arg: the system's error
	ReasonFileMissing      ReasonCode = "file-missing"
	ReasonFileDenied       ReasonCode = "file-denied"
	ReasonFileUnreadable   ReasonCode = "file-unreadable" // Arg: the system's error
	ReasonFileRefused      ReasonCode = "file-refused"    // Arg: the file check's api.Problem, a space, its Detail
	ReasonNotListed        ReasonCode = "not-listed"
	ReasonOwnData          ReasonCode = "own-data"
	// A folder a listing found empty (and, when it listed it again,
	// empty again) that holds an entry when said: what it holds was not
	// uploaded (folderWalk.addEmptyDirs).
	ReasonFilledSinceListed ReasonCode = "filled-since-listed"
	// A folder inside one added whole whose folder path on dStor would be
	// longer than api.MaxFolderPathLen; Arg: that length in bytes.
	ReasonFolderTooDeep ReasonCode = "folder-too-deep"
	// The folder added whole, whose folder path on dStor (the destination
	// typed and its name) would be too long; Arg: that length in bytes.
	ReasonDestinationTooLong ReasonCode = "destination-too-long"
	ReasonAlready            ReasonCode = "already" // Arg: when, RFC 3339
	ReasonUnsaved            ReasonCode = "unsaved"

	// Uploading.
	ReasonSignIn          ReasonCode = "sign-in"
	ReasonAccountChanged  ReasonCode = "account-changed" // waits for sign-in: a renewed token named another account
	ReasonPaused          ReasonCode = "paused"
	ReasonChangedRetry    ReasonCode = "changed-retry"
	ReasonChanged         ReasonCode = "changed"
	ReasonHashMismatch    ReasonCode = "hash-mismatch" // Arg: dStor's hash and the file's, space-separated
	ReasonUnverifiable    ReasonCode = "unverifiable"
	ReasonUnrecorded      ReasonCode = "unrecorded"    // Arg: the uploaded hash (a full disk; it waits)
	ReasonRecordFailed    ReasonCode = "record-failed" // Arg: the uploaded hash
	ReasonRecordLimit     ReasonCode = "record-limit"  // Arg: the uploaded hash (the history reached the file size limit: retrying cannot record it while the limit holds)
	ReasonHistoryGone     ReasonCode = "history-gone"  // Arg: the uploaded hash (the database was deleted or replaced: only a restart helps)
	ReasonRefusedSignIn   ReasonCode = "refused-sign-in"
	ReasonRefusedAccess   ReasonCode = "refused-access"
	ReasonTokenExpired    ReasonCode = "token-expired"
	ReasonTooLarge        ReasonCode = "too-large"      // Arg: what dStor said
	ReasonRateLimited     ReasonCode = "rate-limited"   // Arg: what dStor said
	ReasonServerTrouble   ReasonCode = "server-trouble" // Arg: what dStor said
	ReasonTimeout         ReasonCode = "timeout"
	ReasonAnswerStopped   ReasonCode = "answer-stopped"   // dStor began its answer, then stopped sending it
	ReasonAnswerTooLong   ReasonCode = "answer-too-long"  // dStor's answer was still arriving at api.AnswerTotalTimeout
	ReasonSendStalled     ReasonCode = "send-stalled"     // dStor stopped taking the file partway
	ReasonSentNoAnswer    ReasonCode = "sent-no-answer"   // the whole file was sent, but dStor did not answer in time
	ReasonUnreachable     ReasonCode = "unreachable"      // Arg: the host
	ReasonSecureFailed    ReasonCode = "secure-failed"    // Arg: the host
	ReasonConnectionBroke ReasonCode = "connection-broke" // Arg: the host
	ReasonMalformed       ReasonCode = "malformed"
	ReasonRedirected      ReasonCode = "redirected"
	ReasonNoSuchAddress   ReasonCode = "no-such-address"
	ReasonUploadRefused   ReasonCode = "upload-refused" // Arg: what dStor said
	ReasonClock           ReasonCode = "clock"
	ReasonFreshToken      ReasonCode = "fresh-token"
	ReasonCanceled        ReasonCode = "canceled"
	ReasonOther           ReasonCode = "other" // Arg: the English sentence
)

// ReasonCodes are every code, for a caller that must word each one (the
// window's test that no code lacks a translation).
var ReasonCodes = []ReasonCode{
	ReasonNoPath, ReasonBothDestinations, ReasonBadFolderPath, ReasonBadComment, ReasonBadChecksum,
	ReasonBadParentID, ReasonBadName, ReasonChecksumFolder, ReasonSymlink, ReasonJunction,
	ReasonEmptyFolder, ReasonFilledSinceListed, ReasonPipe, ReasonSocket, ReasonDevice, ReasonSpecialFile, ReasonVanished,
	ReasonFolderDenied, ReasonFolderUnreadable, ReasonFileMissing, ReasonFileDenied,
	ReasonFileUnreadable, ReasonFileRefused, ReasonNotListed, ReasonOwnData, ReasonFolderTooDeep, ReasonDestinationTooLong,
	ReasonAlready, ReasonUnsaved,
	ReasonSignIn, ReasonAccountChanged, ReasonPaused, ReasonChangedRetry, ReasonChanged, ReasonHashMismatch,
	ReasonUnverifiable, ReasonUnrecorded, ReasonRecordFailed, ReasonRecordLimit, ReasonHistoryGone, ReasonRefusedSignIn,
	ReasonRefusedAccess, ReasonTokenExpired, ReasonTooLarge, ReasonRateLimited,
	ReasonServerTrouble, ReasonTimeout, ReasonAnswerStopped, ReasonAnswerTooLong, ReasonSendStalled, ReasonSentNoAnswer, ReasonUnreachable, ReasonSecureFailed,
	ReasonConnectionBroke, ReasonMalformed, ReasonRedirected, ReasonNoSuchAddress,
	ReasonUploadRefused, ReasonClock, ReasonFreshToken, ReasonCanceled, ReasonOther,
}

// RefusedBeforeReading reports whether c is one the listing gives a file it
// does not read: what is wrong with the request, or with the file as the
// system shows it (already uploaded and unsaved jobs were read). Such a
// job's size was never measured, so the window shows none rather than a
// "0 bytes" that reads as an empty file.
func (c ReasonCode) RefusedBeforeReading() bool {
	switch c {
	case ReasonNoPath, ReasonBothDestinations, ReasonBadFolderPath, ReasonBadComment,
		ReasonBadChecksum, ReasonBadParentID, ReasonBadName, ReasonChecksumFolder,
		ReasonSymlink, ReasonJunction, ReasonEmptyFolder, ReasonFilledSinceListed, ReasonPipe,
		ReasonSocket, ReasonDevice, ReasonSpecialFile, ReasonVanished,
		ReasonFolderDenied, ReasonFolderUnreadable, ReasonFileMissing,
		ReasonFileDenied, ReasonFileUnreadable, ReasonFileRefused, ReasonNotListed, ReasonOwnData,
		ReasonFolderTooDeep, ReasonDestinationTooLong:
		return true
	}
	return false
}

// cause is why a job stopped or waits, both ways: the code (and its
// detail) the window words, and the English sentence for the command line.
type cause struct {
	code ReasonCode
	arg  string
	text string
}

// none is no cause: a job that is fine.
var none cause

// set records c in row.
func (c cause) set(row *storage.JobRow) {
	row.Reason, row.ReasonArg, row.Error = string(c.code), c.arg, c.text
}

// causeOf is the cause of err, an upload's or a file check's error, with
// api.Human's sentence.
func causeOf(err error) cause {
	code, arg := reasonOf(err)
	return cause{code, arg, api.Human(err)}
}

// reasonOf classifies err: dStor's answers by kind, the file's problems by
// what the system said, the checks of what was entered by their field.
func reasonOf(err error) (ReasonCode, string) {
	var (
		ae *api.Error
		ve *api.ValidationError
		hm *api.HashMismatchError
	)
	switch {
	case errors.As(err, &hm):
		return ReasonHashMismatch, hm.Remote + " " + hm.Local
	case errors.As(err, &ae):
		return apiReason(ae)
	case errors.Is(err, api.ErrListedFileReplaced):
		return ReasonNotListed, storage.ReplacedArg
	case errors.Is(err, api.ErrNotListedFile):
		return ReasonNotListed, ""
	case errors.Is(err, api.ErrFileChanged):
		return ReasonChanged, ""
	case api.Gone(err):
		return ReasonFileMissing, ""
	case errors.Is(err, fs.ErrPermission):
		return ReasonFileDenied, ""
	case errors.As(err, &ve):
		return validationReason(ve)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return ReasonFileUnreadable, pe.Err.Error()
	}
	return ReasonOther, api.Human(err)
}

// validationReason is the code of a check that refused what was entered.
func validationReason(ve *api.ValidationError) (ReasonCode, string) {
	switch ve.Field {
	case "folder path":
		return ReasonBadFolderPath, ""
	case "comment":
		return ReasonBadComment, ""
	case "SHA-256":
		return ReasonBadChecksum, ""
	case "parent id":
		return ReasonBadParentID, ""
	case "name":
		return ReasonBadName, ""
	case "token":
		return ReasonRefusedSignIn, ""
	case "file":
		return fileReason(ve)
	}
	return ReasonOther, ve.Message
}

// fileReason is the code of a file the checks before its upload refused:
// the walk's codes for what they name, else the check's problem.
func fileReason(ve *api.ValidationError) (ReasonCode, string) {
	switch {
	case ve.Problem == api.ProblemNotRegular:
		if code, ok := notRegularReasons[ve.Detail]; ok {
			return code, ""
		}
		return ReasonSpecialFile, ""
	case ve.Problem == api.ProblemUnreadable:
		return ReasonFileUnreadable, ve.Detail
	case ve.Problem != "":
		return ReasonFileRefused, strings.TrimSpace(string(ve.Problem) + " " + ve.Detail)
	}
	return ReasonOther, ve.Message
}

// notRegularReasons are the codes of the kinds of file that are not
// regular files (api.ValidationError.Detail of an api.ProblemNotRegular).
var notRegularReasons = map[string]ReasonCode{api.KindPipe: ReasonPipe, api.KindSocket: ReasonSocket,
	api.KindDevice: ReasonDevice, api.KindSymlink: ReasonSymlink}

// apiReason is the code of a failed dStor request.
func apiReason(e *api.Error) (ReasonCode, string) {
	switch e.Kind {
	case api.KindUnauthorized:
		if e.Status == 403 {
			return ReasonRefusedAccess, ""
		}
		return ReasonRefusedSignIn, ""
	case api.KindTokenExpired:
		return ReasonTokenExpired, ""
	case api.KindTooLarge:
		return ReasonTooLarge, e.Message
	case api.KindRateLimited:
		return ReasonRateLimited, e.Message
	case api.KindServer:
		return ReasonServerTrouble, e.Message
	case api.KindTimeout:
		return TimeoutReason(e), ""
	case api.KindUnreachable:
		switch {
		case e.SecureConnectionFailed():
			return ReasonSecureFailed, e.Host
		case e.ConnectionBroke():
			return ReasonConnectionBroke, e.Host
		}
		return ReasonUnreachable, e.Host
	case api.KindMalformed:
		if e.Status >= 300 && e.Status < 400 {
			return ReasonRedirected, ""
		}
		return ReasonMalformed, ""
	case api.KindBadRequest:
		if e.Status == 404 {
			return ReasonNoSuchAddress, ""
		}
		return ReasonUploadRefused, e.Message
	case api.KindHashMismatch:
		return ReasonHashMismatch, ""
	case api.KindUnverifiable:
		return ReasonUnverifiable, ""
	case api.KindClock:
		return ReasonClock, ""
	case api.KindFreshToken:
		return ReasonFreshToken, ""
	case api.KindCanceled:
		return ReasonCanceled, ""
	}
	return ReasonOther, api.Human(e)
}

// TimeoutReason is the code of e, a request that timed out: dStor's
// answer begun, then stopped, or still arriving when its bound ran out,
// dStor taking no more of the file partway, or not answering once the
// whole file was sent, else dStor not answering in time (what every
// timeout said before the others had codes). It is exported so the window's error dialog words
// a timeout as a job's row does.
func TimeoutReason(e *api.Error) ReasonCode {
	switch {
	case errors.Is(e, api.ErrAnswerStopped):
		return ReasonAnswerStopped
	case errors.Is(e, api.ErrAnswerTooLong):
		return ReasonAnswerTooLong
	case errors.Is(e, api.ErrSendStalled):
		return ReasonSendStalled
	case errors.Is(e, api.ErrSentNoAnswer):
		return ReasonSentNoAnswer
	}
	return ReasonTimeout
}

// The worker's own causes, with the sentences a person reads on the
// command line.
var (
	causeSignIn         = cause{ReasonSignIn, "", "waiting for sign-in: the session expired; sign in again to continue"}
	causePaused         = cause{ReasonPaused, "", "paused partway: dStor cannot resume an upload, so this file starts again from the beginning when you resume"}
	causeChangedRetry   = cause{ReasonChangedRetry, "", msgChanged + " — trying again from the start"}
	causeNoPath         = cause{ReasonNoPath, "", "choose a file or folder to upload"}
	causeBothTarget     = cause{ReasonBothDestinations, "", "choose a destination folder path or a parent folder id, not both"}
	causeChecksumFolder = cause{ReasonChecksumFolder, "", "an expected SHA-256 names one file, not a folder — give the checksum with the file itself"}
	causeSymlink        = cause{ReasonSymlink, "", "symbolic link — not followed; add the target itself"}
	causeJunction       = cause{ReasonJunction, "", "junction (a link to another folder) — not followed; add the target itself"}
	causeEmptyDir       = cause{ReasonEmptyFolder, "", "folder is empty"}
	causeGoneFromFolder = cause{ReasonFileMissing, "", "this file is no longer in its folder (deleted or moved away after the folder was listed), so no upload of it is recorded; the folder's list of links is whole without it"}
	causeOwnData        = cause{ReasonOwnData, "", "dStor Uploader's own data folder (its upload history and queue) — not uploaded: its files change while dStor Uploader runs and list every file you uploaded; to keep a copy, quit dStor Uploader and upload a copy of the folder"}
)

// causeFilledSinceListed is a folder found empty, listed again, that
// holds an entry when said (folderWalk.addEmptyDirs), worded as `verify
// DIR` words one.
var causeFilledSinceListed = cause{ReasonFilledSinceListed, "", MsgFilledSinceListed + ": what it holds was not uploaded — upload the folder again"}

// signInCauseLocked is what jobs waiting for sign-in say: that a renewed
// token named another account, when one did, else that the session
// expired.
func (q *Queue) signInCauseLocked() cause {
	var changed *api.AccountChangedError
	if errors.As(q.signInErr, &changed) {
		return cause{ReasonAccountChanged, "", "waiting for sign-in: " + changed.Error()}
	}
	return causeSignIn
}

// msgChanged is the English of a file that changed during its upload.
const msgChanged = "the file changed while it was being uploaded"

// causeChanged is a file that changed during every one of its attempts.
func causeChanged(attempts int) cause {
	return cause{ReasonChanged, "", fmt.Sprintf("%s, every time it was tried (%d attempts) — wait until nothing writes to it, then retry", msgChanged, attempts)}
}

// causeFileGone is a file named on its own that is not at its path (err:
// what opening it said), whether its add found it gone or its upload's
// turn did: either way a failed row whose Retry sends the file once it
// is back.
func causeFileGone(err error) cause {
	return cause{ReasonFileMissing, "", api.Human(err) + "; put it back, then retry it"}
}

// causeOfFailed is causeOf(err) for a file named on its own that fails,
// whose Retry sends it once it can be: one whose path now goes through a
// file says to put it back, then retry it, as a gone file does
// (causeFileGone), its code kept.
func causeOfFailed(err error) cause {
	c := causeOf(err)
	if c.code == ReasonFileRefused && c.arg == string(api.ProblemNotExist) {
		c.text = strings.Replace(c.text, api.AddAgainAdvice, api.RetryOrAddAgainAdvice, 1)
	}
	return c
}

// causeThroughFile is causeOfFailed(err) for the file at path named on
// its own whose add finds its path going through a file, which no path
// that led to it did (a file's name typed as a folder's): it says so, and
// to check the path, its code kept. ok is false for any other err.
func causeThroughFile(path string, err error) (c cause, ok bool) {
	c = causeOf(err)
	if c.code != ReasonFileRefused || c.arg != string(api.ProblemNotExist) {
		return c, false
	}
	c.text = api.ThroughFileSentence(path)
	return c, true
}

// causeAlready is a file already uploaded at at.
func causeAlready(at time.Time) cause {
	return cause{ReasonAlready, at.UTC().Format(time.RFC3339), alreadyText(at)}
}

// causeNotRegular is an entry that is not a regular file, of type t.
func causeNotRegular(t fs.FileMode) cause {
	code, kind := ReasonSpecialFile, "a special file"
	switch {
	case t&fs.ModeNamedPipe != 0:
		code, kind = ReasonPipe, "a named pipe"
	case t&fs.ModeSocket != 0:
		code, kind = ReasonSocket, "a socket"
	case t&fs.ModeDevice != 0, t&fs.ModeCharDevice != 0:
		code, kind = ReasonDevice, "a device"
	}
	return cause{code, "", "this is " + kind + ", not a regular file — only regular files are uploaded"}
}

// causeTooDeep is a folder of a folder added whole (root: the added one
// itself) whose folder path on dStor would be length bytes, more than
// api.MaxFolderPathLen: it is skipped with everything in it.
func causeTooDeep(root bool, length int) cause {
	n, most := strconv.Itoa(length), strconv.Itoa(api.MaxFolderPathLen)
	if root {
		return cause{ReasonDestinationTooLong, n, "with the destination folder path, this folder's path on dStor would be " + n +
			" bytes, more than the " + most + " dStor allows, so nothing in it was uploaded — choose a shorter destination folder path"}
	}
	return cause{ReasonFolderTooDeep, n, "on dStor this folder's path would be " + n + " bytes, more than the " + most +
		" dStor allows, so it was skipped with everything in it — give it or the folders above it shorter names, " +
		"choose a shorter destination folder path, or add it by itself"}
}

// causeUnreadable is an entry met during a walk that could not be read
// (a folder when isDir).
func causeUnreadable(isDir bool, err error) cause {
	what, denied, unreadable := "file", ReasonFileDenied, ReasonFileUnreadable
	if isDir {
		what, denied, unreadable = "folder", ReasonFolderDenied, ReasonFolderUnreadable
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		return cause{denied, "", "cannot read this " + what + ": permission denied"}
	case api.Gone(err):
		return cause{ReasonVanished, "", "this " + what + " disappeared while the folder was being listed"}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	if errors.Is(err, syscall.ENAMETOOLONG) {
		// Nested deeper than PATH_MAX (4,096 bytes on Linux) lets a path
		// be; the window words it from the code and the system's error.
		return cause{unreadable, err.Error(), "cannot read this " + what + ": its path is longer than the system allows — move it to a folder with a shorter path, then add it again"}
	}
	return cause{unreadable, err.Error(), "cannot read this " + what + ": " + err.Error()}
}
