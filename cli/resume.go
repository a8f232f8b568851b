package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

func newResumeCommand(cio IO) *cobra.Command {
	var o queueOptions
	cmd := &cobra.Command{
		Use:   "resume [--env ENV] [--concurrency N] [--limit-rate RATE] [--retry-failed | --remove-failed] [--json]",
		Short: "Finish uploads an earlier run left",
		Long: `Finishes the uploads an earlier run left unfinished (interrupted, killed, or
waiting for sign-in), from the queue kept in the data directory.
--retry-failed also tries the failed ones again; --remove-failed takes them
out of the queue instead, as the window's Remove does (the history keeps
every upload it recorded).`,
		Example: `  dstor-uploader resume
  dstor-uploader resume --retry-failed --json
  dstor-uploader resume --remove-failed`,
		Args: noArgs(`use "dstor-uploader upload" to add files`),
		RunE: func(cmd *cobra.Command, _ []string) error { return runResume(cmd.Context(), cio, o) },
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVar(&o.retryFailed, "retry-failed", false, "also try the failed uploads again")
	cmd.Flags().BoolVar(&o.removeFailed, "remove-failed", false, "take the failed uploads out of the queue (each is named), then finish the rest")
	return cmd
}

// runResume runs the saved queue until nothing is left to do.
func runResume(ctx context.Context, cio IO, o queueOptions) error {
	if o.retryFailed && o.removeFailed {
		return usageErrorf("--retry-failed and --remove-failed do not go together: the first tries the failed uploads again, the second takes them out of the queue")
	}
	if err := o.validate(); err != nil {
		return err
	}
	return runQueue(ctx, cio, o, nil)
}

// removeFailed takes every failed upload earlier runs left out of the
// account's queue, one by one as the window's Remove does
// (worker.Queue.RemoveFailed: never a job in another state), names each
// and says how many, and counts them out of what earlier runs left. It
// runs before the queue does, so an upload this run fails stays in it.
// A read of the failed uploads that fails stops it: it says so, and how
// many still wait, and the command exits 1.
func (r *queueRun) removeFailed(cio IO) error {
	r.removed = make(map[string]bool)
	stop := r.removeFailedPages()
	removed := len(r.removed)
	r.left.failed = max(r.left.failed-removed, 0)
	if stop == nil {
		fmt.Fprintln(cio.Err, removedFailed(removed))
		return nil
	}
	if removed > 0 {
		fmt.Fprintln(cio.Err, removedFailed(removed))
	}
	fmt.Fprintln(cio.Err, stop.sentence(r.left.failed))
	return &exitError{code: 1}
}

// removeFailedPages removes the failed uploads a page of rows at a time,
// notes (r.removed) and reports each removed, and returns the read that
// stopped it (nil when none did).
func (r *queueRun) removeFailedPages() (stop *unreadFailed) {
	for after := int64(0); ; {
		rows, err := r.db.QueuedJobs(r.env, r.account, storage.JobFailed, after, failedPage)
		if err != nil {
			return &unreadFailed{err: err}
		}
		for _, row := range rows {
			j, ok, err := removeFailedJob(r.q, row.ID)
			if err != nil {
				return &unreadFailed{path: row.LocalPath, err: err}
			}
			if ok {
				r.rep.removed(j)
				r.removed[row.ID] = true
			}
		}
		if len(rows) < failedPage {
			return nil
		}
		after = rows[len(rows)-1].Seq
	}
}

// unreadFailed is the read that stopped removeFailed: of the row of the
// failed upload at path, or of a page of them (path "").
type unreadFailed struct {
	path string
	err  error
}

// sentence says that removeFailed stopped at the read, why, that left
// failed uploads wait in the queue, and to run it again.
func (u *unreadFailed) sentence(left int) string {
	why := api.Human(u.err)
	what := fmt.Sprintf("the failed uploads to remove could not be read from the queue (%s), so the rest were not removed", why)
	if u.path != "" {
		what = fmt.Sprintf("the failed upload %s could not be read from the queue (%s), so it and the failed uploads after it were not removed",
			inert.Text(u.path), why)
	}
	return fmt.Sprintf("Stopped: %s: %d failed upload(s) wait in the queue. "+
		"Run \"dstor-uploader resume --remove-failed\" again to remove them.", what, left)
}

// removeFailedJob is worker.Queue.RemoveFailed, which removeFailed calls
// for each failed upload: a test replaces it to have one refused (a job
// no longer failed) or its row's read fail, which no run brings about at
// will.
var removeFailedJob = (*worker.Queue).RemoveFailed

// removedFailed says how many failed uploads removeFailed took out of
// the queue.
func removedFailed(n int) string {
	if n == 0 {
		return "No failed upload to remove."
	}
	return fmt.Sprintf("Removed %d failed upload(s) from the queue (the history is unchanged).", n)
}
