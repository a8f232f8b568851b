package ui

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/internal/linkchain"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// errorText is err as a sentence in the window's language when the window
// can tell by its type what it is: dStor's answers (api.Error's kinds), a
// changed file, a wrong clock, the database's disk, file size limit,
// damage or lock, a database deleted, replaced or read-only, a queue lock
// another user owns, the queue's rows not read (worker.ErrQueueUnread). Any
// other error keeps the English sentence api.Human gives it, framed in the
// window's language as the program's own words. api,
// api/worker and storage write English (the command line's language) and
// know nothing of the catalogs; the window words the errors it knows itself.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	if s := translatedError(err); s != "" {
		return s
	}
	if s := localErrorText(err); s != "" {
		return s
	}
	// In English the sentence itself; in another language a frame that
	// says it is the program's English, so the person knows why.
	return trKey("error.other", "{{.Detail}}", map[string]any{"Detail": sentence(api.Human(err))})
}

// translatedError is the window's own sentence for err, or "" when it has
// none (api.Human's English then).
func translatedError(err error) string {
	var (
		ve      *api.ValidationError
		full    *storage.DiskFullError
		limit   *storage.FileSizeLimitError
		damaged *storage.DamagedError
		busy    *storage.BusyError
		gone    *storage.ReplacedError
		ro      *storage.ReadOnlyError
		notMine *storage.LockNotYoursError
		lockers *filelock.NotYoursError
		hm      *api.HashMismatchError
		ce      *api.ClockError
		fe      *api.FreshTokenError
		changed *api.AccountChangedError
		ae      *api.Error
	)
	switch {
	case errors.As(err, &ve):
		return validationText(ve)
	case errors.Is(err, storage.ErrKeyringTimeout):
		return tr("The system keyring did not answer in time. Try again, or restart the app.")
	case errors.As(err, &full):
		return diskFullText(full)
	case errors.As(err, &limit):
		return tr("The upload history {{.Path}} cannot grow: {{.File}} has reached {{.Limit}}, the largest file dStor Uploader may write here (its file size limit, ulimit -f). Start dStor Uploader again where that limit is larger or there is none (ulimit -f unlimited).",
			map[string]any{"Path": limit.Path, "File": limit.File, "Limit": formatSize(limit.Limit)})
	case errors.As(err, &damaged):
		return tr("The upload history {{.Path}} is damaged and cannot be read; it was left untouched. Quit dStor Uploader, move the file aside (for example rename it to {{.Name}}.damaged) and start again for a new, empty history, or first try to recover its rows with: sqlite3 {{.Path}} .recover > recovered.sql",
			map[string]any{"Path": damaged.Path, "Name": filepath.Base(damaged.Path)})
	case errors.As(err, &busy):
		return tr("Another program is using the upload history {{.Path}} and keeps it locked. Close it (an SQLite browser, a backup or sync tool, a stuck copy of dStor Uploader), then try again.",
			map[string]any{"Path": busy.Path})
	case errors.As(err, &gone):
		return replacedText(gone)
	case errors.As(err, &ro):
		return readOnlyText(ro)
	case errors.As(err, &notMine):
		return tr("The upload queue's lock cannot be taken: {{.What}} belongs to the user {{.Owner}} (left by a run under sudo?). Make it yours again ({{.Command}}), then try again.",
			map[string]any{"What": notMine.What, "Owner": notMine.Owner, "Command": notMine.ChownCommand()})
	case errors.As(err, &lockers): // the upgrade lock, or its folder
		return tr("A lock file of dStor Uploader cannot be taken: {{.What}} belongs to the user {{.Owner}} (left by a run under sudo?). Make it yours again ({{.Command}}), then try again.",
			map[string]any{"What": lockers.What, "Owner": lockers.Owner, "Command": lockers.ChownCommand()})
	case errors.Is(err, storage.ErrQueueInUse):
		return tr("Another dStor Uploader (the window or a command-line upload) is already running this account's upload queue. Let it finish or close it, then try again.")
	case errors.As(err, &hm):
		return tr("dStor stored the file under hash {{.Remote}}, but the file's own hash is {{.Local}}: it may have been damaged on the way. Upload it again.",
			map[string]any{"Remote": hm.Remote, "Local": hm.Local})
	case errors.As(err, &ce):
		return clockText(ce)
	case errors.As(err, &fe):
		return freshTokenText(fe, err)
	case errors.As(err, &changed):
		return tr("dStor signed in to another account ({{.Renewed}}) than the one signed in before ({{.SignedIn}}), so nothing is uploaded with it. If that account is yours, sign in again with your password or key.",
			map[string]any{"Renewed": inert.Line(changed.Renewed), "SignedIn": inert.Line(changed.SignedIn)})
	case errors.As(err, &ae):
		return apiErrorText(ae)
	case errors.Is(err, api.ErrFileChanged):
		return tr("The file changed while it was being uploaded. Wait until nothing is writing to it, then upload it again.")
	case errors.Is(err, context.Canceled):
		return tr("The operation was canceled.")
	case errors.Is(err, context.DeadlineExceeded):
		return tr("It took too long. Check your connection and try again.")
	}
	return ""
}

// lockPathText words a lock's path where something else is than what
// belongs there (a folder, a socket or a device, or a link to no file for
// a lock file; a file, or a link to no folder, for the folder of lock
// files): which path, and to move it away.
func lockPathText(e *filelock.NotAFileError) string {
	data := map[string]any{"Path": e.Path}
	switch {
	case e.Folder && e.Found&fs.ModeSymlink != 0:
		return tr("{{.Path}} is a symbolic link where dStor Uploader keeps its folder of lock files, and it leads to no folder (to nothing, to a file, or round in a loop): a lock never makes a folder where a link points. Remove the link, or make the folder it points to, then try again.", data)
	case e.Found&fs.ModeSymlink != 0:
		return tr("{{.Path}} is a symbolic link where dStor Uploader keeps a lock file, and it points to no file of yours (to nothing, to a folder, or to another user's file): a lock never makes a file where a link points. Remove the link (what it points to is left as it is), then try again.", data)
	case e.Found.IsDir():
		return tr("{{.Path}} is a folder where dStor Uploader keeps a lock file. Move it away or rename it, then try again.", data)
	case e.Found&(fs.ModeSocket|fs.ModeDevice) != 0:
		return tr("{{.Path}} is a special file (a socket or a device) where dStor Uploader keeps a lock file. Move it away or rename it, then try again.", data)
	}
	return tr("{{.Path}} is a file where dStor Uploader keeps its folder of lock files. Move it away or rename it, then try again.", data)
}

// localErrorText words the errors of the window's own work (the files it
// reads and writes, the history, the queue, the remembered sign-ins), or
// "" for another error.
func localErrorText(err error) string {
	var (
		missing *session.MissingSecretError
		tooLong *storage.UpdateTooLongError
		inWay   *filelock.NotAFileError
		noDir   *linkchain.MissingFolderError
		moved   *folderChangedError
		pe      *fs.PathError
		le      *os.LinkError
	)
	switch {
	case errors.As(err, &missing):
		return missingSecretText(missing)
	case errors.Is(err, session.ErrNoPassword):
		return tr("Enter your password.")
	case errors.Is(err, worker.ErrSignInRequired):
		return tr("Your session has ended. Sign in again to continue the uploads waiting in the queue.")
	case errors.Is(err, worker.ErrClosed):
		return tr("The upload queue has closed: the account was signed out or the window is closing. Sign in again, then try again.")
	case errors.Is(err, worker.ErrQueueUnread): // after the history's own troubles (busy, damaged, replaced: translatedError)
		return tr("The upload queue could not be read just now, so nothing was changed. Try again in a moment.")
	case errors.Is(err, storage.ErrSchemaTooNew):
		return tr("The upload history was written by a newer version of dStor Uploader. Install that version (or a newer one) to use it.")
	case errors.Is(err, storage.ErrOlderVersionRunning):
		return tr("An older dStor Uploader is still using this data folder (a window or a command). Close it, then start this version again.")
	case errors.As(err, &tooLong):
		return tr("Another dStor Uploader has been updating the upload history in {{.Dir}} for a long time and is not done yet. Let it finish (or close it), then start dStor Uploader again.",
			map[string]any{"Dir": inert.Line(tooLong.Dir)})
	case errors.Is(err, storage.ErrNotFound):
		return tr("It is no longer there: another window or a command-line run may have removed it. Look again.")
	case errors.As(err, &inWay):
		return lockPathText(inWay)
	case errors.As(err, &noDir):
		return tr("{{.Link}} is a symbolic link to {{.Target}}, in a folder that is not there ({{.Folder}}). Make that folder, or save under another name or in another folder.",
			map[string]any{"Link": inert.Line(noDir.Link), "Target": inert.Line(noDir.Target), "Folder": inert.Line(noDir.Folder())})
	case errors.As(err, &moved):
		return tr("The folder {{.Dir}} was moved or replaced while the file was being saved in it, so nothing was saved. Try again.",
			map[string]any{"Dir": inert.Line(moved.Dir)})
	case errors.As(err, &pe):
		return pathErrorText(pe.Path, pe.Err)
	case errors.As(err, &le):
		return pathErrorText(le.New, le.Err)
	}
	return ""
}

// missingSecretText says which remembered sign-in the keyring does not
// hold, or that it expired: not "no longer" nor "expired" of one it never
// held (a keyring that refused it, or never answered its write).
func missingSecretText(e *session.MissingSecretError) string {
	data := map[string]any{"Account": e.Account.Account}
	switch {
	case e.Kind == storage.SecretAPIKey:
		return tr("The keyring does not hold the API key of {{.Account}}. Sign in with the key again.", data)
	case e.Expired:
		return tr("The sign-in of {{.Account}} has expired and no password is remembered. Sign in again.", data)
	}
	return tr("The keyring does not hold the sign-in of {{.Account}}. Sign in again.", data)
}

// pathErrorText says that the file or folder at path could not be used,
// and why, in the window's language when the system's reason is one it
// words itself.
func pathErrorText(path string, err error) string {
	data := map[string]any{"Path": inert.Line(path)}
	if why := systemErrorText(err.Error()); why != "" {
		data["Why"] = why
		return tr("Cannot use {{.Path}} ({{.Why}}).", data)
	}
	return tr("Cannot use {{.Path}}.", data)
}

// apiErrorText words a failed dStor request by its kind, with what dStor
// said, if anything; "" for the kinds whose English sentence carries
// details only api knows (an unverifiable hash).
func apiErrorText(e *api.Error) string {
	s := apiKindText(e)
	if s == "" {
		return ""
	}
	if e.RetryAfter > 0 && (e.Kind == api.KindRateLimited || e.Kind == api.KindServer) {
		s += " " + tr("dStor asked to wait {{.S}} s.", map[string]any{"S": int(e.RetryAfter.Round(time.Second).Seconds())})
	}
	if e.Message != "" && e.Kind != api.KindHashMismatch {
		s += " " + tr("(dStor said: {{.Message}})", map[string]any{"Message": strconv.Quote(e.Message)})
	}
	return s
}

// apiKindText is the sentence of e's kind (api's sentences, worded for
// the window).
func apiKindText(e *api.Error) string {
	host := e.Host
	if host == "" {
		host = "dStor"
	}
	switch e.Kind {
	case api.KindUnauthorized:
		return unauthorizedText(e)
	case api.KindTokenExpired:
		return tr("Your dStor sign-in has expired. Sign in again to get a new token.")
	case api.KindTooLarge:
		return tr("The file is too large for dStor: the server refused it.")
	case api.KindRateLimited:
		return tr("dStor is busy (too many requests). Retrying later may work.")
	case api.KindServer:
		return tr("dStor is busy or having trouble. Retrying later may work.")
	case api.KindTimeout:
		return timeoutText(worker.TimeoutReason(e))
	case api.KindUnreachable:
		switch {
		case e.SecureConnectionFailed():
			return tr("Cannot set up a secure connection to {{.Host}}. Check the address, and the computer's date and time.", map[string]any{"Host": host})
		case e.ConnectionBroke():
			return tr("The connection to {{.Host}} broke. Check your connection; retrying may work.", map[string]any{"Host": host})
		}
		return tr("Cannot reach {{.Host}}. Check your connection.", map[string]any{"Host": host})
	case api.KindMalformed:
		if e.Status >= 300 && e.Status < 400 {
			return tr("dStor redirected the request elsewhere. Check the environment's URLs (redirects are not followed, so credentials stay on the configured host).")
		}
		return tr("dStor answered something this app cannot read. Check the environment's URLs, or try again later.")
	case api.KindBadRequest:
		switch {
		case e.Status == 404:
			return tr("dStor has no such address. Check the environment's URLs.")
		case e.Op == api.OpUpload:
			return tr("dStor refused the upload request. Check the folder, parent id and comment.")
		}
		return tr("dStor refused the request. Check what was entered.")
	case api.KindHashMismatch:
		return "" // its cause, a *HashMismatchError, has both hashes
	case api.KindClock:
		return tr("This computer's clock disagrees with dStor's. Set the date, time and time zone correctly (automatic time), then try again.")
	case api.KindFreshToken:
		return tr("dStor refused a token it had just issued. Signing in again would not help: try again later, and tell dStor's support if it goes on.")
	case api.KindCanceled:
		return tr("The operation was canceled.")
	}
	return ""
}

// unauthorizedText says which credential dStor refused.
func unauthorizedText(e *api.Error) string {
	switch {
	case e.Op == api.OpAPIKey:
		return tr("dStor rejected the API key. Check it, or create a new one if it expired or was revoked.")
	case e.Op == api.OpLogin:
		return tr("dStor rejected the email or password. Check them and sign in again.")
	case e.Status == 403:
		return tr("dStor refused access. Sign in again, or check that the folder belongs to this account.")
	}
	return tr("dStor refused the sign-in. Sign in again.")
}

// clockText names both clocks and the token's end, as api's sentence does.
func clockText(ce *api.ClockError) string {
	const layout = "2006-01-02 15:04:05 MST"
	data := map[string]any{"Local": ce.Local.UTC().Format(layout), "Expires": ce.Expires.UTC().Format(layout)}
	if ce.Server.IsZero() {
		return tr("This computer's clock says {{.Local}}, so the token dStor issued (valid until {{.Expires}}) cannot be used. Set this computer's date, time and time zone correctly (automatic time), then try again.", data)
	}
	data["Server"] = ce.Server.UTC().Format(layout)
	return tr("This computer's clock says {{.Local}} and dStor's says {{.Server}}, so the token dStor issued (valid until {{.Expires}}) cannot be used. Set this computer's date, time and time zone correctly (automatic time), then try again.", data)
}

// freshTokenText says that dStor refused (or issued expired) a token it
// had just issued, with the times, as api's sentence does: the clock is
// named only as something to check when dStor did not say its time. err
// holds fe, and dStor's message when it said one.
func freshTokenText(fe *api.FreshTokenError, err error) string {
	const layout = "2006-01-02 15:04:05 MST"
	data := map[string]any{"Local": fe.Local.UTC().Format(layout), "Expires": fe.Expires.UTC().Format(layout)}
	var s string
	switch {
	case fe.Server.IsZero():
		s = tr("dStor refused as expired a token it issued moments ago (valid until {{.Expires}}). dStor did not say its time, so check that this computer's date and time are right (it says {{.Local}}); if they are, try again later, and tell dStor's support if it goes on.", data)
	case fe.Refused:
		s = tr("dStor refused as expired a token it issued moments ago (valid until {{.Expires}}), although dStor's clock and this computer's agree ({{.Local}}). The clock is not the cause and signing in again would not help: try again later, and tell dStor's support if it goes on.", data)
	default:
		s = tr("dStor issued a token already past its expiry (valid until {{.Expires}}), although dStor's clock and this computer's agree ({{.Local}}). The clock is not the cause and signing in again would not help: try again later, and tell dStor's support if it goes on.", data)
	}
	var ae *api.Error
	if errors.As(err, &ae) && ae.Message != "" {
		s += " " + tr("(dStor said: {{.Message}})", map[string]any{"Message": strconv.Quote(ae.Message)})
	}
	return s
}

// diskFullText names the full disk and the space to free: for the
// folder of temporary files, some space there or another folder.
func diskFullText(e *storage.DiskFullError) string {
	if e.TempVar != "" {
		return tr("The disk holding {{.Dir}}, the folder for temporary files, is full ({{.Free}} free). Free some space there, or set {{.Var}} to a folder on a disk with room before starting dStor Uploader, then try again.",
			map[string]any{"Dir": e.Dir, "Free": formatSize(max(e.Free, 0)), "Var": e.TempVar})
	}
	data := map[string]any{"Dir": e.Dir, "Need": formatSize(e.Need)}
	if e.Free < 0 {
		return tr("The disk holding {{.Dir}} is full. Free at least {{.Need}} there, then try again.", data)
	}
	data["Free"] = formatSize(e.Free)
	return tr("The disk holding {{.Dir}} is full ({{.Free}} free). Free at least {{.Need}} there, then try again.", data)
}

// replacedText says that the history file was deleted or moved away, or
// replaced by another file, or its journal (-wal) deleted or replaced,
// while the window used it: nothing more can be recorded, so the links
// shown are to be kept and the app started again (trying again cannot
// work: every later write fails).
func replacedText(e *storage.ReplacedError) string {
	data := map[string]any{"Path": e.Path, "Journal": e.JournalFile()}
	if e.Journal {
		return tr("The journal of the upload history {{.Path}} ({{.Journal}}) was deleted or replaced by another program while dStor Uploader was using it, so nothing more can be recorded in it. Keep the links already shown, start dStor Uploader again (the history keeps what was recorded before) and find what deleted the file (a cleanup or sync tool).", data)
	}
	if e.Deleted {
		return tr("The upload history {{.Path}} was deleted or moved away while dStor Uploader was using it, so nothing more can be recorded in it. Keep the links already shown, start dStor Uploader again (it makes a new, empty history there) and find what deleted or moved the file (a cleanup or sync tool).", data)
	}
	return tr("The upload history {{.Path}} was replaced by another file (a backup restored, a sync tool) while dStor Uploader was using it, so nothing more can be recorded in it, and what was recorded since it was opened may be missing from the file there now. Keep the links already shown and start dStor Uploader again, which then uses the file there now.", data)
}

// readOnlyText names what of the history cannot be written (the file, its
// -wal or -shm file, its folder, or a disk mounted read-only) and what to
// do: for a part another user owns, the command that takes it back.
func readOnlyText(e *storage.ReadOnlyError) string {
	data := map[string]any{"Path": e.Path, "Name": filepath.Base(e.Path)}
	if dir, ok := strings.CutPrefix(e.What, "the disk holding "); ok {
		data["Dir"] = dir
		return tr("The upload history {{.Path}} cannot be written: the disk holding {{.Dir}} is mounted read-only. Choose a data folder on another disk (or mount that disk writable again), then try again.", data)
	}
	if e.Owner != "" {
		data["What"], data["Owner"], data["Command"] = e.What, e.Owner, e.ChownCommand()
		return tr("The upload history {{.Path}} cannot be written: {{.What}} belongs to the user {{.Owner}} (left by a run under sudo?). Make it yours again ({{.Command}}), then try again.", data)
	}
	if e.What == "" {
		return tr("The upload history {{.Path}} cannot be written: it, its {{.Name}}-wal or -shm file, or its folder is read-only. Make it writable again (chmod u+w, or chattr -i for a file made immutable; on Windows clear its Read-only attribute), then try again.", data)
	}
	data["What"] = e.What
	return tr("The upload history {{.Path}} cannot be written: {{.What}} is read-only. Make it writable again (chmod u+w, or chattr -i for a file made immutable; on Windows clear its Read-only attribute), then try again.", data)
}

// systemErrorText words an error the system gave for a file, a folder or
// the keyring (its text, as Go writes it: "input/output error"; on Windows
// the system's own message): a phrase in the window's language for the
// errors a person can understand and act on, else the system's own words,
// marked as such; "" when msg is blank, for the sentence without a detail.
// On Windows the system's words are already in its language.
func systemErrorText(msg string) string {
	msg = strings.TrimSpace(msg)
	if msg == "" {
		return "" // nothing said: the sentence goes without it, never "()"
	}
	if why := knownSystemError(msg).text(); why != "" {
		return why
	}
	return tr("the system says: “{{.Message}}”", map[string]any{"Message": inert.Line(msg)})
}

// fileUnreadableText says a file cannot be read, and why when the
// system's error msg says something.
func fileUnreadableText(msg string) string {
	if why := systemErrorText(msg); why != "" {
		return tr("This file cannot be read ({{.Why}}).", map[string]any{"Why": why})
	}
	return tr("This file cannot be read.")
}

// systemErrors are the Unix errors systemErrorText words itself; on
// Windows, platformErrnos say which Windows errors amount to one of them.
var systemErrors = []struct {
	errno syscall.Errno
	text  func() string
}{
	{syscall.EACCES, func() string { return tr("you do not have permission") }},
	{syscall.EPERM, func() string { return tr("the system does not allow it") }},
	{syscall.ENOENT, func() string { return tr("it is not there (any more)") }},
	{syscall.EROFS, func() string { return tr("the disk it is on is read-only") }},
	{syscall.ENOSPC, func() string { return tr("the disk is full") }},
	{syscall.EEXIST, func() string { return tr("something of that name is already there") }},
	{syscall.EISDIR, func() string { return tr("it is a folder") }},
	{syscall.EIO, func() string { return tr("the disk reported an error reading or writing; it may be failing") }},
	{syscall.ENAMETOOLONG, func() string { return tr("its name or path is too long for the system") }},
	{syscall.ELOOP, func() string { return tr("its path goes round a loop of symbolic links") }},
	{syscall.EMFILE, func() string { return tr("too many files are open at once; try again later") }},
	{syscall.ENFILE, func() string { return tr("too many files are open at once; try again later") }},
	{syscall.ESTALE, func() string { return tr("the network share no longer knows it; add it again") }},
	{syscall.ENOTCONN, func() string { return tr("the drive or share it is on is disconnected") }},
	{syscall.ENXIO, func() string { return tr("the device it is on is not there") }},
	{syscall.ENODEV, func() string { return tr("the device it is on is not there") }},
	{syscall.ETIMEDOUT, func() string { return tr("the drive or share it is on did not answer in time") }},
	{syscall.EBUSY, func() string { return tr("the device it is on is busy; try again later") }},
	{syscall.ENOTDIR, func() string { return tr("a folder in its path is no longer a folder") }},
}

// errnoAlias is a system error (errno) that amounts to one of the Unix
// errors the window words (like).
type errnoAlias struct {
	errno, like syscall.Errno
}

// systemError is what a system error the window words is: a Unix error
// (errno; on Windows also a Windows error that amounts to it), or a
// problem api names a local file's system error by (problem: on Windows a
// file another program has open, a drive not ready, …, api.FileErrnos),
// with the Unix error it amounts to if one does; zero for another error.
type systemError struct {
	errno   syscall.Errno
	problem api.Problem
}

// problemErrnos are the Unix errors that the problems api names a system
// error by amount to, for the sentences that go by a Unix error (a folder
// skipped for a drive or share gone says to reconnect it, one too deep to
// move it).
var problemErrnos = map[api.Problem]syscall.Errno{
	api.ProblemPathTooLong:      syscall.ENAMETOOLONG,
	api.ProblemShareUnreachable: syscall.ENOTCONN,
	api.ProblemDriveNotReady:    syscall.ENOTCONN,
}

// knownSystemError is what the system error whose text is msg is (the
// walk and the checks keep only an error's text).
func knownSystemError(msg string) systemError {
	return systemErrorsByText()[strings.TrimSpace(msg)]
}

// systemErrorsByText maps the text of each system error the window words
// to what it is. It is made once: on Windows each text is the system's
// message, a call to FormatMessage.
var systemErrorsByText = sync.OnceValue(func() map[string]systemError {
	m := map[string]systemError{}
	add := func(errno syscall.Errno, e systemError) {
		if text := strings.TrimSpace(errno.Error()); m[text] == (systemError{}) {
			m[text] = e
		}
	}
	for _, fe := range api.FileErrnos() {
		add(fe.Errno, systemError{errno: problemErrnos[fe.Problem], problem: fe.Problem})
	}
	for _, a := range platformErrnos {
		add(a.errno, systemError{errno: a.like})
	}
	for _, e := range systemErrors {
		add(e.errno, systemError{errno: e.errno})
	}
	return m
})

// text is e as a phrase in the window's language, "" for an error the
// window does not word.
func (e systemError) text() string {
	if e.problem != "" {
		return fileProblemPhrase(e.problem)
	}
	for _, u := range systemErrors {
		if u.errno == e.errno {
			return u.text()
		}
	}
	return ""
}

// fileProblemPhrase words a problem api names a system error by
// (api.FileErrnos) as the reason of a sentence ("Cannot use … (…)."), or
// "".
func fileProblemPhrase(p api.Problem) string {
	switch p {
	case api.ProblemLocked:
		return tr("another program has it open; close that program, then try again")
	case api.ProblemOnlineOnly:
		return tr("it is an online-only file that could not be downloaded; make it available on this computer")
	case api.ProblemDriveNotReady:
		return tr("the drive it is on is not ready; insert the disk or reconnect the drive")
	case api.ProblemShareUnreachable:
		return tr("the network share it is on cannot be reached")
	case api.ProblemPathTooLong:
		return tr("its name or path is too long for the system")
	case api.ProblemInvalidPath:
		return tr("it is not a valid Windows name: a name cannot contain < > : \" | ? * or end with a dot or a space")
	case api.ProblemCannotAccess:
		return tr("it is a link or special file of a kind Windows cannot read here (a symbolic link made in WSL, say); add the file it leads to instead")
	}
	return ""
}

// apiKeyText says what is wrong with an API key that api.ValidateAPIKey
// refuses, in the window's language (api decides what a key may hold).
func apiKeyText(key string) string {
	switch {
	case key == "":
		return tr("Enter your dStor API key (64 characters, shown once when the key was created).")
	case !api.ValidAPIKeyChars(key):
		if strings.IndexFunc(key, unicode.IsSpace) >= 0 {
			return tr("The API key contains a space or a line break. Paste it again without extra characters.")
		}
		return tr("The API key may contain only letters A–Z and a–z, digits 0–9, '-' and '_'. Paste it again exactly as dStor showed it.")
	}
	return tr("The API key must be exactly {{.Of}} characters long, but this one has {{.N}}. Copy the whole key again.",
		map[string]any{"Of": api.APIKeyLength, "N": len(key)})
}
