package cli

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestReportLinesAreInert: a file name with control characters, a bidi
// override, a newline or an invalid byte reaches neither stdout nor stderr
// as it is, in the line's name or in its sentence (an error that names the
// file), whatever the state.
func TestReportLinesAreInert(t *testing.T) {
	for _, name := range []string{"x\x1b[31mRED.txt", "t\x1b]0;owned\a.txt", "a.txt\nDONE  b.txt", "invoice\u202efdp.exe", "c1\u009b2J", "bad\xff.txt"} {
		for _, j := range []worker.Job{
			{State: storage.JobFailed, Err: "open " + name + ": permission denied"},
			{State: storage.JobSkipped, Err: name + " is a named pipe"},
			{State: storage.JobAlready, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Err: name + " was uploaded on 1 Dec"},
			{State: storage.JobDone, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"},
			{State: storage.JobQueued, Err: "dStor is busy with " + name, RetryAt: time.Now().Add(time.Hour)},
		} {
			var out, errOut strings.Builder
			r := newReporter(IO{Out: &out, Err: &errOut}, false, func(hash, _ string) string { return "https://gw/ipfs/" + hash })
			j.ID, j.Name, j.LocalPath = "j", name, "/in/"+name
			r.job(j)
			r.close()
			for where, text := range map[string]string{"stdout": out.String(), "stderr": errOut.String()} {
				assert.True(t, printableLines(text), "%s of a %s job named %q: %q", where, j.State, name, text)
			}
			assert.NotEmpty(t, out.String()+errOut.String(), "%s job named %q printed nothing", j.State, name)
		}
	}
}

// printableLines reports whether text is lines of characters a terminal
// shows as they are.
func printableLines(text string) bool {
	return utf8.ValidString(text) && strings.IndexFunc(text, func(r rune) bool { return r != '\n' && r != ' ' && !unicode.IsPrint(r) }) < 0
}

// TestReportTellsAttempts: an upload said to be quiet partway is told once
// per attempt, with what it has sent; moving again is told; a retry soon
// to start is told with its number, and one 10 s or more away (Waiting)
// too; a job queued for the first time, or put back by a pause, is not a
// retry.
func TestReportTellsAttempts(t *testing.T) {
	var out, errOut strings.Builder
	r := newReporter(IO{Out: &out, Err: &errOut}, true, func(hash, _ string) string { return hash })
	r.setMaxAttempts(4)
	quietSince := time.Now().Add(-30600 * time.Millisecond) // said as 31s
	j := worker.Job{ID: "j", Name: "big.bin", LocalPath: "/in/big.bin", Size: 4_000_000}
	at := func(state storage.JobState, attempts int, sent int64, quiet time.Time, err string) worker.Job {
		c := j
		c.State, c.Attempts, c.Sent, c.QuietSince, c.Err = state, attempts, sent, quiet, err
		return c
	}
	for _, step := range []worker.Job{
		at(storage.JobQueued, 0, 0, time.Time{}, ""),
		at(storage.JobUploading, 1, 1_000_000, time.Time{}, ""),
		at(storage.JobUploading, 1, 1_000_000, quietSince, ""),
		at(storage.JobUploading, 1, 1_000_000, quietSince, ""), // told once
		at(storage.JobUploading, 1, 1_200_000, time.Time{}, ""),
		at(storage.JobUploading, 1, 1_200_000, quietSince, ""),
		at(storage.JobQueued, 1, 0, time.Time{}, "dStor did not answer in time"),
		at(storage.JobUploading, 2, 4_000_000, quietSince, ""),
		at(storage.JobQueued, 1, 0, time.Time{}, "paused"), // a pause gives the attempt back
		at(storage.JobUploading, 2, 0, time.Time{}, ""),
	} {
		r.job(step)
	}
	retry := at(storage.JobQueued, 2, 0, time.Time{}, "dStor is busy — trying again at 12:00:00 (in 1m0s)")
	retry.RetryAt = time.Now().Add(time.Minute)
	r.job(retry)
	r.close()
	assert.Empty(t, out.String(), "stdout is for results")
	assert.Equal(t, strings.Join([]string{
		"Slow: big.bin (attempt 1 of 4): dStor has taken no more of the file for 31s (1 MB of 4 MB sent) — still waiting",
		"Going on: big.bin: the upload is moving again.",
		"Slow: big.bin (attempt 1 of 4): dStor has taken no more of the file for 31s (1.2 MB of 4 MB sent) — still waiting",
		"Retrying: big.bin (attempt 2 of 4): dStor did not answer in time",
		"Slow: big.bin (attempt 2 of 4): the whole file is sent and dStor has not answered for 31s — still waiting",
		"Waiting: big.bin (attempt 3 of 4): dStor is busy — trying again at 12:00:00 (in 1m0s)",
	}, "\n")+"\n", errOut.String())
}

// TestReportRetriesOncePerReason: a file's retry is said the first time and
// again only when its reason changes, so a flaky server's many retries of
// many files do not flood stderr; each file is told apart, a long wait
// (Waiting) is a reason of its own, and the final line is unchanged.
func TestReportRetriesOncePerReason(t *testing.T) {
	const busy, timeout = "dStor is busy", "dStor did not answer in time"
	type retry struct {
		file   string
		reason string
		wait   bool // 10 s or more away (Retry-After): a Waiting line
	}
	for _, tc := range []struct {
		name    string
		retries []retry
		want    []string
	}{
		{"one retry", []retry{{"a", busy, false}}, []string{
			"Retrying: a (attempt 2 of 6): " + busy,
		}},
		{"the same reason again", []retry{{"a", busy, false}, {"a", busy, false}, {"a", busy, false}, {"a", busy, false}}, []string{
			"Retrying: a (attempt 2 of 6): " + busy,
		}},
		{"a reason that changes", []retry{{"a", busy, false}, {"a", busy, false}, {"a", timeout, false}, {"a", timeout, false}, {"a", busy, false}}, []string{
			"Retrying: a (attempt 2 of 6): " + busy,
			"Retrying: a (attempt 4 of 6): " + timeout,
			"Retrying: a (attempt 6 of 6): " + busy,
		}},
		{"files told apart", []retry{{"a", busy, false}, {"b", busy, false}, {"a", busy, false}, {"b", busy, false}, {"c", busy, false}}, []string{
			"Retrying: a (attempt 2 of 6): " + busy,
			"Retrying: b (attempt 2 of 6): " + busy,
			"Retrying: c (attempt 2 of 6): " + busy,
		}},
		{"a long wait between", []retry{{"a", busy, false}, {"a", "dStor is busy — trying again at 12:00:00 (in 1m0s)", true}, {"a", busy, false}, {"a", busy, false}}, []string{
			"Retrying: a (attempt 2 of 6): " + busy,
			"Waiting: a (attempt 3 of 6): dStor is busy — trying again at 12:00:00 (in 1m0s)",
			"Retrying: a (attempt 4 of 6): " + busy,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut strings.Builder
			r := newReporter(IO{Out: &out, Err: &errOut}, false, func(hash, _ string) string { return hash })
			r.setMaxAttempts(6)
			attempts := map[string]int{}
			var last retry
			for i, rt := range tc.retries {
				attempts[rt.file]++
				j := worker.Job{ID: rt.file, Name: rt.file, LocalPath: "/in/" + rt.file, State: storage.JobUploading, Attempts: attempts[rt.file]}
				r.job(j)
				j.State, j.Err = storage.JobQueued, rt.reason
				if rt.wait {
					j.RetryAt = time.Now().Add(time.Duration(i+1) * time.Minute)
				}
				r.job(j)
				last = rt
			}
			r.job(worker.Job{ID: last.file, Name: last.file, LocalPath: "/in/" + last.file, State: storage.JobFailed, Attempts: 6, Err: last.reason})
			r.close()
			assert.Equal(t, strings.Join(append(tc.want, "FAILED  /in/"+last.file+": "+last.reason), "\n")+"\n", errOut.String())
		})
	}
}

// TestReportForgetsRetriesOfFinishedFiles: what the reporter keeps of a
// file's retries (to say each reason once) goes when the file is done,
// failed or canceled, so a long run whose every file was retried once
// holds nothing of it for the files it has finished.
func TestReportForgetsRetriesOfFinishedFiles(t *testing.T) {
	var out, errOut strings.Builder
	r := newReporter(IO{Out: &out, Err: &errOut}, false, func(hash, _ string) string { return hash })
	for i, final := range []storage.JobState{storage.JobDone, storage.JobFailed, storage.JobCanceled} {
		id := fmt.Sprintf("f%d", i)
		j := worker.Job{ID: id, Name: id, LocalPath: "/in/" + id, State: storage.JobUploading, Attempts: 1}
		r.job(j)
		j.State, j.Err = storage.JobQueued, "dStor is busy"
		r.job(j)
		j.State, j.Attempts = final, 2
		if final == storage.JobDone {
			j.Err, j.Hash = "", "Qm"+id
		}
		r.job(j)
	}
	r.close()
	assert.Contains(t, errOut.String(), "Retrying: f0")
	assert.Empty(t, r.retried, "the retries of finished files are kept")
}

// TestReportSaysAFolderFilledAfterItsListing: a folder an upload found
// empty that holds an entry when the listing ends, after it was listed
// again (worker.ReasonFilledSinceListed), is said with the worker's
// sentence, on stderr as SKIPPED, or as its JSON object's error, and the
// closing line counts it as what it is, not as a file that could not be
// read; the run then fails (failedRun), as what the folder holds was not
// uploaded.
func TestReportSaysAFolderFilledAfterItsListing(t *testing.T) {
	j := worker.Job{ID: "j", Name: "sub", LocalPath: "/in/trip/sub", FolderPath: "/trip/sub/", State: storage.JobSkipped,
		Reason: worker.ReasonFilledSinceListed, Err: worker.MsgFilledSinceListed + ": what it holds was not uploaded — upload the folder again"}
	for _, asJSON := range []bool{false, true} {
		var out, errOut strings.Builder
		r := newReporter(IO{Out: &out, Err: &errOut}, asJSON, func(hash, _ string) string { return hash })
		r.job(j)
		r.close()
		if asJSON {
			assert.Contains(t, out.String(), `"state":"skipped"`)
			assert.Contains(t, out.String(), `"error":"`+j.Err+`"`)
		} else {
			assert.Equal(t, "SKIPPED  /in/trip/sub: "+j.Err+"\n", errOut.String())
		}
		assert.Contains(t, r.summary(), " · 1 skipped (1 of them a folder that was empty when listed and is not now)")
		assert.True(t, r.failedRun(), "what the folder holds was not uploaded")
	}
}
