package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

const uploadUsage = `Usage: dstor-uploader upload [--env ENV] [--folder-path P | --parent-id N] [--comment C] [--concurrency N] [--json] PATH...

Uploads files and folders to dStor and prints, per file, "<hash>  <link>  <name>"
(or one JSON object per line with --json). A folder keeps its structure under
the folder path. Every file is verified: the hash dStor answers must equal the
one computed locally. The exit status is 1 when any file failed; an
interrupted run (Ctrl+C) is finished later with "dstor-uploader resume".

Sign in first with "dstor-uploader login", or set DSTOR_API_KEY.

Examples:
  dstor-uploader upload report.pdf
  dstor-uploader upload --folder-path /photos/2026/ --comment "trip" ~/Pictures/trip
  DSTOR_API_KEY=... dstor-uploader upload --env testnet --json build/*.tar.gz
`

const resumeUsage = `Usage: dstor-uploader resume [--env ENV] [--concurrency N] [--retry-failed] [--json]

Finishes the uploads an earlier run left unfinished (interrupted, killed, or
waiting for sign-in), from the queue kept in the data directory.

Examples:
  dstor-uploader resume
  dstor-uploader resume --retry-failed --json
`

// parentIDFlag records whether --parent-id was given, since 0 (the root) is
// a valid id.
type parentIDFlag struct{ id *int64 }

func (p *parentIDFlag) String() string {
	if p.id == nil {
		return ""
	}
	return strconv.FormatInt(*p.id, 10)
}

func (p *parentIDFlag) Set(s string) error {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a whole number", s)
	}
	if err := api.ValidateParentID(n); err != nil {
		return err
	}
	p.id = &n
	return nil
}

type uploadOptions struct {
	env         string
	concurrency int
	json        bool
	retryFailed bool
	requests    []worker.Request
}

func runUpload(args []string, cio cliIO) int {
	fs := newFlagSet("upload", uploadUsage, cio.stderr)
	var opts uploadOptions
	var parent parentIDFlag
	fs.StringVar(&opts.env, "env", "", "environment: production, testnet, or a base URL (default: the last one signed in to)")
	folder := fs.String("folder-path", "", "destination folder, absolute, e.g. /photos/2026/")
	fs.Var(&parent, "parent-id", "destination folder id (0 = root); not with --folder-path")
	comment := fs.String("comment", "", "a comment stored with each file")
	fs.IntVar(&opts.concurrency, "concurrency", 0, "uploads at a time, 1 to 16 (default: the setting, 3)")
	fs.BoolVar(&opts.json, "json", false, "print one JSON object per file")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(cio.stderr, "dstor-uploader upload: name at least one file or folder to upload")
		return 2
	}
	if *folder != "" && parent.id != nil {
		fmt.Fprintln(cio.stderr, "dstor-uploader upload: use --folder-path or --parent-id, not both (dStor takes one destination)")
		return 2
	}
	if err := api.ValidateFolderPath(*folder); err != nil {
		fmt.Fprintln(cio.stderr, "dstor-uploader upload:", api.Human(err))
		return 2
	}
	if err := api.ValidateComment(*comment); err != nil {
		fmt.Fprintln(cio.stderr, "dstor-uploader upload:", api.Human(err))
		return 2
	}
	if opts.concurrency != 0 && (opts.concurrency < 1 || opts.concurrency > 16) {
		fmt.Fprintln(cio.stderr, "dstor-uploader upload: --concurrency must be between 1 and 16")
		return 2
	}
	for _, p := range fs.Args() {
		opts.requests = append(opts.requests, worker.Request{Path: p, FolderPath: *folder, ParentID: parent.id, Comment: *comment})
	}
	return runQueue(opts, cio)
}

func runResume(args []string, cio cliIO) int {
	fs := newFlagSet("resume", resumeUsage, cio.stderr)
	var opts uploadOptions
	fs.StringVar(&opts.env, "env", "", "environment: production, testnet, or a base URL (default: the last one signed in to)")
	fs.IntVar(&opts.concurrency, "concurrency", 0, "uploads at a time, 1 to 16 (default: the setting, 3)")
	fs.BoolVar(&opts.retryFailed, "retry-failed", false, "also try the failed uploads again")
	fs.BoolVar(&opts.json, "json", false, "print one JSON object per file")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(cio.stderr, "dstor-uploader resume: takes no paths; use \"dstor-uploader upload\" to add files")
		return 2
	}
	if opts.concurrency != 0 && (opts.concurrency < 1 || opts.concurrency > 16) {
		fmt.Fprintln(cio.stderr, "dstor-uploader resume: --concurrency must be between 1 and 16")
		return 2
	}
	return runQueue(opts, cio)
}

// runQueue signs in, runs the persisted queue with the new requests until
// nothing is left to do, and reports every file that finished.
func runQueue(opts uploadOptions, cio cliIO) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	st, err := openCLIStore(opts.env)
	if err != nil {
		return fail(cio.stderr, err)
	}
	defer st.db.Close()
	db, secrets, settings, env := st.db, st.secrets, st.settings, st.env
	client, err := api.NewClient(env.Environment, nil)
	if err != nil {
		return fail(cio.stderr, err)
	}
	signInCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	sess, err := restoreSession(signInCtx, client, env, db, secrets)
	cancel()
	if err != nil {
		return fail(cio.stderr, err)
	}
	concurrency := opts.concurrency
	if concurrency == 0 {
		concurrency = settings.Concurrency
	}
	// What earlier runs left, read before the queue starts: once it runs, a
	// leftover upload can finish (or fail) before this run looks, and would
	// then be taken for an old result and never reported.
	left, err := leftovers(db, env.Key, sess.Account, opts.retryFailed)
	if err != nil {
		return fail(cio.stderr, err)
	}
	q, err := worker.New(worker.Config{
		Client: client, DB: db, Tokens: sess.Tokens,
		Env: env.Key, Account: sess.Account, Concurrency: concurrency,
	})
	if err != nil {
		return fail(cio.stderr, err)
	}
	defer q.Close()

	rep := newReporter(cio, opts.json, func(hash string) string { return linkFor(settings, env.Environment, hash) })
	defer rep.close()
	events, unsubscribe := q.Subscribe(1024)
	defer unsubscribe()

	if opts.retryFailed {
		q.RetryFailed()
	}
	// Failures of earlier runs stay in the saved queue (for the window and
	// --retry-failed); this run reports only what it uploads.
	for id := range left.old {
		rep.ignore(id)
	}
	if left.pending > 0 && len(opts.requests) > 0 {
		fmt.Fprintf(cio.stderr, "Also finishing %d upload(s) left from an earlier run.\n", left.pending)
	}
	if len(opts.requests) == 0 && left.pending == 0 && !left.walking {
		if left.failed > 0 && !opts.retryFailed {
			fmt.Fprintf(cio.stderr, "Nothing to resume; %d failed upload(s) can be tried again with --retry-failed.\n", left.failed)
		} else {
			fmt.Fprintln(cio.stderr, "Nothing to resume: the queue is empty.")
		}
		return 0
	}
	q.Add(opts.requests...)

	done := make(chan error, 1)
	go func() { done <- q.Wait(ctx) }()
	var waitErr error
loop:
	for {
		select {
		case ev := <-events:
			rep.event(ev)
		case waitErr = <-done:
			break loop
		}
	}
	// A second Ctrl+C while the queue closes ends the process at once (the
	// rows left "uploading" are resumed by the next run). stop cancels ctx,
	// so whether this run was interrupted is read first.
	interrupted := ctx.Err() != nil
	stop()
	// Every job's final state, in add order, whatever events coalesced.
	for _, j := range q.Jobs() {
		rep.job(j)
	}
	rep.close()

	sum := rep.summary()
	switch {
	case interrupted:
		fmt.Fprintf(cio.stderr, "Interrupted: %s. Run \"dstor-uploader resume\" to finish.\n", sum)
		return 130
	case errors.Is(waitErr, worker.ErrSignInRequired):
		fmt.Fprintf(cio.stderr, "Stopped: the sign-in expired (%s). Run \"dstor-uploader login\", then \"dstor-uploader resume\".\n", sum)
		return 1
	case waitErr != nil:
		fmt.Fprintf(cio.stderr, "%s; %s\n", sum, api.Human(waitErr))
		return 1
	}
	fmt.Fprintln(cio.stderr, sum)
	if rep.failed > 0 || rep.canceled > 0 {
		return 1
	}
	return 0
}

// leftoverState is what earlier runs left in the saved queue of one account.
type leftoverState struct {
	old     map[string]bool // finished jobs this run must not report
	pending int             // jobs still to upload (retried failures included)
	failed  int             // failed jobs
	walking bool            // folders added but not fully listed
}

// leftovers reads the saved queue of env and account before the queue runs.
func leftovers(db *storage.DB, env, account string, retryFailed bool) (leftoverState, error) {
	st := leftoverState{old: map[string]bool{}}
	rows, err := db.Jobs()
	if err != nil {
		return st, err
	}
	for _, r := range rows {
		if r.Env != env || r.Account != account {
			continue
		}
		switch r.State {
		case storage.JobQueued, storage.JobUploading, storage.JobWaitingSignIn:
			st.pending++
		case storage.JobFailed:
			st.failed++
			if retryFailed {
				st.pending++
			} else {
				st.old[r.ID] = true
			}
		case storage.JobCanceled, storage.JobSkipped, storage.JobDone:
			st.old[r.ID] = true
		}
	}
	walks, err := db.Walks(env, account)
	if err != nil {
		return st, err
	}
	st.walking = len(walks) > 0
	return st, nil
}

// reporter prints each finished file once, and progress bars on a terminal.
type reporter struct {
	cio  cliIO
	json bool
	link func(hash string) string

	mu       sync.Mutex
	reported map[string]bool
	start    time.Time
	bytes    int64
	done     int
	failed   int
	canceled int
	skipped  int

	progress *mpb.Progress // nil when stderr is not a terminal
	bars     map[string]*mpb.Bar
	out      io.Writer // where result lines go (above the bars on a terminal)

	speedMu sync.Mutex
	speeds  map[string]float64
}

func newReporter(cio cliIO, asJSON bool, link func(string) string) *reporter {
	r := &reporter{cio: cio, json: asJSON, link: link, reported: map[string]bool{}, start: time.Now(), out: cio.stdout, bars: map[string]*mpb.Bar{}, speeds: map[string]float64{}}
	if f, ok := cio.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		r.progress = mpb.New(mpb.WithOutput(f), mpb.WithWidth(32), mpb.WithRefreshRate(150*time.Millisecond))
		if o, ok := cio.stdout.(*os.File); ok && term.IsTerminal(int(o.Fd())) {
			r.out = r.progress // print above the bars, not through them
		}
	}
	return r
}

// ignore marks a job this run must not report (a leftover of an earlier run).
func (r *reporter) ignore(id string) {
	r.mu.Lock()
	r.reported[id] = true
	r.mu.Unlock()
}

func (r *reporter) event(ev worker.Event) {
	if ev.Kind == worker.JobAdded || ev.Kind == worker.JobChanged {
		r.job(ev.Job)
	}
}

func (r *reporter) job(j worker.Job) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.reported[j.ID] {
		return
	}
	if !j.State.Final() {
		r.updateBar(j)
		return
	}
	r.reported[j.ID] = true
	if bar := r.bars[j.ID]; bar != nil {
		// The result line replaces the bar (SetTotal would not complete a
		// bar made with a known total).
		bar.Abort(true)
		delete(r.bars, j.ID)
	}
	switch j.State {
	case storage.JobDone:
		r.done++
		r.bytes += j.Size
	case storage.JobFailed:
		r.failed++
	case storage.JobCanceled:
		r.canceled++
	case storage.JobSkipped:
		r.skipped++
	}
	if r.json {
		r.printJSON(j)
		return
	}
	if j.State == storage.JobDone {
		fmt.Fprintf(r.out, "%s  %s  %s\n", j.Hash, r.link(j.Hash), j.Name)
		return
	}
	fmt.Fprintf(r.errOut(), "%s  %s: %s\n", strings.ToUpper(string(j.State)), j.LocalPath, j.Err)
}

// errOut is stderr, or the bar container when bars are drawn there.
func (r *reporter) errOut() io.Writer {
	if r.progress != nil {
		return r.progress
	}
	return r.cio.stderr
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
				decor.CountersKibiByte("% .1f / % .1f", decor.WCSyncSpace),
				decor.Any(func(decor.Statistics) string { return speedText(r.barSpeed(j.ID)) }, decor.WCSyncSpace),
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

func (r *reporter) setSpeed(id string, v float64) {
	r.speedMu.Lock()
	r.speeds[id] = v
	r.speedMu.Unlock()
}

func speedText(bps float64) string {
	if bps <= 0 {
		return ""
	}
	return humanBytes(int64(bps)) + "/s"
}

func (r *reporter) printJSON(j worker.Job) {
	rec := struct {
		Name       string `json:"name"`
		Path       string `json:"path"`
		State      string `json:"state"`
		Hash       string `json:"hash,omitempty"`
		Link       string `json:"link,omitempty"`
		Size       int64  `json:"size"`
		Verified   bool   `json:"verified"`
		FolderPath string `json:"folder_path,omitempty"`
		ParentID   *int64 `json:"parent_id,omitempty"`
		Attempts   int    `json:"attempts"`
		Error      string `json:"error,omitempty"`
	}{j.Name, j.LocalPath, string(j.State), j.Hash, "", j.Size, j.Verified, j.FolderPath, j.ParentID, j.Attempts, j.Err}
	if j.Hash != "" {
		rec.Link = r.link(j.Hash)
	}
	b, _ := json.Marshal(rec)
	fmt.Fprintf(r.out, "%s\n", b)
}

func (r *reporter) close() {
	r.mu.Lock()
	p := r.progress
	r.progress = nil
	for id, bar := range r.bars {
		bar.Abort(true)
		delete(r.bars, id)
	}
	r.out = r.cio.stdout
	r.mu.Unlock()
	if p != nil {
		p.Wait()
	}
}

func (r *reporter) summary() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	elapsed := time.Since(r.start).Round(10 * time.Millisecond)
	s := fmt.Sprintf("Uploaded %d file(s), %s, in %s", r.done, humanBytes(r.bytes), elapsed)
	if r.failed > 0 {
		s += fmt.Sprintf(" · %d failed", r.failed)
	}
	if r.canceled > 0 {
		s += fmt.Sprintf(" · %d canceled", r.canceled)
	}
	if r.skipped > 0 {
		s += fmt.Sprintf(" · %d skipped", r.skipped)
	}
	return s
}

// humanBytes prints a byte count the way people read file sizes (SI units).
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
