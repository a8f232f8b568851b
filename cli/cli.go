// Package cli is dstor-uploader's command line: one file per subcommand,
// each a cobra command whose run function takes a context, the process's
// IO and the parsed arguments and returns an error. Run maps those errors
// to exit statuses in one place (a UsageError is 2) and prints them as
// sentences that say what to do. Without a subcommand the command line
// opens the desktop window (window.go), so a double-click, "Open with" and
// a script share one entry point.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
)

// Version is the app's version, shown by --version and the version command
// (FyneApp.toml carries the same number for packages).
const Version = "0.1.0"

// name is the command as people type it.
const name = "dstor-uploader"

// IO is what a command reads and writes, so tests can drive it.
type IO struct {
	In       io.Reader
	Out, Err io.Writer
}

// UsageError is a command line that cannot be run as given (a missing or
// extra argument, flags that do not go together): exit status 2.
type UsageError struct {
	msg string
	// flags is set on the flag parser's error: an argument it took for
	// flags may be a file whose name begins with "-" (dashedPathHint).
	flags bool
}

func (e *UsageError) Error() string { return e.msg }

// usageErrorf makes a UsageError.
func usageErrorf(format string, args ...any) error {
	return &UsageError{msg: fmt.Sprintf(format, args...)}
}

// exitError ends a command with status code after it has said why itself
// (an upload run with failed files, an interrupted one).
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Main runs the command line of this process and returns its exit status.
// It attaches to the console it was started from (Windows' GUI-subsystem
// .exe, see attachParentConsole) and tunes the garbage collector for the
// command (see tuneGC) first, which Run leaves alone so that tests can run
// commands in-process.
func Main() int {
	attachParentConsole()
	// Libraries log server text through the standard logger (net/http's
	// stray bytes after an answer); keep the secrets sent out of it.
	log.SetOutput(api.RedactingWriter(os.Stderr))
	cio := IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
	cmd, _, err := newRoot(cio).Find(os.Args[1:])
	var box *errorBox
	if err == nil && !cmd.HasParent() {
		// The window: a double-click has no console, so what keeps it
		// from starting also goes to a message box (on Windows).
		box = newErrorBox(cio.Err)
		cio.Err = box
	}
	if err == nil {
		tuneGC(gcProfileOf(cmd))
	}
	status := execute(context.Background(), newRoot(cio), os.Args[1:], cio)
	box.show(status)
	return status
}

// Run runs the command line with args (without the program name) and
// returns the exit status.
func Run(ctx context.Context, args []string, cio IO) int {
	return execute(ctx, newRoot(cio), args, cio)
}

// execute runs root and maps what it returns to an exit status: 0, 1 for
// a failure, 2 for a usage error, or the status a command chose.
func execute(ctx context.Context, root *cobra.Command, args []string, cio IO) int {
	// Never nil: cobra reads os.Args for nil, and Run is given its args.
	root.SetArgs(append([]string{}, args...))
	stopProfile := func() error { return nil }
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		stop, err := startProfile(cmd)
		if err == nil {
			stopProfile = stop
		}
		return err
	}
	cmd, err := root.ExecuteContextC(ctx)
	if perr := stopProfile(); perr != nil && err == nil {
		err = perr
	}
	var usage *UsageError
	var exit *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.code
	case errors.As(err, &usage):
		msg := usage.msg
		if usage.flags {
			msg += dashedPathHint(args)
		}
		fmt.Fprintf(cio.Err, "%s: %s\nRun \"%s --help\" for usage.\n", cmd.CommandPath(), msg, cmd.CommandPath())
		return 2
	}
	msg, ok := keyringSentence(err)
	if !ok {
		msg = api.Human(err)
	}
	fmt.Fprintf(cio.Err, "%s: %s\n", cmd.CommandPath(), msg)
	return 1
}

// dashedPathHint says, for the first of args before a "--" that begins
// with "-" and names a file or folder here, how to give it as a path: a
// flag parser cannot tell "upload -rf.txt" from flags. "" when none does.
func dashedPathHint(args []string) string {
	for _, a := range args {
		if a == "--" {
			break
		}
		if len(a) < 2 || a[0] != '-' {
			continue
		}
		if _, err := os.Lstat(a); err == nil {
			return fmt.Sprintf(" — %q is a file or folder here: to give it, write .%c%s or put -- before it", a, filepath.Separator, a)
		}
	}
	return ""
}

// newRoot builds the command tree. The root command opens the window; the
// subcommands are the command line proper; cobra adds help and
// completion (bash, zsh, fish, PowerShell).
func newRoot(cio IO) *cobra.Command {
	// A double-click from Explorer opens the window: no "run me from
	// cmd.exe" screen on Windows.
	cobra.MousetrapHelpText = ""
	root := newWindowCommand(cio)
	root.Version = Version
	root.SetVersionTemplate("{{.Name}} {{.Version}}\n")
	root.SetIn(cio.In)
	root.SetOut(cio.Out)
	root.SetErr(cio.Err)
	root.SilenceErrors = true
	root.SilenceUsage = true
	addProfileFlag(root)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &UsageError{msg: flagErrorText(cmd, err), flags: true}
	})
	root.AddCommand(
		newLoginCommand(cio),
		newLogoutCommand(cio),
		newUploadCommand(cio),
		newResumeCommand(cio),
		newHistoryCommand(cio),
		newVerifyCommand(cio),
		newCIDCommand(cio),
		newSandboxCommand(cio),
		newVersionCommand(cio),
	)
	refuseCompletionArgs(root)
	return root
}

// refuseCompletionArgs makes cobra's completion commands refuse an
// argument as every command does (refusedArgs): cobra's own refusal
// repeats it ('unknown command "…"'), and "completion" alone printed its
// help, exit 0, for any word after it.
func refuseCompletionArgs(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Use = "completion SHELL"
		c.Args = noArgs("name a shell: " + commandNames(c))
		c.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
		for _, shell := range c.Commands() {
			shell.Args = noArgs("it takes only flags")
		}
	}
}

// noArgs refuses positional arguments, saying why, without repeating
// them (refusedArgs).
func noArgs(why string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return nil
		}
		what, it := "1 unexpected argument", "it"
		if len(args) > 1 {
			what, it = fmt.Sprintf("%d unexpected arguments", len(args)), "one"
		}
		return refusedArgs(cmd, args, what+" (not repeated here, as "+it+" may be a secret)", why)
	}
}

// refusedArgs is the usage error of cmd given args it does not take: what
// they are and why they are refused, a name of cmd's commands close to
// the first, and cmd's usage, but never the arguments themselves. A word
// in the wrong place is as likely a secret (an API key pasted as the
// first argument, a password typed after login) as a typo, and the error
// output ends up in a terminal's scrollback and a CI job's log.
func refusedArgs(cmd *cobra.Command, args []string, what, why string) error {
	var didYouMean string
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = typoEdits
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		didYouMean = fmt.Sprintf(" Did you mean %q?", s[0])
	}
	return usageErrorf("%s; %s.%s\nUsage: %s", what, why, didYouMean, cmd.UseLine())
}
