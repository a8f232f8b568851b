package cli

import (
	"context"

	"github.com/spf13/cobra"
)

func newResumeCommand(cio IO) *cobra.Command {
	var o queueOptions
	cmd := &cobra.Command{
		Use:   "resume [--env ENV] [--concurrency N] [--limit-rate RATE] [--retry-failed] [--json]",
		Short: "Finish uploads an earlier run left",
		Long: `Finishes the uploads an earlier run left unfinished (interrupted, killed, or
waiting for sign-in), from the queue kept in the data directory.`,
		Example: `  dstor-uploader resume
  dstor-uploader resume --retry-failed --json`,
		Args: noArgs(`use "dstor-uploader upload" to add files`),
		RunE: func(cmd *cobra.Command, _ []string) error { return runResume(cmd.Context(), cio, o) },
	}
	o.addFlags(cmd)
	cmd.Flags().BoolVar(&o.retryFailed, "retry-failed", false, "also try the failed uploads again")
	return cmd
}

// runResume runs the saved queue until nothing is left to do.
func runResume(ctx context.Context, cio IO, o queueOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	return runQueue(ctx, cio, o, nil)
}
