package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// historyPageSize is how many entries one database query reads.
const historyPageSize = 500

type historyOptions struct {
	search        string
	limit         int
	asJSON, asCSV bool
}

func newHistoryCommand(cio IO) *cobra.Command {
	var o historyOptions
	cmd := &cobra.Command{
		Use:   "history [--search Q] [--limit N] [--json | --csv]",
		Short: "List uploaded files and their links",
		Long: `Lists finished uploads, newest first: hash, link and name (or every field as
JSON or CSV). --search keeps entries whose name, hash, comment or folder
contains Q.`,
		Example: `  dstor-uploader history --limit 20
  dstor-uploader history --search invoices --json
  dstor-uploader history --csv > uploads.csv`,
		Args: noArgs("search with --search"),
		RunE: func(cmd *cobra.Command, _ []string) error { return runHistory(cmd.Context(), cio, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.search, "search", "", "only entries whose name, hash, comment or folder contains this")
	f.IntVar(&o.limit, "limit", 50, "at most this many entries (0 = all)")
	f.BoolVar(&o.asJSON, "json", false, "print a JSON array with every field")
	f.BoolVar(&o.asCSV, "csv", false, "print CSV with every field")
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
	if o.limit == 0 {
		o.limit = 1 << 30
	}
	db, err := openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	settings, err := db.LoadSettings()
	if err != nil {
		return err
	}
	entries, err := readHistory(db, o.search, o.limit)
	if err != nil {
		return err
	}
	switch {
	case o.asJSON:
		return writeHistoryJSON(cio.Out, entries, settings)
	case o.asCSV:
		return writeHistoryCSV(cio.Out, entries, settings)
	}
	for _, e := range entries {
		fmt.Fprintf(cio.Out, "%s  %s  %s\n", e.Hash, historyLink(settings, e), e.Name)
	}
	if len(entries) == 0 && strings.TrimSpace(o.search) != "" {
		fmt.Fprintf(cio.Err, "No upload matches %q.\n", o.search)
	} else if len(entries) == 0 {
		fmt.Fprintln(cio.Err, "No uploads yet.")
	}
	return nil
}

// readHistory reads up to limit entries matching search, a page at a time.
func readHistory(db *storage.DB, search string, limit int) ([]storage.HistoryEntry, error) {
	var entries []storage.HistoryEntry
	for q := (storage.HistoryQuery{Search: search}); len(entries) < limit; {
		q.Limit = min(historyPageSize, limit-len(entries))
		page, err := db.HistoryPage(q)
		if err != nil {
			return nil, err
		}
		entries = append(entries, page...)
		if len(page) < q.Limit {
			break
		}
		last := page[len(page)-1]
		q.BeforeID, q.BeforeFinishedAt = last.ID, last.FinishedAt
	}
	return entries, nil
}
