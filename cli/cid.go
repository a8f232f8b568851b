package cli

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
)

func newCIDCommand(cio IO) *cobra.Command {
	return &cobra.Command{
		Use:   "cid FILE...",
		Short: "Print each file's CID without uploading",
		Long: `Prints the IPFS hash (CIDv0, "Qm…") of each FILE, one per line in the order
given, as "ipfs add -n -Q" does: the hash dStor answers when the file is
uploaded, computed here with IPFS add's defaults. Nothing is uploaded and no
sign-in is needed. It stops at the first file it cannot read, or that changed
while it was read (written to, replaced, moved: no hash is given for it), with
exit status 1.
To compare files with what was uploaded, see "verify".`,
		Example: `  dstor-uploader cid report.pdf
  dstor-uploader cid ~/Pictures/trip/*.jpg`,
		Args: filesNamed("name at least one file"),
		RunE: func(cmd *cobra.Command, args []string) error { return runCID(cmd.Context(), cio, args) },
	}
}

// filesNamed refuses a command line that names no file (saying none), or
// whose argument is empty: "" names no file (an unset shell variable in
// "$FILE" gives one), and reading it would say "choose a file to upload",
// the queue's words.
func filesNamed(none string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageErrorf("%s", none)
		}
		for i, a := range args {
			if a == "" {
				return usageErrorf(`argument %d is empty ("") and names no file: give the file's path (an unset shell variable, as in "$FILE", gives an empty argument)`, i+1)
			}
		}
		return noStandardInput(args)
	}
}

// noStandardInput refuses "-" among args where no file of that name is
// here: many tools read standard input for it, and no command here does,
// which the file's "does not exist" would not say.
func noStandardInput(args []string) error {
	if !slices.Contains(args, "-") {
		return nil
	}
	if _, err := os.Lstat("-"); api.Gone(err) {
		return usageErrorf(`"-" names no file here, and dstor-uploader does not read standard input: ` +
			`save what you would send it to a file (… > FILE) and name that file`)
	}
	return nil
}

// runCID prints the CID of each file, stopping at the first failure so the
// lines printed always belong to the first files named.
func runCID(ctx context.Context, cio IO, paths []string) error {
	for _, p := range paths {
		c, err := api.FileCID(ctx, p)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintln(cio.Out, c); err != nil {
			return err
		}
	}
	return nil
}
