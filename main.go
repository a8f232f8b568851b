// Command dstor-uploader uploads files to dStor (IPFS-based storage) and
// keeps the links: without a command it opens the desktop window, with one
// it runs the same code from scripts. Everything lives in package cli.
package main

import (
	"os"

	"github.com/dstor-uploader/dstor-uploader/cli"
)

func main() { os.Exit(cli.Main()) }
