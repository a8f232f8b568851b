package cli

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// historyRecord is one history entry as scripts read it: every stored field
// plus the shareable link.
type historyRecord struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	Hash       string `json:"hash"`
	Link       string `json:"link"`
	Size       int64  `json:"size"`
	Verified   bool   `json:"verified"`
	FolderPath string `json:"folder_path,omitempty"`
	ParentID   *int64 `json:"parent_id,omitempty"`
	Comment    string `json:"comment,omitempty"`
	LocalPath  string `json:"local_path"`
	Env        string `json:"env"`
	Account    string `json:"account"`
	StartedAt  string `json:"started_at"`
	FinishedAt string `json:"finished_at"`
	Attempts   int    `json:"attempts"`
	SHA256     string `json:"sha256"`
}

// historyLink is the entry's link in the chosen style, on the gateway of the
// environment it was uploaded to. The window's Local sandbox has no fixed
// address, so its entries get an ipfs:// link unless a gateway override is
// set.
func historyLink(settings storage.Settings, e storage.HistoryEntry) string {
	env, _ := api.ParseEnvironment(e.Env) // zero (no gateway) for the sandbox
	return linkFor(settings, env, e.Hash)
}

func toRecord(settings storage.Settings, e storage.HistoryEntry) historyRecord {
	return historyRecord{
		ID: e.ID, Name: e.Name, Hash: e.Hash, Link: historyLink(settings, e), Size: e.Size,
		Verified: e.Verified, FolderPath: e.FolderPath, ParentID: e.ParentID, Comment: e.Comment,
		LocalPath: e.LocalPath, Env: e.Env, Account: e.Account,
		StartedAt: e.StartedAt.UTC().Format(time.RFC3339), FinishedAt: e.FinishedAt.UTC().Format(time.RFC3339),
		Attempts: e.Attempts, SHA256: e.SHA256,
	}
}

func writeHistoryJSON(w io.Writer, entries []storage.HistoryEntry, settings storage.Settings) error {
	records := make([]historyRecord, 0, len(entries))
	for _, e := range entries {
		records = append(records, toRecord(settings, e))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(records)
}

// csvSafe defuses spreadsheet formula injection as the window's export does
// (storage.ExportHistoryCSV): file names and comments are the person's own
// text, and a cell starting with = + - @ or a tab/CR would run as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func writeHistoryCSV(w io.Writer, entries []storage.HistoryEntry, settings storage.Settings) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "name", "hash", "link", "size", "verified", "folder_path", "parent_id", "comment", "local_path", "env", "account", "started_at", "finished_at", "attempts"})
	for _, e := range entries {
		r := toRecord(settings, e)
		parent := ""
		if r.ParentID != nil {
			parent = strconv.FormatInt(*r.ParentID, 10)
		}
		_ = cw.Write([]string{strconv.FormatInt(r.ID, 10), csvSafe(r.Name), r.Hash, r.Link, strconv.FormatInt(r.Size, 10),
			strconv.FormatBool(r.Verified), csvSafe(r.FolderPath), parent, csvSafe(r.Comment), csvSafe(r.LocalPath), csvSafe(r.Env), csvSafe(r.Account),
			r.StartedAt, r.FinishedAt, strconv.Itoa(r.Attempts)})
	}
	cw.Flush()
	return cw.Error()
}

// linkFor formats a shareable link in the style the person chose.
func linkFor(settings storage.Settings, env api.Environment, hash string) string {
	gateway := env.GatewayURL
	if settings.GatewayOverride != "" {
		gateway = settings.GatewayOverride
	}
	return api.FormatLink(settings.LinkStyle, gateway, hash)
}
