package cli

import (
	"context"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

// openWindow runs the desktop window until the person quits; tests replace
// it to see what the command line asked for.
var openWindow = ui.Run

type windowOptions struct {
	env, home string
}

// newWindowCommand is the root command, `dstor-uploader [--env ENV]
// [--home DIR] [FILE…]`: what a double-click, "Open with" and the .desktop
// file's %F run, so the files given join the upload queue once signed in.
func newWindowCommand(cio IO) *cobra.Command {
	var o windowOptions
	cmd := &cobra.Command{
		Use:   name + " [--env ENV] [--home DIR] [FILE...]",
		Short: "Upload files to dStor and keep the links",
		Long: `dstor-uploader: upload files to dStor and keep the links.

Without a command it opens the dStor Uploader window. Files and folders given
are uploaded once you are signed in. "--env sandbox" starts a dStor-compatible
server on this computer and signs in to it: no account and no network needed.
The commands below do the same from scripts.`,
		Example: `  dstor-uploader                       open the window
  dstor-uploader --env sandbox         the window, signed in to an offline demo server
  dstor-uploader report.pdf photos/    the window, uploading these once signed in`,
		Args: windowArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWindow(cmd.Context(), cio, o, args)
		},
	}
	cmd.Flags().StringVar(&o.env, "env", "", "environment: sandbox (built in, signs in at once), production, testnet, or an API base URL")
	cmd.Flags().StringVar(&o.home, "home", "", "data folder (default $DSTOR_UPLOADER_HOME, else $XDG_DATA_HOME/dstor-uploader)")
	return cmd
}

// windowArgs takes the window's arguments as files to upload. A first
// argument that is neither a command nor an existing file is a mistyped
// command.
func windowArgs(_ *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if _, err := os.Stat(args[0]); err != nil {
		return usageErrorf("unknown command %q", args[0])
	}
	return nil
}

func runWindow(_ context.Context, _ IO, o windowOptions, args []string) error {
	if key := session.ParseKey(o.env); key != "" && key != api.SandboxKey {
		if _, err := api.ParseEnvironment(key); err != nil {
			return usageErrorf("--env: %s", api.Human(err))
		}
	}
	var files []string
	for _, p := range args {
		abs, err := filepath.Abs(p)
		if err != nil {
			return usageErrorf("%s: %v", p, err)
		}
		if _, err := os.Stat(abs); err != nil {
			return usageErrorf("cannot upload %s: %v", p, err)
		}
		files = append(files, abs)
	}
	return openWindow(ui.Options{Env: o.env, Home: o.home, Files: files})
}
