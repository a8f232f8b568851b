package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/dstor-uploader/dstor-uploader/ui"
)

// openWindow runs the desktop window until the person quits, and
// windowDisplay says why none can open, asked before the data folder is
// claimed; tests replace both (fakeWindow) to see what the command line
// asked for.
var (
	openWindow    = ui.Run
	windowDisplay = ui.CheckDisplay
)

// statArg is os.Stat, for windowArgs; tests make it wait, as a stat of a
// path on a network mount that does not answer does.
var statArg = os.Stat

type windowOptions struct {
	env, home string
	addFiles  bool
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
	cmd.Flags().BoolVar(&o.addFiles, "add-files", false, "ask which files to upload (the desktop menu's \"Upload files…\")")
	return cmd
}

// windowArgs takes the window's arguments as files to upload. A first
// argument that looks like a command (no dot, no slash, or close to a
// command's name) and is not an existing file is a mistyped command; other
// paths go to the window, which says what is wrong with them, so a person
// who double-clicked sees it. Only one that looks like a command is looked
// at here: a stat of a path on a network mount that does not answer blocks
// for minutes, and the window, which looks at its paths off its UI
// goroutine, would not show meanwhile.
func windowArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	first := args[0]
	if strings.ContainsAny(first, "./"+string(filepath.Separator)) && len(cmd.SuggestionsFor(first)) == 0 {
		return nil
	}
	if _, err := statArg(first); err == nil {
		return nil
	}
	return refusedArgs(cmd, args, "unknown command (not repeated here, as it may be a secret)",
		"the first argument is neither a command ("+commandNames(cmd)+") nor a file or folder here")
}

// commandNames lists cmd's commands a person runs, as help does.
func commandNames(cmd *cobra.Command) string {
	var names []string
	for _, c := range cmd.Commands() {
		if c.IsAvailableCommand() && c.Name() != "help" {
			names = append(names, c.Name())
		}
	}
	return strings.Join(names, ", ")
}

func runWindow(ctx context.Context, cio IO, o windowOptions, args []string) error {
	if key := session.ParseKey(o.env); key != "" && key != api.SandboxKey {
		if _, err := api.ParseEnvironment(key); err != nil {
			return usageErrorf("--env: %s", api.Human(err))
		}
	}
	var files []string
	for _, p := range args {
		abs, err := api.AbsUnresolved(p) // resolved by the window, off its UI goroutine
		if err != nil {
			return usageErrorf("%s: %v", p, err)
		}
		files = append(files, abs)
	}
	// As typed, for the window to say of one starting with a ~ no shell
	// replaced (cmd never does) what upload says.
	typed := api.TypedTildes(args)
	launch := instance.Request{Env: o.env, Paths: files, Typed: typed, Pick: o.addFiles}
	if err := windowDisplay(); err != nil {
		return handOffOnly(ctx, cio, o.home, launch, err)
	}
	home, err := windowHome(o.home)
	if err != nil {
		return err
	}
	opts := ui.Options{Env: o.env, Home: home, Files: files, Typed: typed, PickFiles: o.addFiles}
	claim := startClaim(ctx, home, launch)
	defer claim.close()
	select {
	case <-claim.done:
		handoffs, open, err := claim.outcome(cio)
		if !open {
			return err
		}
		opts.Handoffs = handoffs
	case <-claim.waiting:
		// A command updates the history: the window opens now and says
		// so until the claim is made (or the person quits).
		opts.Claimed = func(ctx context.Context) (<-chan instance.Handoff, bool, error) {
			stop := context.AfterFunc(ctx, claim.cancel)
			defer stop()
			<-claim.done
			if ctx.Err() != nil {
				return nil, false, nil
			}
			return claim.outcome(cio)
		}
	}
	return openWindow(opts)
}

// handOffOnly is a launch that cannot open a window (noWindow says why):
// its files go to a window already running on the data folder (it says
// those not there: sayNotThere), else it says noWindow. It neither makes nor claims the data folder, so nothing
// changes on disk.
func handOffOnly(ctx context.Context, cio IO, homeFlag string, launch instance.Request, noWindow error) error {
	home, err := windowHomePath(homeFlag)
	if err != nil {
		return err
	}
	handed, err := instance.HandOff(ctx, home, launch)
	switch {
	case handed:
		sayNotThere(cio, launch)
		return nil
	case errors.Is(err, instance.ErrRefused), errors.Is(err, instance.ErrUnconfirmed):
		return err // the running window's sentence says what to do
	}
	return noWindow
}

// sayNotThere says, for a launch whose files the running window took,
// each of them not there (api.SplitNotThere: the command line's sentence;
// a path named twice, once): the window names them in a notice and queues
// nothing for them, but a person who typed the launch in a terminal looks
// there, not at the window. A launch that becomes the window leaves them
// to its notice. One the running window refused says only the window's
// sentence, which is what Windows' message box shows (errorBox, cut at
// maxErrorBoxText): opening the files again names the paths not there.
func sayNotThere(cio IO, launch instance.Request) {
	_, notThere := api.SplitNotThere(launch.Paths, launch.Typed)
	for _, why := range notThere {
		fmt.Fprintf(cio.Err, "%s: %s; the window added nothing for it\n", name, inert.Line(why.Error()))
	}
}

// windowClaim is the window's claim of its data folder (instance.Claim),
// made on a goroutine of its own: when it waits for a command updating the
// upload history, waiting is closed and the window opens meanwhile. done
// is closed once srv, handed and err hold Claim's answer.
type windowClaim struct {
	cancel  context.CancelFunc
	waiting chan struct{}
	done    chan struct{}
	launch  instance.Request // to say its files not there once handed over
	srv     *instance.Server
	handed  bool
	err     error
}

// startClaim starts claiming home for a window launched with req.
func startClaim(ctx context.Context, home string, req instance.Request) *windowClaim {
	ctx, cancel := context.WithCancel(ctx)
	c := &windowClaim{cancel: cancel, waiting: make(chan struct{}), done: make(chan struct{}), launch: req}
	go func() {
		defer close(c.done)
		c.srv, c.handed, c.err = instance.ClaimWaiting(ctx, home, req, func() { close(c.waiting) })
	}()
	return c
}

// outcome is what the window does with the claim once done: take the
// later launches' files (the hand-offs), or not open, with why (nil when
// the running window took this launch's files, once it has said those not
// there: sayNotThere).
func (c *windowClaim) outcome(cio IO) (handoffs <-chan instance.Handoff, open bool, err error) {
	switch {
	case c.handed:
		sayNotThere(cio, c.launch)
		return nil, false, nil // the running window has them
	case errors.Is(c.err, instance.ErrRefused), errors.Is(c.err, instance.ErrUnconfirmed),
		errors.Is(c.err, storage.ErrUpdateTooLong):
		// The running window did not take them and said why (its
		// sentence says what to do), or has them but did not say they
		// are saved; or a command has been updating the history for
		// longer than a window waits (its open would wait as long
		// again): exit 1 with it, no second window.
		return nil, false, c.err
	case c.err != nil:
		// No hand-off and no claim: this window runs on its own, and the
		// account's queue lock still keeps two from uploading twice.
		fmt.Fprintf(cio.Err, "%s: %s; opening a window of its own\n", name, api.Human(c.err))
		return nil, true, nil
	}
	return c.srv.Requests(), true, nil
}

// close stops the claim (a wait for an update) and lets the data folder
// go once the window has closed.
func (c *windowClaim) close() {
	c.cancel()
	<-c.done
	if c.srv != nil {
		_ = c.srv.Close()
	}
}

// windowHome is the window's data folder (windowHomePath), made private
// when missing.
func windowHome(flag string) (string, error) {
	home, err := windowHomePath(flag)
	if err != nil {
		return "", err
	}
	if err := storage.MakeDataDir(home); err != nil {
		return "", err
	}
	return home, nil
}

// windowHomePath is where the window's data folder is, without making it:
// --home, else $DSTOR_UPLOADER_HOME, else the platform's place.
func windowHomePath(flag string) (string, error) {
	if flag == "" {
		return storage.DataDirPath()
	}
	abs, err := filepath.Abs(flag)
	if err != nil {
		return "", usageErrorf("--home: %v", err)
	}
	return abs, nil
}
