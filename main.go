// Command dstor-uploader uploads files to dStor (IPFS-based storage) and keeps
// the links. Without a subcommand it opens the desktop window; the subcommands
// run the same code from scripts.
package main

import (
	"fmt"
	"io"
	"os"
)

// version is the app's version, shown by --version and in FyneApp.toml.
const version = "0.1.0"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the process exit status, so tests
// can drive the whole command line without exiting.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cio := cliIO{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		usage(stderr)
		return 2
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

func usage(w io.Writer) {
	fmt.Fprint(w, `dstor-uploader: upload files to dStor and keep the links.

Usage:
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
