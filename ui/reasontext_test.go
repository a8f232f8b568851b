package ui

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// reasonArgs are details for the codes whose wording shows one.
var reasonArgs = map[worker.ReasonCode]string{
	worker.ReasonAlready:            "2026-05-20T14:03:00Z",
	worker.ReasonHashMismatch:       "QmRemote QmLocal",
	worker.ReasonUnreachable:        "api.example",
	worker.ReasonFileUnreadable:     "input/output error",
	worker.ReasonFolderUnreadable:   "input/output error",
	worker.ReasonUnrecorded:         "QmHash",
	worker.ReasonHistoryGone:        "QmHash",
	worker.ReasonRecordLimit:        "QmHash",
	worker.ReasonFileRefused:        "locked",
	worker.ReasonOther:              "something new",
	worker.ReasonFolderTooDeep:      "1261",
	worker.ReasonDestinationTooLong: "1025",
}

// TestEveryReasonCodeIsWorded: each reason code the worker stores has its
// own sentence, and a German window shows it in German: a new code
// without a wording, or a wording without a translation, fails.
func TestEveryReasonCodeIsWorded(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	now := fixedNow
	words := func() map[worker.ReasonCode]string {
		out := map[worker.ReasonCode]string{}
		for _, code := range worker.ReasonCodes {
			out[code] = reasonText(code, reasonArgs[code], now)
		}
		return out
	}
	t.Setenv("LANGUAGE", "en")
	require.NoError(t, useLanguage(""))
	en := words()
	unknown := reasonText("from-a-newer-version", "", now)
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	de := words()
	require.NotEqual(t, unknown, reasonText("from-a-newer-version", "", now), "the catalogs are German now")
	for _, code := range worker.ReasonCodes {
		assert.NotEqual(t, unknown, en[code], "%s has no wording of its own", code)
		assert.NotEqual(t, en[code], de[code], "%s is not translated: %q", code, de[code])
		assert.NotEmpty(t, de[code], code)
	}
	assert.Contains(t, de[worker.ReasonUnreachable], "api.example", "the host stays as it is")
	assert.Contains(t, de[worker.ReasonHashMismatch], "QmRemote")
	assert.Contains(t, de[worker.ReasonHistoryGone], "QmHash")
	assert.NotContains(t, en[worker.ReasonHistoryGone], "Retry to", "a history deleted or replaced: no retry can record it")
	assert.Contains(t, en[worker.ReasonHistoryGone], "start dStor Uploader again")
	assert.Contains(t, de[worker.ReasonAlready], "Bereits hochgeladen")
	assert.Equal(t, "Der Upload ist aus einem unbekannten Grund fehlgeschlagen (Meldung des Systems: „structure needs cleaning“).",
		reasonText(worker.ReasonOther, systemWords, now), "an error the engine could not classify: its text only as the system's")
	// A history at the file size limit (ulimit -f): no retry can record
	// it while the limit holds, so the limit is lifted first.
	for _, lang := range []string{"en", "de", "fr", "es", "pt_BR", "ru"} {
		t.Setenv("LANGUAGE", lang) // as above: useLanguage(tag) under t.Setenv would outlive the test
		require.NoError(t, useLanguage(""))
		said := reasonText(worker.ReasonRecordLimit, "QmHash", now)
		assert.Contains(t, said, "QmHash", lang)
		assert.Contains(t, said, "ulimit -f unlimited", "%s: what lifts the limit", lang)
		assert.NotEqual(t, reasonText(worker.ReasonRecordFailed, "QmHash", now), said, lang)
	}
	assert.Equal(t, "Uploaded as QmHash, but it could not be recorded: the upload history has reached the largest file dStor Uploader may write here (its file size limit, ulimit -f), so retrying cannot record it while that limit holds. Start dStor Uploader again where that limit is larger or there is none (ulimit -f unlimited), then retry it.",
		en[worker.ReasonRecordLimit])
}

// TestJobReasonTextInTheWindowsLanguage: a failed job shows its reason in
// German with how often it was tried and, while it waits, when it tries
// again; a row saved before codes existed still shows its English
// sentence (and an already uploaded one its date).
func TestJobReasonTextInTheWindowsLanguage(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	failed := worker.Job{State: storage.JobFailed, Attempts: 3, Err: "cannot reach h — check your connection (gave up after 3 attempts)",
		Reason: worker.ReasonUnreachable, ReasonArg: "h"}
	assert.Equal(t, "h ist nicht erreichbar. Prüfen Sie Ihre Verbindung. 3-mal versucht.", jobReasonText(failed, fixedNow))

	retry := worker.Job{State: storage.JobQueued, Attempts: 1, Err: "dStor is busy", Reason: worker.ReasonServerTrouble,
		RetryAt: time.Date(2026, 5, 20, 14, 3, 4, 0, time.Local)}
	assert.Equal(t, "dStor ist ausgelastet oder hat Probleme. Ein späterer Versuch könnte klappen. Neuer Versuch um 14:03:04.", jobReasonText(retry, fixedNow))

	old := worker.Job{State: storage.JobSkipped, Err: "folder is empty"}
	assert.Equal(t, "Folder is empty.", jobReasonText(old, fixedNow), "an old row keeps its sentence")
	oldAlready := worker.Job{State: storage.JobAlready, Err: "already uploaded on 20 May 2026 at 14:03"}
	assert.Contains(t, jobReasonText(oldAlready, fixedNow), "Bereits hochgeladen (")
}

// TestPathTooLongSaysWhatToDo: a folder nested deeper than the system lets
// a path be, and a file whose path is that long, say so and what to do, in
// the window's language: move it to a shorter path. Off Windows the
// sentence names the system, not Windows.
func TestPathTooLongSaysWhatToDo(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	t.Setenv("LANGUAGE", "de")
	require.NoError(t, useLanguage(""))
	assert.Equal(t, "Der Pfad dieses Ordners ist länger, als das System erlaubt. Verschieben Sie ihn in einen Ordner mit kürzerem Pfad und fügen Sie ihn dann erneut hinzu.",
		reasonText(worker.ReasonFolderUnreadable, syscall.ENAMETOOLONG.Error(), fixedNow))
	want := "Der Pfad der Datei ist länger, als das System erlaubt. Verschieben Sie sie in einen Ordner mit kürzerem Pfad und versuchen Sie es dann erneut."
	if runtime.GOOS == "windows" {
		want = "Der Pfad der Datei ist länger, als Windows hier erlaubt. Verschieben Sie sie in einen Ordner mit kürzerem Pfad und versuchen Sie es dann erneut."
	}
	assert.Equal(t, want, reasonText(worker.ReasonFileRefused, string(api.ProblemPathTooLong), fixedNow))
	assert.Equal(t, want, errorText(&api.ValidationError{Field: "file", Problem: api.ProblemPathTooLong}))
}

// TestFolderTooDeepForDStorSaysWhatToDo: a folder of a folder added
// whole whose path on dStor would be longer than dStor takes, or the
// added folder itself with the destination typed, is one skipped row
// saying how long that path would be, the most dStor takes and what to
// do, in every language: not "the destination folder path cannot be
// used", which names what nobody typed.
func TestFolderTooDeepForDStorSaysWhatToDo(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	english := map[worker.ReasonCode]string{}
	for _, lang := range []string{"en", "de", "fr", "es", "pt_BR", "ru"} {
		t.Setenv("LANGUAGE", lang)
		require.NoError(t, useLanguage(""))
		for _, code := range []worker.ReasonCode{worker.ReasonFolderTooDeep, worker.ReasonDestinationTooLong} {
			said := jobReasonText(worker.Job{State: storage.JobSkipped, Reason: code, ReasonArg: reasonArgs[code]}, fixedNow)
			assert.Contains(t, said, reasonArgs[code], "%s %s: how long it would be", lang, code)
			assert.Contains(t, said, "1024", "%s %s: the most dStor takes", lang, code)
			if lang == "en" {
				english[code] = said
			} else {
				assert.NotEqual(t, english[code], said, "%s %s is translated", lang, code)
			}
		}
	}
	assert.Equal(t, "On dStor this folder's path would be 1261 bytes long, more than the 1024 dStor allows, so it was skipped with everything in it. "+
		"Give it or the folders above it shorter names, choose a shorter destination folder path, or add it by itself.", english[worker.ReasonFolderTooDeep])
	assert.Equal(t, "With the destination folder path, this folder's path on dStor would be 1025 bytes long, more than the 1024 dStor allows, "+
		"so nothing in it was uploaded. Choose a shorter destination folder path.", english[worker.ReasonDestinationTooLong])
}

// TestFileSkippedInAFolderSaysAddTheFolderAgain: a file in a folder added
// whole that cannot be opened is skipped, and Retry leaves skipped jobs
// alone; the sentences of the problems that can be fixed (a file another
// program holds without sharing, an online-only file not downloaded, a
// drive not ready, a network share out of reach, a path too long) said
// "then try again", and those of a passing system reason (too many files
// open, a busy device) "try again later", which did nothing, and those of
// a drive or share that did not answer or was disconnected no step at all. A skipped one
// now says what works, adding the folder again, in every language; the
// same file added by itself fails and can be retried, and keeps its
// sentence.
func TestFileSkippedInAFolderSaysAddTheFolderAgain(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	type why struct {
		code worker.ReasonCode
		arg  string
	}
	cases := map[string]why{"too many open files": {worker.ReasonFileUnreadable, syscall.EMFILE.Error()},
		"too many open files in system": {worker.ReasonFileUnreadable, syscall.ENFILE.Error()},
		"device busy":                   {worker.ReasonFileUnreadable, syscall.EBUSY.Error()},
		"share did not answer":          {worker.ReasonFileUnreadable, syscall.ETIMEDOUT.Error()},
		"share disconnected":            {worker.ReasonFileUnreadable, syscall.ENOTCONN.Error()}}
	for _, p := range []api.Problem{api.ProblemLocked, api.ProblemOnlineOnly, api.ProblemDriveNotReady,
		api.ProblemShareUnreachable, api.ProblemPathTooLong} {
		cases[string(p)] = why{worker.ReasonFileRefused, string(p)}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			job := func(state storage.JobState) worker.Job {
				return worker.Job{State: state, Reason: c.code, ReasonArg: c.arg,
					Err: "C:\\data\\file.bin cannot be read — then try again"}
			}
			seen := map[string]bool{}
			for _, lang := range []string{"en", "de", "fr", "es", "pt_BR", "ru"} {
				t.Setenv("LANGUAGE", lang)
				require.NoError(t, useLanguage(""))
				skipped, failed := jobReasonText(job(storage.JobSkipped), fixedNow), jobReasonText(job(storage.JobFailed), fixedNow)
				assert.Equal(t, reasonText(c.code, c.arg, fixedNow), failed, "%s: a file added by itself keeps its sentence", lang)
				assert.NotEqual(t, failed, skipped, "%s: a skipped file cannot be retried: its sentence says another thing to do", lang)
				assert.False(t, seen[skipped], "%s: %q is another language's", lang, skipped)
				seen[skipped] = true
				if lang == "en" {
					assert.Contains(t, skipped, "so it was skipped")
					assert.Contains(t, skipped, "add the folder again")
					assert.NotContains(t, skipped, "try again")
				}
			}
		})
	}
}

// TestFolderSkippedForAPassingReasonSaysAddTheFolderAgain: a folder (the
// one added, or one in it) that could not be listed is skipped with
// everything in it, and nothing lists it again: Retry and Retry all leave
// skipped jobs alone. Its sentence for a passing system reason, too many
// files open or a busy device, was "This folder cannot be read (…; try
// again later).", which did nothing; for a drive or network share that did
// not answer in time or was disconnected it named the cause and no step.
// It now says what works, adding the folder again, in every language.
func TestFolderSkippedForAPassingReasonSaysAddTheFolderAgain(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	for name, errno := range map[string]syscall.Errno{"too many open files": syscall.EMFILE,
		"too many open files in system": syscall.ENFILE, "device busy": syscall.EBUSY,
		"share did not answer": syscall.ETIMEDOUT, "share disconnected": syscall.ENOTCONN} {
		t.Run(name, func(t *testing.T) {
			job := worker.Job{State: storage.JobSkipped, Reason: worker.ReasonFolderUnreadable, ReasonArg: errno.Error(),
				Err: "cannot read this folder: " + errno.Error()}
			seen := map[string]bool{}
			for _, lang := range []string{"en", "de", "fr", "es", "pt_BR", "ru"} {
				t.Setenv("LANGUAGE", lang)
				require.NoError(t, useLanguage(""))
				skipped := jobReasonText(job, fixedNow)
				assert.NotEqual(t, reasonText(job.Reason, job.ReasonArg, fixedNow), skipped, "%s: a skipped folder is not listed again: its sentence says what to do", lang)
				assert.False(t, seen[skipped], "%s: %q is another language's", lang, skipped)
				seen[skipped] = true
				if lang == "en" {
					assert.Contains(t, skipped, "This folder could not be read")
					assert.Contains(t, skipped, "so it was skipped")
					assert.Contains(t, skipped, "add the folder again")
					assert.NotContains(t, skipped, "try again")
				}
			}
		})
	}
}

// TestFileGoneFromItsFolderSaysItWasSkipped: a folder's file deleted or
// moved out of the folder before its upload is skipped (the folder's list
// is whole without it, and Retry leaves it alone), so its row says that,
// in every language, not the failed file's "add it again from where it is
// now"; a file added by itself and gone fails, and keeps that sentence.
func TestFileGoneFromItsFolderSaysItWasSkipped(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	job := func(state storage.JobState) worker.Job {
		return worker.Job{State: state, Reason: worker.ReasonFileMissing, Err: "this file is no longer in its folder"}
	}
	seen := map[string]bool{}
	for _, lang := range []string{"en", "de", "fr", "es", "pt_BR", "ru"} {
		t.Setenv("LANGUAGE", lang)
		require.NoError(t, useLanguage(""))
		skipped, failed := jobReasonText(job(storage.JobSkipped), fixedNow), jobReasonText(job(storage.JobFailed), fixedNow)
		assert.Equal(t, reasonText(worker.ReasonFileMissing, "", fixedNow), failed, "%s: a file added by itself keeps its sentence", lang)
		assert.NotEqual(t, failed, skipped, "%s: a skipped file is not added again: its sentence says so", lang)
		assert.False(t, seen[skipped], "%s: %q is another language's", lang, skipped)
		seen[skipped] = true
		if lang == "en" {
			assert.Contains(t, skipped, "no longer in its folder")
			assert.Contains(t, skipped, "so it was skipped")
			assert.NotContains(t, skipped, "Add it again")
		}
	}
}

// TestFailedFileGoneSaysPutItBackThenRetry: a file added by itself that is
// gone by its turn fails, and its row keeps Retry, which sends it once it
// is back: its sentence says so, in every language, as the command line's
// FAILED line does ("put it back, then retry it"), not only to add it
// again from where it is now.
func TestFailedFileGoneSaysPutItBackThenRetry(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	job := worker.Job{State: storage.JobFailed, Reason: worker.ReasonFileMissing,
		Err: "does not exist — it may have been moved or deleted; put it back, then retry it"}
	seen := map[string]bool{}
	for _, lang := range []string{"en", "de", "fr", "es", "pt_BR", "ru"} {
		t.Setenv("LANGUAGE", lang)
		require.NoError(t, useLanguage(""))
		failed := jobReasonText(job, fixedNow)
		assert.False(t, seen[failed], "%s: %q is another language's", lang, failed)
		seen[failed] = true
		if lang == "en" {
			assert.Contains(t, failed, "The file is gone")
			assert.Contains(t, failed, "Put it back, then retry it")
			assert.Contains(t, failed, "add it again from where it is now")
		}
	}
}

// TestFailedFileNotAtItsPathSaysWhatAGoneFileSays: a file named on its own
// whose path now goes through a file (a folder on its way replaced by a
// file: the checks' not-exist, not the system's "no such file") fails as
// a gone file does, found so when it was added or by its upload's turn,
// and its Retry sends it once the path leads to it again. Its row said
// "Add it again from where it is now" only; it now says what a gone
// file's row says, in every language. The same problem on a folder's file,
// skipped (no Retry), does not say to retry it.
func TestFailedFileNotAtItsPathSaysWhatAGoneFileSays(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	notThere := worker.Job{State: storage.JobFailed, Reason: worker.ReasonFileRefused, ReasonArg: string(api.ProblemNotExist),
		Err: "does not exist — a folder on its path is now a file, not a folder; check the path, and add the file again from where it is now"}
	gone := worker.Job{State: storage.JobFailed, Reason: worker.ReasonFileMissing}
	skipped := notThere
	skipped.State = storage.JobSkipped
	for _, l := range languages {
		require.NoError(t, useLanguage(l.Tag))
		assert.Equal(t, jobReasonText(gone, fixedNow), jobReasonText(notThere, fixedNow), l.Tag)
		assert.NotEqual(t, jobReasonText(gone, fixedNow), jobReasonText(skipped, fixedNow), "%s: a skipped row has no Retry", l.Tag)
	}
}

// TestTimedOutAnswerSaysWhatHappened: dStor not answering in time, its
// answer begun and then stopped, its answer still arriving after the
// upload's bound on it (30 minutes), dStor taking no more of the file
// partway, and no answer once the whole file was sent are worded apart in
// every language, the row of a failed job (its reason, as saved) as the
// error's dialog; each whose file may have reached dStor says that the
// upload does not count as done, in the catalog's words for it.
func TestTimedOutAnswerSaysWhatHappened(t *testing.T) {
	t.Cleanup(func() { require.NoError(t, useLanguage("")) })
	causes := []struct {
		err  *api.Error
		code worker.ReasonCode
	}{
		{&api.Error{Kind: api.KindTimeout, Op: api.OpUpload}, worker.ReasonTimeout},
		{&api.Error{Kind: api.KindTimeout, Status: 200, Op: api.OpUpload, Err: api.ErrAnswerStopped}, worker.ReasonAnswerStopped},
		{&api.Error{Kind: api.KindTimeout, Status: 200, Op: api.OpUpload, Err: api.ErrAnswerTooLong}, worker.ReasonAnswerTooLong},
		{&api.Error{Kind: api.KindTimeout, Op: api.OpUpload, Err: fmt.Errorf("%w: write: i/o timeout", api.ErrSendStalled)}, worker.ReasonSendStalled},
		{&api.Error{Kind: api.KindTimeout, Op: api.OpUpload, Err: fmt.Errorf("%w: timeout awaiting response headers", api.ErrSentNoAnswer)}, worker.ReasonSentNoAnswer},
	}
	notDone := map[string]string{
		"en": "the upload does not count as done", "de": "nicht als erledigt", "fr": "pas compté comme terminé",
		"es": "la subida no cuenta como hecha", "pt_BR": "o envio não conta como concluído", "ru": "загрузка не считается завершённой",
	}
	for _, lang := range []string{"en", "de", "fr", "es", "pt_BR", "ru"} {
		t.Setenv("LANGUAGE", lang) // as in TestEveryReasonCodeIsWorded
		require.NoError(t, useLanguage(""))
		seen := map[string]worker.ReasonCode{}
		for _, c := range causes {
			row := reasonText(c.code, "", fixedNow)
			assert.Equal(t, row, errorText(c.err), "%s %s: the dialog says what the row says", lang, c.code)
			if other, ok := seen[row]; ok {
				t.Errorf("%s: %s and %s both say %q", lang, c.code, other, row)
			}
			seen[row] = c.code
		}
		assert.Contains(t, reasonText(worker.ReasonAnswerTooLong, "", fixedNow), "30", "%s: how long the answer ran", lang)
		for _, code := range []worker.ReasonCode{worker.ReasonAnswerStopped, worker.ReasonAnswerTooLong, worker.ReasonSentNoAnswer} {
			assert.Contains(t, reasonText(code, "", fixedNow), notDone[lang], "%s %s: the upload is not done", lang, code)
		}
	}
}
