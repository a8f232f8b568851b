package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

// runWindow opens the desktop window: `dstor-uploader [--env ENV] [--home
// DIR] [FILE…]`. It is what a double-click, "Open with" and the .desktop
// file's %F run, so the files given join the upload queue once signed in.
// It returns the process exit status.
func runWindow(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("dstor-uploader", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := fs.String("env", "", "environment: sandbox (built in, signs in at once), production, testnet, or an API base URL")
	home := fs.String("home", "", "data folder (default $DSTOR_UPLOADER_HOME, else $XDG_DATA_HOME/dstor-uploader)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: dstor-uploader [--env ENV] [--home DIR] [FILE…]

Opens the dStor Uploader window. Files and folders given are uploaded once
you are signed in. "--env sandbox" starts a dStor-compatible server on this
computer and signs in to it: no account and no network needed.

`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	switch *env {
	case "", "sandbox":
	default:
		if _, err := api.ParseEnvironment(*env); err != nil {
			fmt.Fprintf(stderr, "dstor-uploader: --env: %s\n", api.Human(err))
			return 2
		}
	}
	var files []string
	for _, p := range fs.Args() {
		abs, err := filepath.Abs(p)
		if err != nil {
			fmt.Fprintf(stderr, "dstor-uploader: %s: %v\n", p, err)
			return 2
		}
		if _, err := os.Stat(abs); err != nil {
			fmt.Fprintf(stderr, "dstor-uploader: cannot upload %s: %v\n", p, err)
			return 2
		}
		files = append(files, abs)
	}
	if err := ui.Run(ui.Options{Env: *env, Home: *home, Files: files}); err != nil {
		fmt.Fprintf(stderr, "dstor-uploader: %v\n", err)
		return 1
	}
	return 0
}
