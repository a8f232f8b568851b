package cli

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/internal/numtext"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// reporter prints each file this run finishes, from the queue's events (a
// job reaches a final state once, and the queue drops no state change), and
// progress bars on a terminal. It holds nothing per file beyond the bars of
// the uploads in flight, so a run of 100,000 files costs what one of ten
// does.
type reporter struct {
	cio   IO
	json  bool
	link  func(hash, name string) string
	limit int64 // the run's bandwidth limit in bytes per second (0: none), for the summary

	// direct are the paths named on the command line: one of them that is
	// skipped (a named pipe, say) fails the run, unlike odd entries met
	// inside a folder.
	direct map[string]bool
	// markReported records, in the database, a result printed, so that the
	// next run prints only what this one could not.
	markReported func(id string)

	mu            sync.Mutex
	start         time.Time
	bytes         int64
	done          int
	failed        int
	canceled      int
	skipped       int
	skippedDirect int
	// skippedUnread counts the files of folders skipped because they could
	// not be read (not by design, as a link is: storage.SkipsByDesign),
	// which leave the folder's list of links not whole.
	skippedUnread int
	// skippedTooDeep counts the folders of folders skipped because their
	// folder paths on dStor would be too long (worker.ReasonFolderTooDeep,
	// ReasonDestinationTooLong), which leave the folder's list not whole.
	skippedTooDeep int
	// skippedReplaced counts the files of folders skipped because another
	// file took their place after the listing (storage.ReplacedArg): the
	// folder holds a file the run did not upload.
	skippedReplaced int
	// skippedFilled counts the folders of folders found empty that held
	// an entry when said (worker.ReasonFilledSinceListed): what they hold
	// was not uploaded.
	skippedFilled int
	already       int
	// unrecorded counts the failed files that were uploaded but could not
	// be recorded: their links are on their FAILED lines.
	unrecorded int
	// notUploaded counts the files left queued when the run stopped
	// because its history's -shm went (noteNotUploaded, historyGone).
	notUploaded int
	// alreadyQueuedFiles counts the files named that were already waiting
	// in the queue, so not added again.
	alreadyQueuedFiles int
	retryAt            time.Time // the last retry time announced
	stalled            string    // the last Summary.Stalled announced
	// maxAttempts is how many attempts a file gets (the queue's), for the
	// attempt counts said; inFlight is the attempt each upload in flight
	// is on, and quiet the attempt each upload said to be quiet was on.
	maxAttempts int
	inFlight    map[string]int
	quiet       map[string]int
	// retried is the reason of each unfinished job's last retry: a retry
	// for the same reason is not said again, so a flaky server's retries
	// of many files do not flood stderr.
	retried map[string]string

	progress *mpb.Progress // nil when stderr is not a terminal
	bars     map[string]*mpb.Bar
	out      io.Writer // where result lines go (above the bars on a terminal)

	speedMu sync.Mutex
	speeds  map[string]float64
}

func newReporter(cio IO, asJSON bool, link func(hash, name string) string) *reporter {
	r := &reporter{cio: cio, json: asJSON, link: link, start: time.Now(), out: cio.Out, bars: map[string]*mpb.Bar{}, speeds: map[string]float64{},
		maxAttempts: worker.DefaultMaxAttempts, inFlight: map[string]int{}, quiet: map[string]int{}, retried: map[string]string{}}
	if f, ok := cio.Err.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		r.progress = mpb.New(mpb.WithOutput(f), mpb.WithWidth(32), mpb.WithRefreshRate(150*time.Millisecond))
		if o, ok := cio.Out.(*os.File); ok && term.IsTerminal(int(o.Fd())) {
			r.out = r.progress // print above the bars, not through them
		}
	}
	return r
}

func (r *reporter) event(ev worker.Event) {
	switch ev.Kind {
	case worker.JobAdded, worker.JobChanged:
		r.job(ev.Job)
	case worker.QueueChanged:
		r.queueChanged(ev.Summary)
	case worker.AlreadyQueued:
		r.alreadyQueued(ev)
	}
}

// alreadyQueued says which files named were left out because they were
// already waiting in the queue (an earlier, interrupted run's included):
// each is uploaded once, by the job already queued, and a run never adds
// fewer files than named without a word.
func (r *reporter) alreadyQueued(ev worker.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.alreadyQueuedFiles += ev.Count
	if ev.Count == 1 {
		fmt.Fprintf(r.errOut(), "Already in the queue, not added again: %s\n", inert.Text(ev.Job.LocalPath))
		return
	}
	fmt.Fprintf(r.errOut(), "Already in the queue, not added again: %d files (%s and %d more)\n",
		ev.Count, inert.Text(ev.Job.LocalPath), ev.Count-1)
}

// queueChanged announces a stalled queue (a full disk) and its end, on a
// terminal or not, so a long pause is never silent.
func (r *reporter) queueChanged(s worker.Summary) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.Stalled == r.stalled {
		return
	}
	switch {
	case s.Stalled != "":
		fmt.Fprintf(r.errOut(), "Paused: %s. Finished uploads wait to be recorded; nothing new starts until there is room.\n", s.Stalled)
	default:
		fmt.Fprintln(r.errOut(), "Going on: there is room again.")
	}
	r.stalled = s.Stalled
}

// setMaxAttempts sets how many attempts a file gets, for the counts said.
func (r *reporter) setMaxAttempts(n int) {
	r.mu.Lock()
	r.maxAttempts = n
	r.mu.Unlock()
}

// announceRetry prints, once per distinct time, that uploads wait long
// before their next attempt (a long Retry-After) and when that ends.
func (r *reporter) announceRetry(j worker.Job) {
	if j.RetryAt.IsZero() || j.RetryAt.Sub(r.retryAt).Abs() < time.Second {
		return
	}
	r.retryAt = j.RetryAt
	fmt.Fprintf(r.errOut(), "Waiting: %s%s: %s\n", inert.Name(j.Name), r.nextAttempt(j), inert.Line(j.Err))
}

// nextAttempt is " (attempt N of M)" for the next attempt of a queued job
// that was tried before, else "".
func (r *reporter) nextAttempt(j worker.Job) string {
	if j.Attempts < 1 {
		return ""
	}
	return fmt.Sprintf(" (attempt %d of %d)", j.Attempts+1, r.maxAttempts)
}

// announceAttempt says, on a terminal or not, what becomes of the uploads'
// attempts, so a slow or failing server is never silent: an upload that
// makes no progress for a while (worker.Job.QuietSince) and one that moves
// again, and a retry soon to start, with its number, when it is the file's
// first or its reason differs from the file's last retry's (a retry 10 s or
// more away is announceRetry's).
func (r *reporter) announceAttempt(j worker.Job) {
	name := inert.Name(j.Name)
	switch j.State {
	case storage.JobUploading:
		r.inFlight[j.ID] = j.Attempts
		shown, told := r.quiet[j.ID]
		told = told && shown == j.Attempts
		switch {
		case !j.QuietSince.IsZero() && !told:
			r.quiet[j.ID] = j.Attempts
			fmt.Fprintf(r.errOut(), "Slow: %s (attempt %d of %d): %s — still waiting\n", name, j.Attempts, r.maxAttempts, quietSentence(j))
		case j.QuietSince.IsZero() && told:
			delete(r.quiet, j.ID)
			fmt.Fprintf(r.errOut(), "Going on: %s: the upload is moving again.\n", name)
		}
	case storage.JobQueued:
		failed, ok := r.inFlight[j.ID]
		r.forgetAttempt(j.ID)
		if !ok || failed != j.Attempts || j.Err == "" {
			return // not a retry: queued for the first time, or put back by a pause
		}
		if last, told := r.retried[j.ID]; j.RetryAt.IsZero() && (!told || last != j.Err) {
			fmt.Fprintf(r.errOut(), "Retrying: %s%s: %s\n", name, r.nextAttempt(j), inert.Line(j.Err))
		}
		r.retried[j.ID] = j.Err
	default:
		r.forgetAttempt(j.ID)
	}
}

// forgetAttempt drops what announceAttempt kept of job id.
func (r *reporter) forgetAttempt(id string) {
	delete(r.inFlight, id)
	delete(r.quiet, id)
}

// quietSentence says what an upload said to be quiet waits for, and since
// how long: the rest of an answer that began, an answer, or dStor to take
// more of the file.
func quietSentence(j worker.Job) string {
	quiet := max(time.Since(j.QuietSince).Round(time.Second), time.Second)
	switch {
	case j.AnswerBegun:
		return fmt.Sprintf("dStor's answer began, then stopped arriving: nothing more of it for %s", quiet)
	case j.Sent >= j.Size:
		return fmt.Sprintf("the whole file is sent and dStor has not answered for %s", quiet)
	case j.Sent > 0:
		return fmt.Sprintf("dStor has taken no more of the file for %s (%s of %s sent)", quiet, numtext.Size(j.Sent), numtext.Size(j.Size))
	}
	return fmt.Sprintf("dStor has not answered for %s, and no byte of the file is sent yet", quiet)
}

// leftovers prints the results that earlier runs finished but could not
// print (interrupted or killed), as this run's own, and marks them
// reported.
func (r *reporter) leftovers(rows []storage.JobRow) {
	for _, row := range rows {
		r.job(worker.Job{
			ID: row.ID, BatchID: row.BatchID, LocalPath: row.LocalPath, Name: row.Name, Size: row.Size,
			FolderPath: row.FolderPath, ParentID: row.ParentID, Comment: row.Comment, State: row.State,
			Attempts: row.Attempts, Hash: row.Hash, Verified: row.Verified,
		})
	}
}

func (r *reporter) job(j worker.Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !j.State.Final() {
		r.announceRetry(j)
		r.announceAttempt(j)
		r.updateBar(j)
		return
	}
	r.forgetAttempt(j.ID)
	delete(r.retried, j.ID)
	if bar := r.bars[j.ID]; bar != nil {
		// The result line replaces the bar (SetTotal would not complete a
		// bar made with a known total).
		bar.Abort(true)
		delete(r.bars, j.ID)
		r.setSpeed(j.ID, -1)
	}
	switch j.State {
	case storage.JobDone:
		r.done++
		r.bytes += j.Size
	case storage.JobFailed:
		r.failed++
		if unrecordedHash(j) != "" {
			r.unrecorded++
		}
	case storage.JobCanceled:
		r.canceled++
	case storage.JobSkipped:
		r.skipped++
		switch {
		case r.direct[j.LocalPath]:
			r.skippedDirect++ // named on the command line, and not uploaded
		case j.Reason == worker.ReasonNotListed && j.ReasonArg == storage.ReplacedArg:
			r.skippedReplaced++
		case j.Reason == worker.ReasonFolderTooDeep || j.Reason == worker.ReasonDestinationTooLong:
			r.skippedTooDeep++
		case j.Reason == worker.ReasonFilledSinceListed:
			r.skippedFilled++
		case !storage.SkippedByDesign(string(j.Reason), j.ReasonArg):
			r.skippedUnread++
		}
	case storage.JobAlready:
		r.already++
	}
	switch {
	case r.json:
		r.printJSON(j)
	case j.State == storage.JobDone:
		fmt.Fprintf(r.out, "%s  %s  %s\n", j.Hash, r.link(j.Hash, j.Name), inert.Name(j.Name))
	case j.State == storage.JobAlready:
		// The existing link on stdout, as for an upload; why on stderr.
		fmt.Fprintf(r.out, "%s  %s  %s\n", j.Hash, r.link(j.Hash, j.Name), inert.Name(j.Name))
		fmt.Fprintf(r.errOut(), "ALREADY UPLOADED  %s: %s\n", inert.Text(j.LocalPath), inert.Line(j.Err))
	case unrecordedHash(j) != "":
		// Uploaded, so its link must not be lost with the history. A
		// history deleted or replaced fails every upload after it: what
		// happened and what to do are said once, as the run ends
		// (runOutcome), not in a long sentence on every line.
		why := inert.Line(j.Err)
		if j.Reason == worker.ReasonHistoryGone {
			why = fmt.Sprintf("uploaded as %s, but not recorded: the upload history was deleted or replaced during this run (see \"Not recorded:\" below)",
				inert.Text(j.ReasonArg))
		}
		fmt.Fprintf(r.errOut(), "%s  %s: %s — its link: %s\n", strings.ToUpper(string(j.State)), inert.Text(j.LocalPath), why,
			r.link(unrecordedHash(j), j.Name))
	default:
		fmt.Fprintf(r.errOut(), "%s  %s: %s\n", strings.ToUpper(string(j.State)), inert.Text(j.LocalPath), inert.Line(j.Err))
	}
	if j.State == storage.JobDone && r.markReported != nil {
		r.markReported(j.ID)
	}
}

// unrecordedHash is the hash of a failed file that dStor took but that
// could not be recorded in the history, or "".
func unrecordedHash(j worker.Job) string {
	recordFailed := j.Reason == worker.ReasonRecordFailed || j.Reason == worker.ReasonRecordLimit || j.Reason == worker.ReasonHistoryGone
	if j.State != storage.JobFailed || !recordFailed {
		return ""
	}
	return j.ReasonArg
}

// errOut is stderr, or the bar container when bars are drawn there.
func (r *reporter) errOut() io.Writer {
	if r.progress != nil {
		return r.progress
	}
	return r.cio.Err
}

func (r *reporter) updateBar(j worker.Job) {
	if r.progress == nil || j.State != storage.JobUploading {
		return
	}
	bar := r.bars[j.ID]
	if bar == nil {
		name := j.Name
		if len(name) > 28 {
			name = name[:25] + "..."
		}
		bar = r.progress.AddBar(j.Size,
			mpb.PrependDecorators(decor.Name(name, decor.WC{C: decor.DindentRight | decor.DextraSpace, W: 29})),
			mpb.AppendDecorators(
				decor.Any(func(s decor.Statistics) string {
					return numtext.Size(s.Current) + " / " + numtext.Size(s.Total)
				}, decor.WCSyncSpace),
				decor.Any(func(decor.Statistics) string { return numtext.Speed(r.barSpeed(j.ID)) }, decor.WCSyncSpace),
			),
			mpb.BarRemoveOnComplete(),
		)
		r.bars[j.ID] = bar
	}
	r.setSpeed(j.ID, j.Speed)
	bar.SetCurrent(j.Sent)
}

// barSpeed is the worker's moving-average speed of a job, read by the bar
// decorators on mpb's goroutine (hence its own lock).
func (r *reporter) barSpeed(id string) float64 {
	r.speedMu.Lock()
	defer r.speedMu.Unlock()
	return r.speeds[id]
}

// setSpeed records the speed of id's bar; < 0 forgets it (the bar is gone).
func (r *reporter) setSpeed(id string, v float64) {
	r.speedMu.Lock()
	if v < 0 {
		delete(r.speeds, id)
	} else {
		r.speeds[id] = v
	}
	r.speedMu.Unlock()
}

// removed says that the failed upload j was taken out of the queue
// (resume --remove-failed): "REMOVED" and why it had failed on stderr, or
// its JSON object, "state":"removed", on stdout.
func (r *reporter) removed(j worker.Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.json {
		j.State = "removed"
		r.printJSON(j)
		return
	}
	fmt.Fprintf(r.errOut(), "REMOVED  %s: taken out of the queue; it had failed: %s\n", inert.Text(j.LocalPath), inert.Line(j.Err))
}

func (r *reporter) printJSON(j worker.Job) {
	rec := struct {
		Name       string `json:"name"`
		Path       string `json:"path"`
		PathBase64 []byte `json:"path_base64,omitempty"` // the path's bytes when it is not UTF-8
		State      string `json:"state"`
		Hash       string `json:"hash,omitempty"`
		Link       string `json:"link,omitempty"`
		Size       int64  `json:"size"`
		Verified   bool   `json:"verified"`
		FolderPath string `json:"folder_path,omitempty"`
		ParentID   *int64 `json:"parent_id,omitempty"`
		Attempts   int    `json:"attempts"`
		Error      string `json:"error,omitempty"`
	}{j.Name, j.LocalPath, inert.PathBytes(j.LocalPath), string(j.State), cmp.Or(j.Hash, unrecordedHash(j)), "", j.Size, j.Verified, j.FolderPath, j.ParentID, j.Attempts, j.Err}
	if rec.Hash != "" {
		rec.Link = r.link(rec.Hash, j.Name)
	}
	b, _ := json.Marshal(rec)
	fmt.Fprintf(r.out, "%s\n", inert.JSON(b))
}

func (r *reporter) close() {
	r.mu.Lock()
	p := r.progress
	r.progress = nil
	for id, bar := range r.bars {
		bar.Abort(true)
		delete(r.bars, id)
	}
	r.out = r.cio.Out
	r.mu.Unlock()
	if p != nil {
		p.Wait()
	}
}

// failedRun reports whether the run left something it was given not
// uploaded, other than by design: a file failed or was canceled, a path
// named was skipped, an entry of a folder was skipped because it could
// not be read, its path on dStor would be too long, another file took
// its place, or (a folder found empty) it held an entry when said.
func (r *reporter) failedRun() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed > 0 || r.canceled > 0 || r.skippedDirect > 0 || r.skippedUnread > 0 || r.skippedTooDeep > 0 ||
		r.skippedReplaced > 0 || r.skippedFilled > 0
}

// noteNotUploaded notes n files the run left queued as it stopped, for
// historyGone.
func (r *reporter) noteNotUploaded(n int) {
	r.mu.Lock()
	r.notUploaded = n
	r.mu.Unlock()
}

func (r *reporter) summary() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	elapsed := time.Since(r.start).Round(10 * time.Millisecond)
	s := fmt.Sprintf("Uploaded %d file(s), %s, in %s", r.done, numtext.Size(r.bytes), elapsed)
	for _, c := range []struct {
		n      int
		format string
	}{
		{r.failed, " · %d failed"},
		{r.canceled, " · %d canceled"},
		{r.skipped, " · %d skipped"},
		{r.skippedDirect, " (%d of them named on the command line)"},
		{r.skippedUnread, " (%d of them could not be read)"},
		{r.skippedTooDeep, " (%d of them a folder whose path on dStor would be too long)"},
		{r.skippedReplaced, " (%d of them in a folder replaced by another file before its upload)"},
		{r.skippedFilled, " (%d of them a folder that was empty when listed and is not now)"},
		{r.already, " · %d already uploaded (not sent again; --again sends them)"},
		{r.alreadyQueuedFiles, " · %d already in the queue (uploaded once)"},
	} {
		if c.n > 0 { // a count of none is not said
			s += fmt.Sprintf(c.format, c.n)
		}
	}
	if r.limit > 0 {
		s += " · limited to " + api.FormatRate(r.limit) + "/s" // as given: 1024-based, like curl
	}
	return s
}
