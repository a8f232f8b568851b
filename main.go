// Command dstor-uploader uploads files to dStor (IPFS-based storage) and keeps
// the links. Without a subcommand it opens the desktop window; the subcommands
// run the same code from scripts.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// version is the app's version, shown by --version and in FyneApp.toml.
const version = "0.1.0"

func main() {
	tuneGC(os.Args[1:])
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the process exit status, so tests
// can drive the whole command line without exiting.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cio := cliIO{stdin: stdin, stdout: stdout, stderr: stderr}
	if opensWindow(args) {
		return runWindow(args, stderr)
	}
	switch args[0] {
	case "sandbox":
		return runSandbox(args[1:], stdout, stderr)
	case "login":
		return runLogin(args[1:], cio)
	case "logout":
		return runLogout(args[1:], cio)
	case "upload":
		return runUpload(args[1:], cio)
	case "resume":
		return runResume(args[1:], cio)
	case "history":
		return runHistory(args[1:], cio)
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return 0
	case "version", "--version":
		fmt.Fprintln(stdout, "dstor-uploader", version)
		return 0
	default:
		fmt.Fprintf(stderr, "dstor-uploader: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
}

// opensWindow tells the window's invocations (a double-click: no arguments;
// "Open with" and the .desktop file's %F: file paths; --env and --home)
// from the subcommands.
func opensWindow(args []string) bool {
	if len(args) == 0 {
		return true
	}
	switch a := args[0]; {
	case a == "-h", a == "-help", a == "--help", a == "--version":
		return false
	case strings.HasPrefix(a, "-"):
		return true
	}
	if _, isCommand := commands[args[0]]; isCommand {
		return false
	}
	_, err := os.Stat(args[0])
	return err == nil
}

// commands are the subcommand names, which win over a file of the same name
// in the current folder.
var commands = map[string]bool{
	"sandbox": true, "login": true, "logout": true, "upload": true, "resume": true,
	"history": true, "help": true, "version": true,
}

func usage(w io.Writer) {
	fmt.Fprint(w, `dstor-uploader: upload files to dStor and keep the links.

Usage:
  dstor-uploader [--env ENV] [FILE...]  open the window (--env sandbox: offline demo)
  dstor-uploader login [flags]          sign in; secrets go to the OS keyring
  dstor-uploader logout [flags]         sign out; secrets leave the keyring
  dstor-uploader upload [flags] PATH... upload files and folders, print their links
  dstor-uploader resume [flags]         finish uploads an earlier run left
  dstor-uploader history [flags]        list uploaded files and their links
  dstor-uploader sandbox [flags]        run a dStor-compatible server on loopback
  dstor-uploader version                print the version

Run "dstor-uploader COMMAND --help" for a command's flags and examples.
`)
}
