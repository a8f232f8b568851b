package worker

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/stretchr/testify/assert"
)

// TestReasonOfClassifiesErrors: each error an upload or a file check ends
// with gets the code (and detail) the window words, whatever wraps it.
func TestReasonOfClassifiesErrors(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("upload x: %w", err) }
	cases := []struct {
		name string
		err  error
		code ReasonCode
		arg  string
	}{
		{"refused", &api.Error{Kind: api.KindUnauthorized, Status: 401}, ReasonRefusedSignIn, ""},
		{"forbidden", &api.Error{Kind: api.KindUnauthorized, Status: 403}, ReasonRefusedAccess, ""},
		{"expired", &api.Error{Kind: api.KindTokenExpired}, ReasonTokenExpired, ""},
		{"too large", &api.Error{Kind: api.KindTooLarge, Message: "max 5 GB"}, ReasonTooLarge, "max 5 GB"},
		{"rate", wrap(&api.Error{Kind: api.KindRateLimited, Message: "slow"}), ReasonRateLimited, "slow"},
		{"server", &api.Error{Kind: api.KindServer}, ReasonServerTrouble, ""},
		{"timeout", &api.Error{Kind: api.KindTimeout}, ReasonTimeout, ""},
		{"unreachable", &api.Error{Kind: api.KindUnreachable, Host: "h:1", Err: syscall.ECONNREFUSED}, ReasonUnreachable, "h:1"},
		{"tls", &api.Error{Kind: api.KindUnreachable, Host: "h:1", Err: tls.AlertError(42)}, ReasonSecureFailed, "h:1"},
		{"broke", &api.Error{Kind: api.KindUnreachable, Host: "h:1", Err: syscall.ECONNRESET}, ReasonConnectionBroke, "h:1"},
		{"redirect", &api.Error{Kind: api.KindMalformed, Status: 302}, ReasonRedirected, ""},
		{"malformed", &api.Error{Kind: api.KindMalformed, Status: 200}, ReasonMalformed, ""},
		{"404", &api.Error{Kind: api.KindBadRequest, Status: 404}, ReasonNoSuchAddress, ""},
		{"400", &api.Error{Kind: api.KindBadRequest, Status: 400, Message: "bad folder"}, ReasonUploadRefused, "bad folder"},
		{"mismatch", wrap(&api.Error{Kind: api.KindHashMismatch, Err: &api.HashMismatchError{Local: "QmL", Remote: "QmR"}}), ReasonHashMismatch, "QmR QmL"},
		{"unverifiable", &api.Error{Kind: api.KindUnverifiable}, ReasonUnverifiable, ""},
		{"clock", &api.Error{Kind: api.KindClock, Err: &api.ClockError{Local: time.Now()}}, ReasonClock, ""},
		{"fresh token", &api.Error{Kind: api.KindFreshToken, Status: 401, Message: "jwt expired", Err: &api.FreshTokenError{Refused: true, Local: time.Now()}}, ReasonFreshToken, ""},
		{"canceled", &api.Error{Kind: api.KindCanceled}, ReasonCanceled, ""},
		{"not listed", fmt.Errorf("%w: moved", api.ErrNotListedFile), ReasonNotListed, ""},
		{"changed", wrap(api.ErrFileChanged), ReasonChanged, ""},
		{"missing", &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrNotExist}, ReasonFileMissing, ""},
		{"denied", &fs.PathError{Op: "open", Path: "/x", Err: fs.ErrPermission}, ReasonFileDenied, ""},
		{"io", &fs.PathError{Op: "read", Path: "/x", Err: syscall.EIO}, ReasonFileUnreadable, syscall.EIO.Error()},
		{"folder path", api.ValidateFolderPath("no-slash"), ReasonBadFolderPath, ""},
		{"comment", api.ValidateComment("two\nlines"), ReasonBadComment, ""},
		{"parent", api.ValidateParentID(-1), ReasonBadParentID, ""},
		{"other", errors.New("something new"), ReasonOther, "something new"},
		{"file unreadable", &api.ValidationError{Field: "file", Problem: api.ProblemUnreadable, Detail: "input/output error"}, ReasonFileUnreadable, "input/output error"},
		{"file locked", wrap(&api.ValidationError{Field: "file", Problem: api.ProblemLocked}), ReasonFileRefused, "locked"},
		{"reserved name", &api.ValidationError{Field: "file", Problem: api.ProblemReservedName, Detail: "nul.txt"}, ReasonFileRefused, "reserved-name nul.txt"},
		{"pipe", &api.ValidationError{Field: "file", Problem: api.ProblemNotRegular, Detail: api.KindPipe}, ReasonPipe, ""},
		{"special", &api.ValidationError{Field: "file", Problem: api.ProblemNotRegular, Detail: "door"}, ReasonSpecialFile, ""},
		{"file without problem", &api.ValidationError{Field: "file", Message: "odd"}, ReasonOther, "odd"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, arg := reasonOf(c.err)
			assert.Equal(t, c.code, code)
			assert.Equal(t, c.arg, arg)
			assert.Contains(t, ReasonCodes, code, "listed in ReasonCodes")
		})
	}
}

// TestCausesSetCodeAndSentence: a cause writes its code, detail and
// English sentence into the row together, and none clears all three.
func TestCausesSetCodeAndSentence(t *testing.T) {
	at := time.Date(2026, 5, 20, 14, 3, 0, 0, time.UTC)
	var row storage.JobRow
	causeAlready(at).set(&row)
	assert.Equal(t, string(ReasonAlready), row.Reason)
	assert.Equal(t, "2026-05-20T14:03:00Z", row.ReasonArg)
	got, ok := AlreadyUploadedAt(row.Error)
	assert.True(t, ok && got.Equal(at.Truncate(time.Minute)), "the CLI's sentence still says when: %q", row.Error)

	causeUnreadable(true, &fs.PathError{Err: fs.ErrPermission}).set(&row)
	assert.Equal(t, string(ReasonFolderDenied), row.Reason)
	causeUnreadable(false, &fs.PathError{Err: syscall.EIO}).set(&row)
	assert.Equal(t, [2]string{string(ReasonFileUnreadable), syscall.EIO.Error()}, [2]string{row.Reason, row.ReasonArg})
	causeUnreadable(true, fs.ErrNotExist).set(&row)
	assert.Equal(t, string(ReasonVanished), row.Reason)
	causeNotRegular(fs.ModeNamedPipe).set(&row)
	assert.Equal(t, string(ReasonPipe), row.Reason)
	assert.Contains(t, row.Error, "named pipe")
	causeNotRegular(fs.ModeDevice | fs.ModeCharDevice).set(&row)
	assert.Equal(t, string(ReasonDevice), row.Reason)

	none.set(&row)
	assert.Equal(t, [3]string{}, [3]string{row.Reason, row.ReasonArg, row.Error})
}

// TestEveryListingReasonIsRefusedBeforeReading: the codes the worker lists
// under "Listing what was added", up to the already uploaded and unsaved
// jobs (which were read), are the ones whose failed rows show no size, so a
// new listing code cannot bring "0 bytes" back unnoticed.
func TestEveryListingReasonIsRefusedBeforeReading(t *testing.T) {
	listing := true
	for _, code := range ReasonCodes {
		if code == ReasonAlready {
			listing = false
		}
		assert.Equal(t, listing, code.RefusedBeforeReading(), code)
	}
}

// TestTimeoutReasonSaysWhichWaitRanOut: dStor not answering in time, its
// answer begun and then stopped, its answer still arriving when the
// upload's bound on it ran out, dStor taking no more of the file partway,
// and no answer once the whole file was sent are five different things
// to tell a person (the command line words each), so each gets its own
// code.
func TestTimeoutReasonSaysWhichWaitRanOut(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("upload x: %w", err) }
	causes := map[string]error{
		"no answer":       &api.Error{Kind: api.KindTimeout, Op: api.OpUpload},
		"answer stopped":  wrap(&api.Error{Kind: api.KindTimeout, Status: 200, Op: api.OpUpload, Err: api.ErrAnswerStopped}),
		"answer too long": wrap(&api.Error{Kind: api.KindTimeout, Status: 200, Op: api.OpUpload, Err: api.ErrAnswerTooLong}),
		"file stalled":    wrap(&api.Error{Kind: api.KindTimeout, Op: api.OpUpload, Err: fmt.Errorf("%w: write: i/o timeout", api.ErrSendStalled)}),
		"sent, no answer": &api.Error{Kind: api.KindTimeout, Op: api.OpUpload, Err: fmt.Errorf("%w: timeout awaiting response headers", api.ErrSentNoAnswer)},
	}
	seen := map[ReasonCode]string{}
	for name, err := range causes {
		code, arg := reasonOf(err)
		assert.Empty(t, arg, name)
		assert.Contains(t, ReasonCodes, code, "%s: listed in ReasonCodes", name)
		if other, ok := seen[code]; ok {
			t.Errorf("%s and %s both give %q", name, other, code)
		}
		seen[code] = name
	}
	assert.Equal(t, "no answer", seen[ReasonTimeout], "a wait that is neither keeps the code older rows have")
}
