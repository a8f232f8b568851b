package ui

import (
	"cmp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// jobReasonText says why a job failed, was skipped or is retried, in the
// window's language, from its reason code (worker.ReasonCode); a job saved
// before codes existed has only the worker's English sentence, shown as it
// is. A job tried more than once says how often, and one waiting long for
// its next attempt says when that is.
func jobReasonText(j worker.Job, now time.Time) string {
	if j.Reason == "" {
		if j.State == storage.JobAlready {
			return alreadyText(j.Err, now)
		}
		return sentence(j.Err)
	}
	s := reasonText(j.Reason, j.ReasonArg, now)
	if j.State == storage.JobSkipped {
		s = cmp.Or(skippedReasonText(j.Reason, j.ReasonArg), s)
	}
	if j.State == storage.JobFailed && j.Attempts > 1 {
		s += " " + trn("Tried {{.Count}} times.", j.Attempts)
	}
	if !j.RetryAt.IsZero() {
		s += " " + tr("Trying again at {{.Time}}.", map[string]any{"Time": j.RetryAt.Local().Format("15:04:05")})
	}
	return s
}

// skippedReasonText words a reason whose usual sentence says to try again
// (or try again later) when the job was skipped instead (a file in a
// folder added whole that could not be opened, or a folder that could not
// be listed), which Retry leaves alone: it says to add the folder again,
// which does work; a file gone from its folder, which no add sends, says
// so; "" for the others. (A name Windows keeps
// for a device is refused only for a file added by itself, which fails.)
func skippedReasonText(code worker.ReasonCode, arg string) string {
	switch code {
	case worker.ReasonFileMissing:
		// Gone from its folder before its upload (or while listed): the
		// folder's list is whole without it.
		return tr("This file is no longer in its folder: it was deleted or moved away after the folder was listed, so it was skipped. The folder's links do not count it as missing.")
	case worker.ReasonFileUnreadable:
		return skippedUnreadableText(arg)
	case worker.ReasonFolderUnreadable:
		return skippedFolderText(arg)
	}
	if code != worker.ReasonFileRefused {
		return ""
	}
	problem, _, _ := strings.Cut(arg, " ")
	switch api.Problem(problem) {
	case api.ProblemNotExist:
		return fileProblemText(api.ProblemNotExist, "") // no Retry: add it again
	case api.ProblemLocked:
		return tr("This file is open in another program that does not let others read it, so it was skipped. Close that program (or wait until it is done with the file), then add the folder again.")
	case api.ProblemOnlineOnly:
		return tr("This is an online-only file (OneDrive or another cloud service) that could not be downloaded, so it was skipped. Make it available on this computer (in Explorer: right-click it, Always keep on this device), or check that the service's app is running and online, then add the folder again.")
	case api.ProblemDriveNotReady:
		return tr("This file is on a drive that is not ready, so it was skipped. Insert the disk or reconnect the drive, then add the folder again.")
	case api.ProblemShareUnreachable:
		return tr("This file is on a network share that cannot be reached, so it was skipped. Check that the computer sharing it is on and that you are signed in to the share, then add the folder again.")
	case api.ProblemPathTooLong:
		if runtime.GOOS != "windows" {
			return tr("This file's path is longer than the system allows, so it was skipped. Move the folder to a place with a shorter path (or give the folders in it shorter names), then add the folder again.")
		}
		return tr("This file's path is longer than Windows allows here, so it was skipped. Move the folder to a place with a shorter path (or give the folders in it shorter names), then add the folder again.")
	}
	return ""
}

// skippedUnreadableText words a file skipped in a folder for a passing
// system reason (its sentence otherwise says "try again later", or names a
// drive or share that did not answer or was disconnected and no step), or "".
func skippedUnreadableText(arg string) string {
	switch knownSystemError(arg).errno {
	case syscall.EMFILE, syscall.ENFILE:
		return tr("This file could not be read because too many files were open at once, so it was skipped. Wait until fewer files are open (close other programs if need be), then add the folder again.")
	case syscall.EBUSY:
		return tr("This file could not be read because the device it is on was busy, so it was skipped. Wait until the device is free, then add the folder again.")
	case syscall.ETIMEDOUT:
		return tr("This file could not be read because the drive or network share it is on did not answer in time, so it was skipped. Check that the drive is connected or the share can be reached, then add the folder again.")
	case syscall.ENOTCONN:
		return tr("This file could not be read because the drive or network share it is on was disconnected, so it was skipped. Reconnect the drive or share, then add the folder again.")
	}
	return ""
}

// skippedFolderText words a folder that could not be listed for a passing
// system reason (its sentence otherwise says "try again later", or names a
// drive or share that did not answer or was disconnected and no step), or
// "". A folder is only ever skipped, and nothing lists it again. The walk
// keeps the system's text as the reason's argument: on Windows that text
// is Windows' own, for the Windows errors that amount to these.
func skippedFolderText(arg string) string {
	switch knownSystemError(arg).errno {
	case syscall.EMFILE, syscall.ENFILE:
		return tr("This folder could not be read because too many files were open at once, so it was skipped with everything in it. Wait until fewer files are open (close other programs if need be), then add the folder again.")
	case syscall.EBUSY:
		return tr("This folder could not be read because the device it is on was busy, so it was skipped with everything in it. Wait until the device is free, then add the folder again.")
	case syscall.ETIMEDOUT:
		return tr("This folder could not be read because the drive or network share it is on did not answer in time, so it was skipped with everything in it. Check that the drive is connected or the share can be reached, then add the folder again.")
	case syscall.ENOTCONN:
		return tr("This folder could not be read because the drive or network share it is on was disconnected, so it was skipped with everything in it. Reconnect the drive or share, then add the folder again.")
	}
	return ""
}

// reasonText words the reason code with its detail arg; an unknown code
// (from a newer version) says only that something went wrong.
func reasonText(code worker.ReasonCode, arg string, now time.Time) string {
	if s := requestReasonText(code); s != "" {
		return s
	}
	if s := fileReasonText(code, arg, now); s != "" {
		return s
	}
	if s := uploadReasonText(code, arg); s != "" {
		return s
	}
	return tr("Something went wrong with this file.")
}

// requestReasonText words what is wrong with an added file or folder's
// request itself (its path, destination, comment or checksum), or "" for
// another code.
func requestReasonText(code worker.ReasonCode) string {
	switch code {
	case worker.ReasonNoPath:
		return tr("Choose a file or folder to upload.")
	case worker.ReasonBothDestinations:
		return tr("Choose either a destination folder path or a parent folder id, not both.")
	case worker.ReasonBadFolderPath:
		return tr("The destination folder path cannot be used: it must start with /, stay on one line and contain no “..”.")
	case worker.ReasonBadComment:
		return tr("The comment cannot be sent: it must be one line of text, at most 1024 bytes.")
	case worker.ReasonBadChecksum:
		return tr("The expected SHA-256 is not a checksum: it has 64 hex digits (0–9, a–f).")
	case worker.ReasonBadParentID:
		return tr("The parent folder id must be 0 (the root folder) or a positive number.")
	case worker.ReasonBadName:
		return tr("The file name cannot be sent: it must be one line of text without control characters.")
	case worker.ReasonChecksumFolder:
		return tr("An expected SHA-256 belongs to one file, not a folder. Give the checksum with the file itself.")
	}
	return ""
}

// fileReasonText words the reasons found while listing what was added
// and checking the files, or "" for another code.
func fileReasonText(code worker.ReasonCode, arg string, now time.Time) string {
	switch code {
	case worker.ReasonSymlink:
		return tr("Symbolic link: not followed. Add the file or folder it points to instead.")
	case worker.ReasonJunction:
		return tr("Junction (a link to another folder): not followed. Add the folder it points to instead.")
	case worker.ReasonEmptyFolder:
		return tr("The folder is empty.")
	case worker.ReasonFilledSinceListed:
		return tr("This folder was empty when it was listed and is not now (or can no longer be read): what it holds was not uploaded. Add the folder again.")
	case worker.ReasonOwnData:
		return tr("dStor Uploader's own data folder (its upload history and queue): not uploaded. Its files change while dStor Uploader runs and list every file you uploaded. To keep a copy, quit dStor Uploader and upload a copy of the folder.")
	case worker.ReasonPipe:
		return tr("This is a named pipe, not a regular file. Only regular files are uploaded.")
	case worker.ReasonSocket:
		return tr("This is a socket, not a regular file. Only regular files are uploaded.")
	case worker.ReasonDevice:
		return tr("This is a device, not a regular file. Only regular files are uploaded.")
	case worker.ReasonSpecialFile:
		return tr("This is a special file, not a regular file. Only regular files are uploaded.")
	case worker.ReasonVanished:
		return tr("It disappeared while the folder was being listed.")
	case worker.ReasonFolderDenied:
		return tr("This folder cannot be read: permission denied.")
	case worker.ReasonFolderUnreadable:
		if knownSystemError(arg).errno == syscall.ENAMETOOLONG {
			return tr("This folder's path is longer than the system allows. Move it to a folder with a shorter path, then add it again.")
		}
		if why := systemErrorText(arg); why != "" {
			return tr("This folder cannot be read ({{.Why}}).", map[string]any{"Why": why})
		}
		return tr("This folder cannot be read.")
	case worker.ReasonFolderTooDeep:
		return tr("On dStor this folder's path would be {{.N}} bytes long, more than the {{.Max}} dStor allows, so it was skipped with everything in it. Give it or the folders above it shorter names, choose a shorter destination folder path, or add it by itself.",
			map[string]any{"N": arg, "Max": api.MaxFolderPathLen})
	case worker.ReasonDestinationTooLong:
		return tr("With the destination folder path, this folder's path on dStor would be {{.N}} bytes long, more than the {{.Max}} dStor allows, so nothing in it was uploaded. Choose a shorter destination folder path.",
			map[string]any{"N": arg, "Max": api.MaxFolderPathLen})
	case worker.ReasonFileMissing:
		return tr("The file is gone: it was moved or deleted. Put it back, then retry it, or add it again from where it is now.")
	case worker.ReasonFileDenied:
		return tr("This file cannot be read: permission denied.")
	case worker.ReasonFileUnreadable:
		return fileUnreadableText(arg)
	case worker.ReasonFileRefused:
		problem, detail, _ := strings.Cut(arg, " ")
		if api.Problem(problem) == api.ProblemNotExist {
			// Its path now goes through a file: failed as a gone file is,
			// and its Retry sends it once the path leads to it again.
			return fileReasonText(worker.ReasonFileMissing, "", now)
		}
		return fileProblemText(api.Problem(problem), detail)
	case worker.ReasonNotListed:
		return tr("The path now leads to a link or another file, not the one listed in the folder, so it was not uploaded. Add it again to upload what is there now.")
	case worker.ReasonAlready:
		at, err := time.Parse(time.RFC3339, arg)
		if err != nil {
			return tr("Already uploaded.")
		}
		return tr("Already uploaded ({{.When}})", map[string]any{"When": formatDate(at, now)})
	case worker.ReasonUnsaved:
		return tr("This file could not be saved to the upload queue. Retry it.")
	}
	return ""
}

// uploadReasonText words the reasons an upload failed or waits, or "" for
// another code.
func uploadReasonText(code worker.ReasonCode, arg string) string {
	switch code {
	case worker.ReasonSignIn:
		return tr("Waiting for sign-in: the session expired. Sign in again to continue.")
	case worker.ReasonAccountChanged:
		return tr("Waiting for sign-in: dStor renewed the sign-in for another account, so nothing was uploaded with it. Sign in again to continue.")
	case worker.ReasonPaused:
		return tr("Paused partway: dStor cannot resume an upload, so this file starts again from the beginning when you resume.")
	case worker.ReasonChangedRetry:
		return tr("The file changed while it was being uploaded: sending it again from the start.")
	case worker.ReasonChanged:
		return tr("The file changed while it was being uploaded. Wait until nothing is writing to it, then upload it again.")
	case worker.ReasonHashMismatch:
		if remote, local, ok := strings.Cut(arg, " "); ok {
			return tr("dStor stored the file under hash {{.Remote}}, but the file's own hash is {{.Local}}: it may have been damaged on the way. Upload it again.",
				map[string]any{"Remote": remote, "Local": local})
		}
		return tr("dStor stored the file under a different hash than the file's own: it may have been damaged on the way. Upload it again.")
	case worker.ReasonUnverifiable:
		return tr("dStor answered a hash that cannot be checked, so the upload does not count as done. Check the environment's upload URL, or upload the file again.")
	case worker.ReasonUnrecorded:
		return tr("Uploaded as {{.Hash}}; waiting to be recorded until the disk has room.", map[string]any{"Hash": arg})
	case worker.ReasonRecordFailed:
		return tr("Uploaded as {{.Hash}}, but it could not be recorded in the history. Retry to record it.", map[string]any{"Hash": arg})
	case worker.ReasonRecordLimit:
		return tr("Uploaded as {{.Hash}}, but it could not be recorded: the upload history has reached the largest file dStor Uploader may write here (its file size limit, ulimit -f), so retrying cannot record it while that limit holds. Start dStor Uploader again where that limit is larger or there is none (ulimit -f unlimited), then retry it.", map[string]any{"Hash": arg})
	case worker.ReasonHistoryGone:
		return tr("Uploaded as {{.Hash}}, but it cannot be recorded: the upload history was deleted, moved away or replaced while dStor Uploader was using it, so retrying cannot record it. Keep this hash and the links shown, and start dStor Uploader again.", map[string]any{"Hash": arg})
	case worker.ReasonRefusedSignIn:
		return tr("dStor refused the sign-in. Sign in again.")
	case worker.ReasonRefusedAccess:
		return tr("dStor refused access. Sign in again, or check that the folder belongs to this account.")
	case worker.ReasonTokenExpired:
		return tr("Your dStor sign-in has expired. Sign in again to get a new token.")
	case worker.ReasonTooLarge:
		return withDStorSaid(tr("The file is too large for dStor: the server refused it."), arg)
	case worker.ReasonRateLimited:
		return withDStorSaid(tr("dStor is busy (too many requests). Retrying later may work."), arg)
	case worker.ReasonServerTrouble:
		return withDStorSaid(tr("dStor is busy or having trouble. Retrying later may work."), arg)
	case worker.ReasonUploadRefused:
		return withDStorSaid(tr("dStor refused the upload request. Check the folder, parent id and comment."), arg)
	case worker.ReasonOther:
		// The engine could not classify the error: the sentence says so,
		// and shows the error's own text only as the system's message.
		if why := systemErrorText(arg); why != "" {
			return tr("The upload failed for an unknown reason ({{.Why}}).", map[string]any{"Why": why})
		}
		return tr("The upload failed for an unknown reason.")
	}
	return connectionReasonText(code, arg)
}

// connectionReasonText words the reasons a request to dStor went wrong
// on the way, or "" for another code.
func connectionReasonText(code worker.ReasonCode, host string) string {
	if host == "" {
		host = "dStor"
	}
	switch code {
	case worker.ReasonTimeout, worker.ReasonAnswerStopped, worker.ReasonAnswerTooLong,
		worker.ReasonSendStalled, worker.ReasonSentNoAnswer:
		return timeoutText(code)
	case worker.ReasonUnreachable:
		return tr("Cannot reach {{.Host}}. Check your connection.", map[string]any{"Host": host})
	case worker.ReasonSecureFailed:
		return tr("Cannot set up a secure connection to {{.Host}}. Check the address, and the computer's date and time.", map[string]any{"Host": host})
	case worker.ReasonConnectionBroke:
		return tr("The connection to {{.Host}} broke. Check your connection; retrying may work.", map[string]any{"Host": host})
	case worker.ReasonMalformed:
		return tr("dStor answered something this app cannot read. Check the environment's URLs, or try again later.")
	case worker.ReasonRedirected:
		return tr("dStor redirected the request elsewhere. Check the environment's URLs (redirects are not followed, so credentials stay on the configured host).")
	case worker.ReasonNoSuchAddress:
		return tr("dStor has no such address. Check the environment's URLs.")
	case worker.ReasonFreshToken:
		return tr("dStor refused a token it had just issued. Signing in again would not help: try again later, and tell dStor's support if it goes on.")
	case worker.ReasonClock:
		return tr("This computer's clock disagrees with dStor's. Set the date, time and time zone correctly (automatic time), then try again.")
	case worker.ReasonCanceled:
		return tr("The operation was canceled.")
	}
	return ""
}

// timeoutText words a request that timed out, by which wait ran out (its
// worker.TimeoutReason): one sentence for a job's row and for the error's
// dialog, saying as the command line does when dStor's answer began and
// then stopped, or was still arriving after api.AnswerTotalTimeout, when
// dStor took no more of the file partway, and when the whole file was
// sent but no answer came.
func timeoutText(code worker.ReasonCode) string {
	switch code {
	case worker.ReasonAnswerStopped:
		return tr("dStor began its answer, then stopped sending it, so the upload does not count as done. Check your connection; retrying may work.")
	case worker.ReasonAnswerTooLong:
		return trn("dStor's answer was still arriving after {{.Count}} minutes, far longer than any answer takes, so it was cut off and the upload does not count as done. Check your connection and any proxy in between; retrying may work.",
			int(api.AnswerTotalTimeout/time.Minute))
	case worker.ReasonSendStalled:
		return tr("dStor stopped taking the file partway and took no more of it in time. Check your connection; retrying may work.")
	case worker.ReasonSentNoAnswer:
		return tr("The whole file was sent, but dStor did not answer in time, so the upload does not count as done. Check your connection; retrying may work.")
	}
	return tr("dStor did not answer in time. Check your connection; retrying may work.")
}

// withDStorSaid is s followed by what dStor said, when it said something.
func withDStorSaid(s, said string) string {
	if said == "" {
		return s
	}
	return s + " " + tr("(dStor said: {{.Message}})", map[string]any{"Message": strconv.Quote(said)})
}
