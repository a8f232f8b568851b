package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// exitInterrupted is the exit status of a run ended by Ctrl+C (128+SIGINT,
// as shells report it).
const exitInterrupted = 130

// queueOptions are the flags upload and resume share.
type queueOptions struct {
	env         string
	concurrency int
	limitRate   string // --limit-rate, as given ("" when not)
	json        bool
	retryFailed bool
	changed     func(flag string) bool // whether a flag was given (a --concurrency 0 from none)
}

func (o *queueOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	o.changed = f.Changed
	f.StringVar(&o.env, "env", "", "environment: production, testnet, or a base URL (default: the last one signed in to)")
	f.IntVar(&o.concurrency, "concurrency", 0, fmt.Sprintf("uploads at a time, %d to %d (default: the setting, %d)",
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
func runQueue(ctx context.Context, cio IO, o queueOptions, requests []worker.Request) error {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, err := openStore(o.env)
	if err != nil {
		return err
	}
	defer st.db.Close()
	run, err := startRun(ctx, cio, st, o)
	if err != nil {
		return err
	}
	defer run.close()
	if !run.announce(cio, o, len(requests)) {
		return nil
	}
	run.q.Add(requests...)
	run.q.Resume()
	waitErr := drain(ctx, run.q, run.events, run.rep)
	run.unsubscribe() // a queue still uploading (Ctrl+C) must not wait for this reader
	// A second Ctrl+C while the queue closes ends the process at once (the
	// rows left "uploading" are resumed by the next run). stop cancels ctx,
	// so whether this run was interrupted is read first.
	interrupted := ctx.Err() != nil
	stop()
	run.rep.close()
	return runOutcome(cio, run.rep, interrupted, waitErr)
}

// queueRun is one run of an account's saved queue: the queue, its events,
// what earlier runs left, and the reporter.
type queueRun struct {
	q           *worker.Queue
	events      <-chan worker.Event
	unsubscribe func()
	rep         *reporter
	left        leftoverState
}

// startRun signs in and starts the account's queue, paused, counting first
// what earlier runs left. Started paused and subscribed to before it runs,
// the queue reports every job this run finishes, a leftover of an earlier
// run included; the jobs earlier runs finished (or failed) stay in the
// saved queue, for the window and --retry-failed, and send no event.
func startRun(ctx context.Context, cio IO, st *store, o queueOptions) (*queueRun, error) {
	client, err := api.NewClient(st.env, nil)
	if err != nil {
		return nil, err
	}
	sess, err := restoreSession(ctx, client, st)
	if err != nil {
		return nil, err
	}
	left, err := leftovers(st.db, st.envKey, sess.Account, o.retryFailed)
	if err != nil {
		return nil, err
	}
	limit, err := o.uploadRate(st.settings.UploadLimit)
	if err != nil {
		return nil, err // validate refused it already
	}
	q, err := worker.New(worker.Config{
		Client: client, DB: st.db, Tokens: sess.Tokens, Paused: true,
		Env: st.envKey, Account: sess.Account, Concurrency: cmp.Or(o.concurrency, st.settings.Concurrency),
		UploadLimit: limit,
	})
	if err != nil {
		return nil, err
	}
	links := session.Links(st.settings, st.env)
	run := &queueRun{q: q, left: left,
		rep: newReporter(cio, o.json, func(hash, name string) string { return links.Link(st.envKey, hash, name) })}
	run.rep.limit = limit
	run.events, run.unsubscribe = q.Subscribe(1024)
	if o.retryFailed {
		q.RetryFailed()
	}
	return run, nil
}

// announce says what this run takes on besides the new requests, and
// reports whether there is anything to do at all.
func (r *queueRun) announce(cio IO, o queueOptions, requests int) bool {
	if r.left.pending > 0 && requests > 0 {
		fmt.Fprintf(cio.Err, "Also finishing %d upload(s) left from an earlier run.\n", r.left.pending)
	}
	if requests > 0 || r.left.pending > 0 || r.left.walking {
		return true
	}
	if r.left.failed > 0 && !o.retryFailed {
		fmt.Fprintf(cio.Err, "Nothing to resume; %d failed upload(s) can be tried again with --retry-failed.\n", r.left.failed)
	} else {
		fmt.Fprintln(cio.Err, "Nothing to resume: the queue is empty.")
	}
	return false
}

// close stops the events, the reporter and the queue.
func (r *queueRun) close() {
	r.unsubscribe()
	r.rep.close()
	_ = r.q.Close()
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
// result: exit 130 when interrupted, 1 when a file failed or the run
// stopped, else success.
func runOutcome(cio IO, rep *reporter, interrupted bool, waitErr error) error {
	sum := rep.summary()
	switch {
	case interrupted:
		fmt.Fprintf(cio.Err, "Interrupted: %s. Run \"dstor-uploader resume\" to finish.\n", sum)
		return &exitError{code: exitInterrupted}
	case errors.Is(waitErr, worker.ErrSignInRequired):
		fmt.Fprintf(cio.Err, "Stopped: the sign-in expired (%s). Run \"dstor-uploader login\", then \"dstor-uploader resume\".\n", sum)
		return &exitError{code: 1}
	case waitErr != nil:
		fmt.Fprintf(cio.Err, "%s; %s\n", sum, api.Human(waitErr))
		return &exitError{code: 1}
	}
	fmt.Fprintln(cio.Err, sum)
	if rep.failed > 0 || rep.canceled > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// leftoverState is what earlier runs left in the saved queue of one account.
type leftoverState struct {
	pending int  // jobs still to upload (retried failures included)
	failed  int  // failed jobs
	walking bool // folders added but not fully listed
}

// leftovers counts what the saved queue of env and account holds before
// the queue runs (an index range per state, not a read of the list).
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
	return st, nil
}
