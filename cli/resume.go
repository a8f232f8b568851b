package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
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
// (worker.Queue.RemoveFailed: never a job in another state), a page of
// rows at a time, names each and says how many. It runs before the queue
// does, so an upload this run fails stays in it.
func (r *queueRun) removeFailed(cio IO) error {
	removed := 0
	defer func() {
		r.removed = removed
		fmt.Fprintln(cio.Err, removedFailed(removed))
	}()
	for after := int64(0); ; {
		rows, err := r.db.QueuedJobs(r.env, r.account, storage.JobFailed, after, failedPage)
		if err != nil {
			return fmt.Errorf("read the failed uploads to remove: %w", err)
		}
		for _, row := range rows {
			j, ok, err := removeFailedJob(r.q, row.ID)
			if err != nil {
				return fmt.Errorf("remove the failed upload %s: %w", row.LocalPath, err)
			}
			if ok {
				r.rep.removed(j)
				removed++
			}
		}
		r.left.failed = max(r.left.failed-removed, 0)
		if len(rows) < failedPage {
			return nil
		}
		after = rows[len(rows)-1].Seq
	}
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
