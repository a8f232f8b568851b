// Command cidof prints the CIDv0 of each file given, as dStor (IPFS) would
// give it on upload. make test-windows uses it to check, on Linux, the CID
// the Windows app recorded under Wine.
package main

import (
	"fmt"
	"os"

	"github.com/dstor-uploader/dstor-uploader/api"
)

func main() {
	status := 0
	for _, path := range os.Args[1:] {
		if err := printCID(path); err != nil {
			fmt.Fprintln(os.Stderr, "cidof:", err)
			status = 1
		}
	}
	os.Exit(status)
}

func printCID(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	cid, err := api.ComputeCID(f)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Println(cid)
	return nil
}
