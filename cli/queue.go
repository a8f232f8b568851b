package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// stallNotice is how long an upload may make no progress before the run
// says so (0: worker.DefaultStallNotice); tests make it short.
var stallNotice time.Duration

// sayIfSlow prints, on w, "Slow: <what> for <the stall notice> — still
// waiting" if the returned function, called when the wait is over, is not
// called within that time: a server that does not answer is never met
// with silence (it returns once any such line is printed).
func sayIfSlow(w io.Writer, what string) (over func()) {
	after := cmp.Or(stallNotice, worker.DefaultStallNotice)
	var mu sync.Mutex
	done := false
	t := time.AfterFunc(after, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			fmt.Fprintf(w, "Slow: %s for %s — still waiting\n", what, after)
		}
	})
	return func() {
		t.Stop()
		mu.Lock()
		done = true
		mu.Unlock()
	}
}

// queueOptions are the flags upload and resume share.
type queueOptions struct {
	env          string
	concurrency  int
	limitRate    string // --limit-rate, as given ("" when not)
	json         bool
	retryFailed  bool
	removeFailed bool                   // resume's: take the failed uploads out of the queue first
	changed      func(flag string) bool // whether a flag was given (a --concurrency 0 from none)
}

func (o *queueOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	o.changed = f.Changed
	f.StringVar(&o.env, "env", "", "environment: production, testnet, or a base URL (default: the last one signed in to)")
	decimalVar(f, &o.concurrency, "concurrency", 0, fmt.Sprintf("uploads at a time, %d to %d (default: the setting, %d)",
		storage.MinConcurrency, storage.MaxConcurrency, storage.DefaultConcurrency))
	f.StringVar(&o.limitRate, "limit-rate", "", "the most all uploads together send per second, as curl's --limit-rate: 500K, 2M, 1G (1024-based), 0 for none (default: the setting, none out of the box)")
	f.BoolVar(&o.json, "json", false, "print one JSON object per file")
}

func (o queueOptions) validate() error {
	given := o.concurrency != 0 || o.changed != nil && o.changed("concurrency")
	if given && (o.concurrency < storage.MinConcurrency || o.concurrency > storage.MaxConcurrency) {
		return usageErrorf("--concurrency must be between %d and %d uploads at a time (leave it out for the setting, %d by default)",
			storage.MinConcurrency, storage.MaxConcurrency, storage.DefaultConcurrency)
	}
	if o.limitRate == "" && o.changed != nil && o.changed("limit-rate") {
		// "$RATE" with RATE unset in a script: not the setting, unsaid.
		return usageErrorf("--limit-rate needs a rate: it was given empty (write 500K, 2M or 0 for no limit, or leave --limit-rate out for the setting)")
	}
	if _, err := o.uploadRate(0); err != nil {
		return usageErrorf("--limit-rate: %v", err)
	}
	return nil
}

// uploadRate is the bandwidth limit of the run in bytes per second: the
// --limit-rate given, else setting (0: none).
func (o queueOptions) uploadRate(setting int64) (int64, error) {
	if o.limitRate == "" {
		return setting, nil
	}
	return api.ParseRate(o.limitRate)
}

// runQueue signs in, runs the persisted queue with the new requests until
// nothing is left to do, and reports every file that finished. Ctrl+C (or
// SIGTERM) stops it; the saved queue keeps what is left for "resume".
// The jobs of paths named that are not there (namedNotThere) are reported
// first, as failed, once signed in: an --env or history that cannot be
// used is said first, as for any upload.
func runQueue(ctx context.Context, cio IO, o queueOptions, requests []worker.Request, notThere ...worker.Job) error {
	ctx, _, stop := interrupts(ctx) // a second Ctrl+C: see stop below
	defer stop()
	early := startEarlySignIn(ctx, o.env)
	st, err := openStore(cio.Err, o.env)
	if err != nil {
		return err
	}
	defer st.close(cio.Err)
	run, err := startRun(ctx, cio, st, o, requests, early)
	if err != nil {
		if ctx.Err() != nil { // a signal ended the sign-in: nothing was queued yet
			fmt.Fprintln(cio.Err, signInStoppedText(len(requests)+len(notThere) > 0))
			return &exitError{code: stopStatus(ctx)}
		}
		return err
	}
	defer run.close(cio)
	for _, j := range notThere {
		run.rep.job(j)
	}
	if o.removeFailed {
		if err := run.removeFailed(cio); err != nil {
			return run.saved(cio, run.q.Close(), err) // the uploads it removed are deleted as the queue closes
		}
	}
	if more, err := run.announce(ctx, cio, o, len(requests)+len(notThere)); !more {
		return run.saved(cio, run.q.Close(), err)
	}
	run.q.Add(requests...)
	run.q.Resume()
	waitErr := drain(ctx, run.q, run.events, run.rep)
	if s := run.q.Summary(); s.HistoryGone != nil && s.HistoryGone.SharedMemory {
		run.rep.noteNotUploaded(s.Queued) // the queue stopped (worker: its reads are refused)
	}
	run.unsubscribe() // a queue still uploading (Ctrl+C) must not wait for this reader
	// A second Ctrl+C while the queue closes ends the process at once (the
	// rows left "uploading" are resumed by the next run, the results not
	// printed yet are printed by it). stop cancels ctx, so whether this run
	// was interrupted is read first.
	stopCode := 0 // not interrupted; else its exit status (stopStatus)
	if ctx.Err() != nil {
		stopCode = stopStatus(ctx)
	}
	stop()
	// Stop the queue before the last report: an upload finishing right
	// now is recorded, and printed below with any other finished upload
	// no event reported; any other stays for resume.
	closeErr := run.q.Close()
	run.printUnreported(cio)
	run.rep.close()
	// A history file deleted or replaced under the run fails each write
	// after it (each upload then has its link on its FAILED line: the run
	// goes on, as stopping would cut off uploads dStor may keep without
	// their links); one deleted after the run's last write is found here.
	lost := st.db.CheckFile()
	return run.saved(cio, closeErr, runOutcome(cio, run.rep, stopCode, waitErr, lost))
}

// saved is the command's result out once the queue closed with closeErr:
// a queue that could not write what the run changed in it (uploads
// removed, rows finished) says so, and the command exits 1 (out's own
// status when it fails already); one that wrote it all but still could
// not read the next jobs to upload (worker.ErrQueueUnread) says the files
// left were not uploaded and wait for resume, and exits 1 too. A history
// deleted or replaced is said by runOutcome (lost) when out fails.
func (r *queueRun) saved(cio IO, closeErr, out error) error {
	var gone *storage.ReplacedError
	if closeErr == nil || out != nil && errors.As(closeErr, &gone) {
		return out
	}
	switch {
	case errors.Is(closeErr, worker.ErrQueueUnread):
		// Only a read failed (Close returns a failed write first): every
		// change was written, and what is left waits for the next resume.
		s := r.q.Summary()
		fmt.Fprintf(cio.Err, "The upload queue could not be read (%s), so %d file(s) still queued were not uploaded: "+
			"they wait in the queue; run \"dstor-uploader resume\" to upload them.\n",
			api.Human(closeErr), s.Queued+s.Uploading+s.Waiting)
	case len(r.removed) > 0:
		fmt.Fprintf(cio.Err, "The queue could not be saved (%s): the %d failed upload(s) removed may still be in it, "+
			"and come back at the next resume.\n", api.Human(closeErr), len(r.removed))
	default:
		fmt.Fprintf(cio.Err, "The queue could not be saved (%s): the next resume may find some of it as it was before this run.\n",
			api.Human(closeErr))
	}
	if out != nil {
		return out
	}
	return &exitError{code: 1}
}

// queueRun is one run of an account's saved queue: the queue, its events,
// what earlier runs left, and the reporter.
type queueRun struct {
	q           *worker.Queue
	events      <-chan worker.Event
	unsubscribe func()
	rep         *reporter
	left        leftoverState
	db          *storage.DB
	env         string
	account     string
	marks       *reportMarks    // printed results, marked as printed in batches
	removed     map[string]bool // the ids of the failed uploads taken out of the queue (--remove-failed)
}

// startRun signs in (or takes the sign-in early started, when it was for
// this environment) and starts the account's queue, paused, counting first,
// under the queue's lock, what earlier runs left. Uploads an interrupted or
// killed run finished but never printed are printed now, once, before the
// queue drops their rows.
// Started paused and subscribed to before it runs, the queue reports every
// job this run finishes, a leftover of an earlier run included; the jobs
// earlier runs failed stay in the saved queue, for the window and
// --retry-failed, and send no event.
func startRun(ctx context.Context, cio IO, st *store, o queueOptions, requests []worker.Request, early *earlySignIn) (*queueRun, error) {
	slow := sayIfSlow(cio.Err, "dStor has not answered the sign-in")
	client, sess, err := runSession(ctx, st, early)
	slow()
	if err != nil {
		return nil, err
	}
	limit, err := o.uploadRate(st.settings.UploadLimit)
	if err != nil {
		return nil, err // validate refused it already
	}
	links := session.Links(st.settings, st.env)
	sayGatewayNotUsed(cio.Err, st.settings)
	run := &queueRun{db: st.db, env: st.envKey, account: sess.Account,
		rep: newReporter(cio, o.json, func(hash, name string) string { return links.Link(st.envKey, hash, name) })}
	run.rep.limit = limit
	run.rep.direct = directPaths(requests)
	run.marks = &reportMarks{db: st.db}
	run.rep.markReported = run.marks.add

	q, err := worker.New(worker.Config{
		Client: client, DB: st.db, Tokens: sess.Tokens, Paused: true, PrintsResults: true,
		Env: st.envKey, Account: sess.Account, AccountID: sess.AccountID(), Concurrency: cmp.Or(o.concurrency, st.settings.Concurrency),
		UploadLimit: limit, StallNotice: stallNotice,
		// Read under the queue's lock: while another run holds it, the
		// uploads it finished and has not marked printed yet are its own
		// to print, not leftovers.
		Locked: func() error {
			left, err := leftovers(st.db, st.envKey, sess.Account, o.retryFailed)
			if err != nil {
				return err
			}
			run.left = left
			run.rep.leftovers(left.unreported)
			return nil
		},
	})
	if err != nil {
		run.rep.close()
		run.flushMarks(cio)
		return nil, err
	}
	run.q = q
	run.rep.setMaxAttempts(q.MaxAttempts())
	run.events, run.unsubscribe = q.Subscribe(1024)
	if o.retryFailed {
		q.RetryFailed()
	}
	return run, nil
}

// signInStoppedText is what upload (named, true) or resume says when a
// signal stopped it while it signed in, before it queued anything: the
// sign-in's own error would read as a failure ("canceled") and exit 1.
func signInStoppedText(named bool) string {
	if named {
		return `Interrupted while signing in: nothing was added to the queue or uploaded. Run the same "dstor-uploader upload" again.`
	}
	return `Interrupted while signing in: nothing was resumed. Run "dstor-uploader resume" to finish.`
}

// runSession is the client and the session of a run: early's, when it
// signed in to the environment st resolved, else a new sign-in.
func runSession(ctx context.Context, st *store, early *earlySignIn) (*api.Client, *session.Session, error) {
	if early != nil && early.envKey == st.envKey {
		<-early.done
		return early.client, early.sess, early.err
	}
	client, err := api.NewClient(st.env, nil)
	if err != nil {
		return nil, nil, err
	}
	sess, err := restoreSession(ctx, client, st)
	return client, sess, err
}

// printUnreported prints, once, the uploads this run finished that no
// event reported (those that finished as the queue stopped).
func (r *queueRun) printUnreported(cio IO) {
	// The results printed but not marked are taken before the read: one
	// marked in between is then left out either way.
	r.marks.flush()
	printed := r.marks.unmarked()
	rows, err := r.db.UnreportedDone(r.env, r.account)
	if errors.Is(err, storage.ErrDatabaseReplaced) {
		return // runOutcome says why, once (its -shm gone: the read is refused)
	}
	if err != nil {
		fmt.Fprintf(cio.Err, "dstor-uploader: %s; \"dstor-uploader resume\" prints the uploads this run could not.\n", api.Human(err))
		return
	}
	rows = slices.DeleteFunc(rows, func(j storage.JobRow) bool { return printed[j.ID] })
	r.rep.leftovers(rows)
}

// flushMarks marks the printed results not marked yet (those of the last
// batch, and any whose mark failed), and says so if that fails: the next
// run prints those results again.
func (r *queueRun) flushMarks(cio IO) {
	if n, err := r.marks.stop(); err != nil && !errors.Is(err, storage.ErrDatabaseReplaced) { // (runOutcome said why)
		fmt.Fprintf(cio.Err, "dstor-uploader: %d printed result(s) could not be marked as printed, so the next run prints them again: %s\n",
			n, api.Human(err))
	}
}

// announce says what this run takes on besides the new requests, and
// reports whether there is anything to do at all; err is the command's
// exit when ctx ended (Ctrl+C) while it looked at the failed uploads'
// files (failedLeft).
func (r *queueRun) announce(ctx context.Context, cio IO, o queueOptions, requests int) (more bool, err error) {
	if r.left.pending > 0 && requests > 0 {
		fmt.Fprintf(cio.Err, "Also finishing %d upload(s) left from an earlier run.\n", r.left.pending)
	}
	if requests > 0 || r.left.pending > 0 || r.left.walking {
		return true, nil
	}
	// Uploads another account or environment signed in to before left:
	// this run cannot finish them, and "the queue is empty" alone would
	// read as if nothing were left. (Unreadable, they go unmentioned;
	// so do those another process uploads now.)
	others, _ := r.db.PendingOfOthers(r.env, r.account)
	others = slices.DeleteFunc(others, func(o storage.AccountPending) bool {
		return queueInUse(r.db, o.Env, o.Account) // the window, or another run, is at them
	})
	switch {
	case len(r.left.unreported) > 0:
		r.rep.close()
		fmt.Fprintln(cio.Err, r.rep.summary())
	case r.left.failed > 0 && !o.retryFailed:
		said, ok := r.failedLeft(ctx)
		fmt.Fprintln(cio.Err, said)
		if !ok {
			return false, &exitError{code: stopStatus(ctx)}
		}
	case len(others) > 0:
		fmt.Fprintf(cio.Err, "Nothing to resume for this account on %s.\n", r.env)
	default:
		fmt.Fprintln(cio.Err, "Nothing to resume: the queue is empty.")
	}
	sayOthersWait(cio, r.env, others)
	return false, nil
}

// failedLeft says how many failed uploads --retry-failed can try again,
// and of how many more the file is no longer there (a retry of those
// fails again until it is put back). ok is false when ctx ended (Ctrl+C)
// before every file was looked at (a drive that does not answer): it
// then says that they all still wait.
func (r *queueRun) failedLeft(ctx context.Context) (said string, ok bool) {
	gone, ok := failedGone(ctx, r.db, r.env, r.account, r.removed)
	switch {
	case !ok:
		return fmt.Sprintf("Interrupted: nothing was resumed; %d failed upload(s) wait in the queue "+
			"(whether their files are still there was not found out): run \"dstor-uploader resume --retry-failed\" to try them again, "+
			"or \"dstor-uploader resume --remove-failed\" to take them out of the queue.", r.left.failed), false
	case gone == 0:
		return fmt.Sprintf("Nothing to resume; %d failed upload(s) can be tried again with --retry-failed "+
			"(or taken out of the queue with --remove-failed).", r.left.failed), true
	case gone >= r.left.failed:
		return fmt.Sprintf("Nothing to resume; the files of the %d failed upload(s) are no longer there: "+
			"put them back, then run \"dstor-uploader resume --retry-failed\", "+
			"or take them out of the queue with \"dstor-uploader resume --remove-failed\".", r.left.failed), true
	}
	return fmt.Sprintf("Nothing to resume; %d failed upload(s) can be tried again with --retry-failed; "+
		"the files of %d more are no longer there: put them back first (--remove-failed takes all %d out of the queue).",
		r.left.failed-gone, gone, r.left.failed), true
}

// failedPage is how many failed uploads' rows failedGone and removeFailed
// read at a time: a queue may hold any number, and a page at a time keeps
// the memory a run needs bounded. Tests lower it to cross pages with few
// uploads.
var failedPage = 1000

// failedGone counts the failed jobs of env and account whose file is no
// longer at its path (api.Gone: not one on a drive or share out of reach),
// a page of rows at a time. A read that fails counts what it read. Each
// look at a file runs off this goroutine until ctx ends
// (worker.ListingLook), as one on a drive that stopped answering never
// returns: ok is false once ctx ended first, and what that look finds
// later is dropped. The rows of the jobs removed (removeFailed), which the
// queue deletes as it writes them, may still be read: they are not counted.
func failedGone(ctx context.Context, db *storage.DB, env, account string, removed map[string]bool) (gone int, ok bool) {
	for after := int64(0); ; {
		rows, err := db.QueuedJobs(env, account, storage.JobFailed, after, failedPage)
		if err != nil {
			return gone, true
		}
		for _, j := range rows {
			if j.LocalPath == "" || removed[j.ID] {
				continue
			}
			err, ok := worker.ListingLook(ctx, j.LocalPath, func() error { _, err := os.Stat(j.LocalPath); return err })
			if !ok {
				return gone, false
			}
			if api.Gone(err) {
				gone++
			}
		}
		if len(rows) < failedPage {
			return gone, true
		}
		after = rows[len(rows)-1].Seq
	}
}

// sayOthersWait says, for each account and environment with uploads left
// in its saved queue (others: not the account of env a run signed in as,
// since the person signed in to another account or environment), how many
// wait and how to finish them.
func sayOthersWait(cio IO, env string, others []storage.AccountPending) {
	for _, o := range others {
		var what []string
		if o.Jobs > 0 {
			what = append(what, fmt.Sprintf("%d upload(s)", o.Jobs))
		}
		if o.Walks > 0 {
			what = append(what, fmt.Sprintf("%d folder(s) still to list", o.Walks))
		}
		// An API key's account is an internal id: say how, not whom.
		who, how := "with its API key", "--api-key-stdin"
		if strings.Contains(o.Account, "@") {
			who, how = "as "+inert.Text(o.Account), "--email "+inert.Text(o.Account)+" --password-stdin"
		}
		switch {
		case o.Env == api.SandboxKey: // the window's own, which no command reaches
			fmt.Fprintf(cio.Err, "%s wait in the window's Local sandbox: open dStor Uploader's window and sign in to it to finish them.\n",
				strings.Join(what, " and "))
		case o.Env != env:
			fmt.Fprintf(cio.Err, "%s wait on %s (%s): run \"dstor-uploader resume --env %[2]s\".\n",
				strings.Join(what, " and "), inert.Text(o.Env), who)
		default:
			fmt.Fprintf(cio.Err, "%s wait for another account signed in to %s before (%s): sign in to it again with \"dstor-uploader login --env %[2]s %[4]s\", then run \"dstor-uploader resume\".\n",
				strings.Join(what, " and "), env, who, how)
		}
	}
}

// queueInUse reports whether another process (the window, or a run) holds
// the saved queue of env and account now: its lock, taken and given back
// at once when free.
func queueInUse(db *storage.DB, env, account string) bool {
	lock, err := db.LockQueue(env, account)
	if err != nil {
		return errors.Is(err, storage.ErrQueueInUse)
	}
	_ = lock.Release()
	return false
}

// close stops the events, the reporter and the queue, then marks what is
// still to be marked as printed.
func (r *queueRun) close(cio IO) {
	r.unsubscribe()
	r.rep.close()
	_ = r.q.Close()
	r.flushMarks(cio)
}

// drain reports events until the queue has nothing left to do (or ctx
// ends), then every event published until then, and returns what the
// queue's Wait said.
func drain(ctx context.Context, q *worker.Queue, events <-chan worker.Event, rep *reporter) error {
	done := make(chan error, 1)
	go func() { done <- q.Wait(ctx) }()
	var seen uint64
	for {
		select {
		case ev := <-events:
			rep.event(ev)
			seen = ev.Serial
		case err := <-done:
			for last := q.LastEvent(); seen < last; {
				ev, ok := <-events
				if !ok {
					break
				}
				rep.event(ev)
				seen = ev.Serial
			}
			return err
		}
	}
}

// runOutcome prints the run's summary and turns it into the command's
// result: stopCode when interrupted (stopStatus: 130 at Ctrl+C; 0 when not), 1 when the run left something not
// uploaded (reporter.failedRun), the run stopped or the history was
// deleted or replaced under it (lost), else success.
func runOutcome(cio IO, rep *reporter, stopCode int, waitErr, lost error) error {
	sum := rep.summary()
	var changed *api.AccountChangedError
	var gone *storage.ReplacedError
	switch {
	case errors.As(lost, &gone):
		fmt.Fprintln(cio.Err, sum)
		fmt.Fprintf(cio.Err, "Not recorded: %s\n", historyGone(gone, rep))
		if stopCode != 0 {
			return &exitError{code: stopCode}
		}
		return &exitError{code: 1}
	case stopCode != 0:
		fmt.Fprintf(cio.Err, "Interrupted: %s. Run \"dstor-uploader resume\" to finish.\n", sum)
		return &exitError{code: stopCode}
	case errors.As(waitErr, &changed):
		fmt.Fprintf(cio.Err, "Stopped: %s (%s). Run \"dstor-uploader login\", then \"dstor-uploader resume\".\n", changed.Error(), sum)
		return &exitError{code: 1}
	case errors.Is(waitErr, worker.ErrSignInRequired):
		fmt.Fprintf(cio.Err, "Stopped: the sign-in expired (%s). Run \"dstor-uploader login\", then \"dstor-uploader resume\".\n", sum)
		return &exitError{code: 1}
	case waitErr != nil:
		fmt.Fprintf(cio.Err, "%s; %s\n", sum, api.Human(waitErr))
		return &exitError{code: 1}
	}
	fmt.Fprintln(cio.Err, sum)
	if rep.failedRun() {
		return &exitError{code: 1}
	}
	return nil
}

// historyGone says that the history gone was deleted or replaced while
// the run uploaded, where the links of its uploads are, and what to do.
func historyGone(gone *storage.ReplacedError, rep *reporter) string {
	rep.mu.Lock()
	done, unrecorded, notUploaded, asJSON := rep.done, rep.unrecorded, rep.notUploaded, rep.json
	rep.mu.Unlock()
	s := fmt.Sprintf("the upload history %s was deleted or moved away while this run was uploading, so no history holds its uploads", gone.Path)
	switch {
	case gone.Journal:
		s = fmt.Sprintf("the journal of the upload history %s (%s) was deleted or replaced by another program while this run was uploading, "+
			"so the history lacks its uploads from then on", gone.Path, gone.JournalFile())
	case !gone.Deleted:
		s = fmt.Sprintf("the upload history %s was replaced by another file (a backup restored, a sync tool) while this run was uploading, "+
			"so that file may lack its uploads", gone.Path)
	}
	s += fmt.Sprintf(". dStor has the %d file(s) uploaded: keep these links, printed above", done+unrecorded)
	switch {
	case unrecorded > 0 && asJSON:
		// --json prints no FAILED lines: every upload is an object on stdout.
		s += fmt.Sprintf(`, one JSON object each on stdout (%d of them with "state":"failed" and their "link")`, unrecorded)
	case unrecorded > 0:
		s += fmt.Sprintf(" (%d on stdout, %d on the FAILED lines)", done, unrecorded)
	}
	again := "to record them"
	if notUploaded > 0 {
		s += fmt.Sprintf(". The run stopped there, as it could no longer read its queue: %d file(s) were not uploaded", notUploaded)
		again = "to record them and upload the rest"
	}
	what := "deleted or moved"
	switch {
	case gone.Journal:
		what = "deleted or replaced"
	case !gone.Deleted:
		what = "replaced"
	}
	return s + fmt.Sprintf(". Find what %s the file (a cleanup, backup or sync tool), then run the same command again %s "+
		"(dStor gives the same files the same links).", what, again)
}

// directPaths is the set of places the person named on the command line,
// each as the queue records it (worker.RequestPath: absolute, so "./f"
// and "f" are one, and on Windows spelled as on disk, so F, f and \\?\F
// are one), for the reporter and for --expect-sha256's one file. The
// requests carry their paths so named already (namedNotThere): this
// looks at no disk, as it runs once Ctrl+C is caught (startRun).
func directPaths(requests []worker.Request) map[string]bool {
	set := make(map[string]bool, len(requests))
	for _, r := range requests {
		set[r.Path] = true
	}
	return set
}

// leftoverState is what earlier runs left in the saved queue of one account.
type leftoverState struct {
	pending    int              // jobs still to upload (retried failures included)
	failed     int              // failed jobs
	walking    bool             // folders added but not fully listed
	unreported []storage.JobRow // done jobs whose result no run printed yet
}

// leftovers counts what the saved queue of env and account holds before
// the queue runs (an index range per state, not a read of the list), and
// reads the finished uploads no run has printed yet.
func leftovers(db *storage.DB, env, account string, retryFailed bool) (leftoverState, error) {
	var st leftoverState
	counts, err := db.JobCounts(env, account)
	if err != nil {
		return st, err
	}
	st.pending = counts[storage.JobQueued].Jobs + counts[storage.JobUploading].Jobs + counts[storage.JobWaitingSignIn].Jobs
	st.failed = counts[storage.JobFailed].Jobs
	if retryFailed {
		st.pending += st.failed
	}
	walks, err := db.Walks(env, account)
	if err != nil {
		return st, err
	}
	st.walking = len(walks) > 0
	st.unreported, err = db.UnreportedDone(env, account)
	return st, err
}
