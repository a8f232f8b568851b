package cli

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

type historyOptions struct {
	search        string
	limit         int
	asJSON, asCSV bool
	format        string // a link style: print the links alone, one per line
}

func newHistoryCommand(cio IO) *cobra.Command {
	var o historyOptions
	cmd := &cobra.Command{
		Use:   "history [--search Q] [--limit N] [--json | --csv | --format STYLE]",
		Short: "List uploaded files and their links",
		Long: `Lists finished uploads, newest first: hash, link and name (or every field as
JSON or CSV). --search keeps entries whose name, hash, comment or folder
contains Q. --format prints only the links, one per line, ready to paste:
gateway (https://…/ipfs/CID?filename=NAME), ipfs (ipfs://CID), cid,
markdown ([NAME](URL)) or html (<a href="URL">NAME</a>); with --json or
--csv it sets the style of the link field. Without it links follow the
style chosen in the window's Settings.`,
		Example: `  dstor-uploader history --limit 20
  dstor-uploader history --search invoices --json
  dstor-uploader history --csv > uploads.csv
  dstor-uploader history --search photos --format markdown`,
		Args: noArgs("search with --search"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runHistory(cmd.Context(), cio, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.search, "search", "", "only entries whose name, hash, comment or folder contains this")
	f.IntVar(&o.limit, "limit", 50, "at most this many entries (0 = all)")
	f.BoolVar(&o.asJSON, "json", false, "print a JSON array with every field")
	f.BoolVar(&o.asCSV, "csv", false, "print CSV with every field")
	f.StringVar(&o.format, "format", "", "print only the links in this style: "+strings.Join(api.LinkStyles, ", "))
	return cmd
}

// runHistory prints the history, newest first.
func runHistory(_ context.Context, cio IO, o historyOptions) error {
	if o.asJSON && o.asCSV {
		return usageErrorf("choose one of --json and --csv")
	}
	if o.limit < 0 {
		return usageErrorf("--limit must be 0 or more")
	}
	if o.format != "" && !slices.Contains(api.LinkStyles, o.format) {
		return usageErrorf("--format must be one of %s", strings.Join(api.LinkStyles, ", "))
	}
	db, links, err := openHistory()
	if err != nil {
		return err
	}
	defer db.Close()
	if o.format != "" {
		links.Style = o.format
	}
	export := storage.ExportOptions{Search: o.search, Limit: o.limit,
		Link: func(e storage.HistoryEntry) string { return links.Link(e.Env, e.Hash, e.Name) }}
	switch {
	case o.asJSON:
		_, err := db.ExportHistoryJSON(cio.Out, export)
		return err
	case o.asCSV:
		_, err := db.ExportHistoryCSV(cio.Out, export)
		return err
	}
	n := 0
	err = db.EachHistory(storage.HistoryQuery{Search: o.search, Limit: o.limit}, func(e storage.HistoryEntry) error {
		n++
		if o.format != "" {
			_, err := fmt.Fprintln(cio.Out, links.Link(e.Env, e.Hash, e.Name))
			return err
		}
		_, err := fmt.Fprintf(cio.Out, "%s  %s  %s\n", e.Hash, links.Link(e.Env, e.Hash, e.Name), e.Name)
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 && strings.TrimSpace(o.search) != "" {
		fmt.Fprintf(cio.Err, "No upload matches %q.\n", o.search)
	} else if n == 0 {
		fmt.Fprintln(cio.Err, "No uploads yet.")
	}
	return nil
}
