package ui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// typedErrors are errors the window words itself, each with its English
// sentence.
var typedErrors = []struct {
	name string
	err  error
	want string
}{
	{"API key refused", fmt.Errorf("sign in: %w", &api.Error{Kind: api.KindUnauthorized, Op: api.OpAPIKey, Status: 401}),
		"dStor rejected the API key. Check it, or create a new one if it expired or was revoked."},
	{"password refused", &api.Error{Kind: api.KindUnauthorized, Op: api.OpLogin, Status: 401},
		"dStor rejected the email or password. Check them and sign in again."},
	{"access refused", &api.Error{Kind: api.KindUnauthorized, Op: api.OpUpload, Status: 403},
		"dStor refused access. Sign in again, or check that the folder belongs to this account."},
	{"unreachable", &api.Error{Kind: api.KindUnreachable, Host: "api.example", Err: errors.New("connection refused")},
		"Cannot reach api.example. Check your connection."},
	{"no answer in time", &api.Error{Kind: api.KindTimeout, Op: api.OpUpload},
		"dStor did not answer in time. Check your connection; retrying may work."},
	{"answer began, then stopped", fmt.Errorf("upload x: %w", &api.Error{Kind: api.KindTimeout, Status: 200, Op: api.OpUpload, Err: api.ErrAnswerStopped}),
		"dStor began its answer, then stopped sending it, so the upload does not count as done. Check your connection; retrying may work."},
	{"answer still arriving at its bound", &api.Error{Kind: api.KindTimeout, Status: 200, Op: api.OpUpload, Err: api.ErrAnswerTooLong},
		"dStor's answer was still arriving after 30 minutes, far longer than any answer takes, so it was cut off and the upload does not count as done. Check your connection and any proxy in between; retrying may work."},
	{"file stalled partway", fmt.Errorf("upload x: %w", &api.Error{Kind: api.KindTimeout, Op: api.OpUpload, Err: fmt.Errorf("%w: write: i/o timeout", api.ErrSendStalled)}),
		"dStor stopped taking the file partway and took no more of it in time. Check your connection; retrying may work."},
	{"whole file sent, no answer", &api.Error{Kind: api.KindTimeout, Op: api.OpUpload, Err: fmt.Errorf("%w: timeout awaiting response headers", api.ErrSentNoAnswer)},
		"The whole file was sent, but dStor did not answer in time, so the upload does not count as done. Check your connection; retrying may work."},
	{"busy, with what dStor said", &api.Error{Kind: api.KindRateLimited, Status: 429, RetryAfter: 30 * time.Second, Message: "slow down"},
		`dStor is busy (too many requests). Retrying later may work. dStor asked to wait 30 s. (dStor said: "slow down")`},
	{"no such address", &api.Error{Kind: api.KindBadRequest, Status: 404},
		"dStor has no such address. Check the environment's URLs."},
	{"hash mismatch", &api.Error{Kind: api.KindHashMismatch, Err: &api.HashMismatchError{Local: "QmLocal", Remote: "QmRemote"}},
		"dStor stored the file under hash QmRemote, but the file's own hash is QmLocal: it may have been damaged on the way. Upload it again."},
	{"file changed", fmt.Errorf("upload: %w", api.ErrFileChanged),
		"The file changed while it was being uploaded. Wait until nothing is writing to it, then upload it again."},
	{"disk full", &storage.DiskFullError{Dir: "/data", Free: -1, Need: 64_000_000},
		"The disk holding /data is full. Free at least " + formatSize(64_000_000) + " there, then try again."},
	{"temporary folder full", &storage.DiskFullError{Dir: "/tmp", Free: 200_000, TempVar: "TMPDIR"},
		"The disk holding /tmp, the folder for temporary files, is full (" + formatSize(200_000) + " free). Free some space there, or set TMPDIR to a folder on a disk with room before starting dStor Uploader, then try again."},
	{"database locked", fmt.Errorf("open: %w", &storage.BusyError{Path: "/data/uploads.db"}),
		"Another program is using the upload history /data/uploads.db and keeps it locked. Close it (an SQLite browser, a backup or sync tool, a stuck copy of dStor Uploader), then try again."},
	{"fresh token refused, the clocks agree", &api.Error{Kind: api.KindFreshToken, Status: 401, Message: "jwt expired",
		Err: &api.FreshTokenError{Refused: true, Local: time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC), Server: time.Date(2026, 5, 1, 14, 0, 1, 0, time.UTC), Expires: time.Date(2026, 5, 1, 15, 0, 0, 0, time.UTC)}},
		`dStor refused as expired a token it issued moments ago (valid until 2026-05-01 15:00:00 UTC), although dStor's clock and this computer's agree (2026-05-01 14:00:00 UTC). The clock is not the cause and signing in again would not help: try again later, and tell dStor's support if it goes on. (dStor said: "jwt expired")`},
	{"fresh token refused, dStor's time unknown", &api.FreshTokenError{Refused: true, Local: time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC), Expires: time.Date(2026, 5, 1, 15, 0, 0, 0, time.UTC)},
		"dStor refused as expired a token it issued moments ago (valid until 2026-05-01 15:00:00 UTC). dStor did not say its time, so check that this computer's date and time are right (it says 2026-05-01 14:00:00 UTC); if they are, try again later, and tell dStor's support if it goes on."},
	{"token issued expired, the clocks agree", &api.Error{Kind: api.KindFreshToken, Op: api.OpLogin,
		Err: &api.FreshTokenError{Local: time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC), Server: time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC), Expires: time.Date(2026, 5, 1, 13, 0, 0, 0, time.UTC)}},
		"dStor issued a token already past its expiry (valid until 2026-05-01 13:00:00 UTC), although dStor's clock and this computer's agree (2026-05-01 14:00:00 UTC). The clock is not the cause and signing in again would not help: try again later, and tell dStor's support if it goes on."},
	{"another account", fmt.Errorf("sign in: %w", &api.AccountChangedError{SignedIn: "acct-1", Renewed: "acct-2"}),
		"dStor signed in to another account (acct-2) than the one signed in before (acct-1), so nothing is uploaded with it. If that account is yours, sign in again with your password or key."},
	{"database deleted", fmt.Errorf("finish job: %w", &storage.ReplacedError{Path: "/data/uploads.db", Deleted: true}),
		"The upload history /data/uploads.db was deleted or moved away while dStor Uploader was using it, so nothing more can be recorded in it. Keep the links already shown, start dStor Uploader again (it makes a new, empty history there) and find what deleted or moved the file (a cleanup or sync tool)."},
	{"database replaced", &storage.ReplacedError{Path: "/data/uploads.db"},
		"The upload history /data/uploads.db was replaced by another file (a backup restored, a sync tool) while dStor Uploader was using it, so nothing more can be recorded in it, and what was recorded since it was opened may be missing from the file there now. Keep the links already shown and start dStor Uploader again, which then uses the file there now."},
	{"database journal deleted", fmt.Errorf("finish job: %w", &storage.ReplacedError{Path: "/data/uploads.db", Journal: true}),
		"The journal of the upload history /data/uploads.db (/data/uploads.db-wal) was deleted or replaced by another program while dStor Uploader was using it, so nothing more can be recorded in it. Keep the links already shown, start dStor Uploader again (the history keeps what was recorded before) and find what deleted the file (a cleanup or sync tool)."},
	{"database journal index (-shm) deleted", fmt.Errorf("finish job: %w", &storage.ReplacedError{Path: "/data/uploads.db", Journal: true, SharedMemory: true}),
		"The journal of the upload history /data/uploads.db (/data/uploads.db-shm) was deleted or replaced by another program while dStor Uploader was using it, so nothing more can be recorded in it. Keep the links already shown, start dStor Uploader again (the history keeps what was recorded before) and find what deleted the file (a cleanup or sync tool)."},
	{"database read-only", fmt.Errorf("save: %w", &storage.ReadOnlyError{Path: "/data/uploads.db", What: "/data/uploads.db-wal"}),
		"The upload history /data/uploads.db cannot be written: /data/uploads.db-wal is read-only. Make it writable again (chmod u+w, or chattr -i for a file made immutable; on Windows clear its Read-only attribute), then try again."},
	{"database on a read-only disk", &storage.ReadOnlyError{Path: "/mnt/d/uploads.db", What: "the disk holding /mnt/d"},
		"The upload history /mnt/d/uploads.db cannot be written: the disk holding /mnt/d is mounted read-only. Choose a data folder on another disk (or mount that disk writable again), then try again."},
	{"database left to root", &storage.ReadOnlyError{Path: "/data/uploads.db", What: "/data/uploads.db-shm", Owner: "root"},
		"The upload history /data/uploads.db cannot be written: /data/uploads.db-shm belongs to the user root (left by a run under sudo?). Make it yours again (sudo chown $USER /data/uploads.db-shm), then try again."},
	{"database folder left to root", &storage.ReadOnlyError{Path: "/data/my uploads/uploads.db", What: "/data/my uploads", Owner: "root"},
		"The upload history /data/my uploads/uploads.db cannot be written: /data/my uploads belongs to the user root (left by a run under sudo?). Make it yours again (sudo chown -R $USER '/data/my uploads'), then try again."},
	{"database read-only, the part unknown", &storage.ReadOnlyError{Path: "/data/uploads.db"},
		"The upload history /data/uploads.db cannot be written: it, its uploads.db-wal or -shm file, or its folder is read-only. Make it writable again (chmod u+w, or chattr -i for a file made immutable; on Windows clear its Read-only attribute), then try again."},
	{"queue lock folder left to root", fmt.Errorf("worker: %w", &storage.LockNotYoursError{What: "/data/my locks", Folder: true, Owner: "root"}),
		"The upload queue's lock cannot be taken: /data/my locks belongs to the user root (left by a run under sudo?). Make it yours again (sudo chown -R $USER '/data/my locks'), then try again."},
	{"queue lock file left to root", &storage.LockNotYoursError{What: "/data/locks/ab.lock", Owner: "root"},
		"The upload queue's lock cannot be taken: /data/locks/ab.lock belongs to the user root (left by a run under sudo?). Make it yours again (sudo chown $USER /data/locks/ab.lock), then try again."},
	{"upgrade lock left to root", fmt.Errorf("take the upgrade lock: %w", &filelock.NotYoursError{What: "/data/upgrade.lock", Owner: "root",
		Err: &fs.PathError{Op: "open", Path: "/data/upgrade.lock", Err: fs.ErrPermission}}),
		"A lock file of dStor Uploader cannot be taken: /data/upgrade.lock belongs to the user root (left by a run under sudo?). Make it yours again (sudo chown $USER /data/upgrade.lock), then try again."},
	{"lock file a folder", fmt.Errorf("take the upgrade lock: %w", &filelock.NotAFileError{Path: "/data/upgrade.lock", Found: fs.ModeDir}),
		"/data/upgrade.lock is a folder where dStor Uploader keeps a lock file. Move it away or rename it, then try again."},
	{"lock file a link to nothing", &filelock.NotAFileError{Path: "/data/window.lock", Found: fs.ModeSymlink},
		"/data/window.lock is a symbolic link where dStor Uploader keeps a lock file, and it points to no file of yours (to nothing, to a folder, or to another user's file): a lock never makes a file where a link points. Remove the link (what it points to is left as it is), then try again."},
	{"lock file a socket", fmt.Errorf("take the upgrade lock: %w", &filelock.NotAFileError{Path: "/data/upgrade.lock", Found: fs.ModeSocket}),
		"/data/upgrade.lock is a special file (a socket or a device) where dStor Uploader keeps a lock file. Move it away or rename it, then try again."},
	{"locks folder a file", &filelock.NotAFileError{Path: "/data/locks"},
		"/data/locks is a file where dStor Uploader keeps its folder of lock files. Move it away or rename it, then try again."},
	{"queue in use", fmt.Errorf("open the queue: %w", storage.ErrQueueInUse),
		"Another dStor Uploader (the window or a command-line upload) is already running this account's upload queue. Let it finish or close it, then try again."},
}

// TestErrorTextWordsTypedErrors: the errors the window can tell apart get
// its own sentences, in its language; others keep api.Human's English.
func TestErrorTextWordsTypedErrors(t *testing.T) {
	for _, c := range typedErrors {
		assert.Equal(t, c.want, errorText(c.err), c.name)
	}
	assert.Equal(t, "Enter your email address.", errorText(api.ValidateEmail("")), "the validators' own sentences")
	assert.Equal(t, "Something odd.", errorText(errors.New("something odd")))
	assert.Equal(t, "", errorText(nil))

	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	for _, c := range typedErrors {
		de := errorText(c.err)
		assert.NotEqual(t, c.want, de, c.name)
		assert.NotContains(t, de, "Check", "%s: %q", c.name, de)
	}
	assert.Contains(t, errorText(typedErrors[3].err), "api.example", "data stays as it is")
	assert.Equal(t, "Der Upload-Verlauf /data/uploads.db wurde gelöscht oder verschoben, während dStor Uploader ihn benutzte; daher kann nichts mehr darin eingetragen werden. Bewahren Sie die bereits angezeigten Links auf, starten Sie dStor Uploader neu (er legt dort einen neuen, leeren Verlauf an) und finden Sie heraus, was die Datei gelöscht oder verschoben hat (ein Aufräum- oder Synchronisierungsprogramm).",
		errorText(&storage.ReplacedError{Path: "/data/uploads.db", Deleted: true}), "a deleted history in German: keep the links, start again")
	assert.Contains(t, errorText(&storage.ReadOnlyError{Path: "/data/uploads.db", What: "/data"}), "/data ist schreibgeschützt", "the read-only part named")
}

// TestAPIKeyAndEmailText: each way a key can be refused has the window's
// sentence; an email address's empty field too.
func TestAPIKeyAndEmailText(t *testing.T) {
	for key, want := range map[string]string{
		"": "Enter your dStor API key (64 characters, shown once when the key was created).",
		strings.Repeat("a", 10) + " " + strings.Repeat("b", 53): "The API key contains a space or a line break. Paste it again without extra characters.",
		strings.Repeat("é", 64):                                 "The API key may contain only letters A–Z and a–z, digits 0–9, '-' and '_'. Paste it again exactly as dStor showed it.",
		strings.Repeat("a", 63):                                 "The API key must be exactly 64 characters long, but this one has 63. Copy the whole key again.",
	} {
		require.Error(t, api.ValidateAPIKey(key), "%q", key)
		assert.Equal(t, want, apiKeyText(key))
	}
	assert.Equal(t, "Enter your email address.", errorText(api.ValidateEmail("")))
	assert.Equal(t, "The email address must not contain spaces or control characters. Check for a stray space.",
		errorText(api.ValidateEmail("a b@example.com")))
}

// windowErrors are errors of the window's own work that reach its dialogs
// and sign-in form, each with its English sentence.
var windowErrors = []struct {
	name string
	err  error
	want string
}{
	{"export to a folder without permission", fmt.Errorf("export: %w", &fs.PathError{Op: "open", Path: "/srv/out.csv", Err: syscall.EACCES}),
		"Cannot use /srv/out.csv (you do not have permission)."},
	{"a rename onto a read-only disk", &os.LinkError{Op: "rename", Old: "/m/.x.tmp", New: "/m/x.png", Err: syscall.EROFS},
		"Cannot use /m/x.png (the disk it is on is read-only)."},
	{"a path error the window does not word", &fs.PathError{Op: "open", Path: "/x", Err: errors.New("weird")},
		"Cannot use /x (the system says: “weird”)."},
	{"entry deleted elsewhere", fmt.Errorf("delete entry 7: %w", storage.ErrNotFound),
		"It is no longer there: another window or a command-line run may have removed it. Look again."},
	{"history from a newer version", fmt.Errorf("open: %w", storage.ErrSchemaTooNew),
		"The upload history was written by a newer version of dStor Uploader. Install that version (or a newer one) to use it."},
	{"an older version still uses the data folder", &storage.OlderVersionRunningError{Dir: "/h/d", Lock: "/h/d/window.lock", Have: 19},
		"An older dStor Uploader is still using this data folder (a window or a command). Close it, then start this version again."},
	{"remembered key not in the keyring (gone, or never kept)", &session.MissingSecretError{Account: storage.RememberedAccount{Account: "ann@example.com"}, Kind: storage.SecretAPIKey},
		"The keyring does not hold the API key of ann@example.com. Sign in with the key again."},
	{"remembered sign-in expired, no password", &session.MissingSecretError{Account: storage.RememberedAccount{Account: "ann@example.com"}, Kind: storage.SecretPassword, Expired: true},
		"The sign-in of ann@example.com has expired and no password is remembered. Sign in again."},
	{"remembered sign-in not in the keyring (gone, or never kept)", &session.MissingSecretError{Account: storage.RememberedAccount{Account: "ann@example.com"}, Kind: storage.SecretPassword},
		"The keyring does not hold the sign-in of ann@example.com. Sign in again."},
	{"no password", fmt.Errorf("sign in: %w", session.ErrNoPassword), "Enter your password."},
	{"session ended", fmt.Errorf("add: %w", worker.ErrSignInRequired),
		"Your session has ended. Sign in again to continue the uploads waiting in the queue."},
	{"queue closed", fmt.Errorf("add: %w", worker.ErrClosed),
		"The upload queue has closed: the account was signed out or the window is closing. Sign in again, then try again."},
	{"a job's row not read for a control", fmt.Errorf("retry: %w", &worker.QueueUnreadError{What: "read the job to change", Err: errors.New("SQL logic error: no such table: jobs")}),
		"The upload queue could not be read just now, so nothing was changed. Try again in a moment."},
	{"a job's row not read, the history locked", &worker.QueueUnreadError{What: "read the job to change", Err: &storage.BusyError{Path: "/h/d/history.db", Err: errors.New("database is locked")}},
		"Another program is using the upload history /h/d/history.db and keeps it locked. Close it (an SQLite browser, a backup or sync tool, a stuck copy of dStor Uploader), then try again."},
	{"anything else", errors.New("the keyring's service crashed"), "The keyring's service crashed."},
}

// TestErrorTextWordsWindowErrors: the errors of the window's own work read
// in its language, the system's reasons it knows too; what it cannot word
// still reaches a German reader in a German frame that says the words are
// the program's English.
func TestErrorTextWordsWindowErrors(t *testing.T) {
	english := map[string]string{}
	for _, c := range windowErrors {
		english[c.name] = errorText(c.err)
		assert.Equal(t, c.want, english[c.name], c.name)
	}

	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	for _, c := range windowErrors {
		de := errorText(c.err)
		assert.NotEqual(t, english[c.name], de, c.name)
		for _, w := range []string{"Cannot", "Sign in", "permission", "read-only", "newer version", "no longer"} {
			assert.NotContains(t, de, w, "%s: %q", c.name, de)
		}
	}
	de := errorText(windowErrors[len(windowErrors)-1].err)
	assert.Contains(t, de, "The keyring's service crashed.", "the program's words kept whole")
	assert.Contains(t, de, "Englisch", "and said to be English")
	assert.Contains(t, errorText(windowErrors[0].err), "/srv/out.csv", "data stays as it is")
}

// TestLocksFolderALinkToNoFolderIsWorded: a symbolic link where the folder
// of lock files belongs that leads to no folder (a drive not plugged in)
// is named in the window's language as a link, with what to do, not as
// the system's "mkdir …/locks: file exists".
func TestLocksFolderALinkToNoFolderIsWorded(t *testing.T) {
	dir := t.TempDir()
	locks := filepath.Join(dir, "locks")
	testfs.SymlinkOrSkip(t, filepath.Join(dir, "unplugged", "locks"), locks)
	inWay := filelock.NotAFolder(locks)
	require.NotNil(t, inWay, "a link to no folder is no folder of lock files")
	requireSaidInEveryLanguage(t, fmt.Errorf("create the lock directory: %w", inWay),
		locks+" is a symbolic link where dStor Uploader keeps its folder of lock files, and it leads to no folder (to nothing, to a file, or round in a loop): "+
			"a lock never makes a folder where a link points. Remove the link, or make the folder it points to, then try again.", locks)
}
