package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/internal/linkchain"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

type historyOptions struct {
	search        string
	limit         int
	asJSON, asCSV bool
	format        string // a link style: print the links alone, one per line
	folder        string // only the files of the latest upload of this folder
	folderSet     bool   // --folder was given (empty, it names no folder)
	limitSet      bool   // --limit was given (a folder otherwise lists all its files)
}

func newHistoryCommand(cio IO) *cobra.Command {
	var o historyOptions
	cmd := &cobra.Command{
		Use:   "history [--search Q | --folder DIR] [--limit N] [--json | --csv | --format STYLE]",
		Short: "List uploaded files and their links",
		Long: `Lists finished uploads, newest first: hash, link and name (or every field as
JSON or CSV). --search keeps entries whose name, hash, comment or folder
contains Q; a link the app gave, in any style, finds its upload by its
CID. --format prints only the links, one per line, ready to paste:
gateway (https://…/ipfs/CID?filename=NAME), ipfs (ipfs://CID), cid,
markdown ([NAME](URL)) or html (<a href="URL">NAME</a>); with --json or
--csv it sets the style of the link field. Without it links follow the
style chosen in the window's Settings. --folder lists the files of the
latest upload of a folder you added (all of them unless --limit is given),
so --folder DIR --format markdown is the folder's list of links; it exits 1,
saying so, while files of that upload are not uploaded (it still runs, was
interrupted, was stopped before it listed the whole folder or found no
folder at its path to list, or some failed), or files of the folder an
earlier upload left in the queue still wait. The folder's latest upload is
the last one started, listed yet or not.`,
		Example: `  dstor-uploader history --limit 20
  dstor-uploader history --search invoices --json
  dstor-uploader history --csv > uploads.csv
  dstor-uploader history --search photos --format markdown
  dstor-uploader history --folder ~/Pictures/trip --format markdown`,
		Args: noArgs("search with --search"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.limitSet = cmd.Flags().Changed("limit")
			o.folderSet = cmd.Flags().Changed("folder")
			return runHistory(cmd.Context(), cio, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.search, "search", "", "only entries whose name, hash, comment or folder contains this (a CID in any form, or a link to one, finds the uploads of its content)")
	decimalVar(f, &o.limit, "limit", 50, "at most this many entries (0 = all)")
	f.BoolVar(&o.asJSON, "json", false, "print a JSON array with every field")
	f.BoolVar(&o.asCSV, "csv", false, "print CSV with every field")
	f.StringVar(&o.format, "format", "", "print only the links in this style: "+strings.Join(api.LinkStyles, ", "))
	f.StringVar(&o.folder, "folder", "", "only the files of the latest upload of this folder (as you added it)")
	return cmd
}

// runHistory prints the history, newest first, streaming it from the
// database: memory stays flat however long the history is. A name dStor
// gave the file, when different, follows as dStor's; text that is not
// printable is quoted and escaped (inert.Text).
func runHistory(_ context.Context, cio IO, o historyOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	db, links, err := openHistory(cio)
	if err != nil {
		return err
	}
	defer db.Close()
	if o.format != "" {
		links.Style = o.format
	}
	// A CID in any form, or a link to one, finds the uploads of its
	// content (storage's search), as in the window.
	export := storage.ExportOptions{Search: o.search, Limit: o.limit,
		Link: func(e storage.HistoryEntry) string { return links.Link(e.Env, e.Hash, e.Name) }}
	var share storage.FolderKey
	var left storage.FolderLeft
	envs := envsLinked{}
	if o.folder != "" {
		if export.Folder, err = listedFolder(o.folder); err != nil {
			return err
		}
		export.Limit = 0 // all its files, unless --limit
		if o.limitSet {
			export.Limit = o.limit
		}
		export.Found = func(k storage.FolderKey, l storage.FolderLeft) {
			share, left = k, l
			afterFolderShareRead()
		}
		export.Link = envs.noting(export.Link)
	}
	n, err := printSpooled(cio, db, export, o)
	if o.folder != "" && errors.Is(err, storage.ErrNotFound) {
		return noFolderUpload(db, export.Folder, o.folder)
	}
	if err != nil {
		return err
	}
	if o.folder != "" {
		fmt.Fprint(cio.Err, linksEnvNote(inert.Text(share.Folder), envs.sorted(), defaultEnvKey(db)))
		return folderLeft(cio, share, left, n)
	}
	if o.asJSON || o.asCSV {
		return nil
	}
	if n == 0 && strings.TrimSpace(o.search) != "" {
		fmt.Fprintf(cio.Err, "No upload matches %s.\n", strconv.Quote(o.search))
	} else if n == 0 {
		fmt.Fprintln(cio.Err, "No uploads yet.")
	}
	return nil
}

// printSpooled is printHistory through a spool: the database is read to
// the end (its one read transaction ended) however slowly stdout takes the
// list; it returns once stdout has all of it.
func printSpooled(cio IO, db *storage.DB, export storage.ExportOptions, o historyOptions) (int, error) {
	out := newSpool(cio.Out)
	spooled := cio
	spooled.Out = out
	n, err := printHistory(spooled, db, export, o)
	return n, cmp.Or(out.Close(), err)
}

// printHistory prints the entries export selects as o asks (JSON, CSV, or
// a line each), as it reads them, and returns how many it printed.
func printHistory(cio IO, db *storage.DB, export storage.ExportOptions, o historyOptions) (int, error) {
	switch {
	case o.asJSON:
		return db.ExportHistoryJSON(cio.Out, export)
	case o.asCSV:
		return db.ExportHistoryCSV(cio.Out, export)
	}
	n := 0
	err := export.Each(db, func(e storage.HistoryEntry) error {
		n++
		_, err := fmt.Fprintln(cio.Out, historyLine(e, export.Link(e), o.format != ""))
		return err
	})
	return n, err
}

// validate refuses options that do not go together, or out of range.
func (o historyOptions) validate() error {
	if o.asJSON && o.asCSV {
		return usageErrorf("choose one of --json and --csv")
	}
	if o.folder != "" && o.search != "" {
		return usageErrorf("choose one of --search and --folder")
	}
	if o.folderSet && o.folder == "" {
		// "--folder $DIR" with DIR unset: not the whole history as its list.
		return usageErrorf("--folder needs a folder: it was given empty")
	}
	if o.limit < 0 {
		return usageErrorf("--limit must be 0 or more")
	}
	if o.format != "" && !slices.Contains(api.LinkStyles, o.format) {
		return usageErrorf("--format must be one of %s", strings.Join(api.LinkStyles, ", "))
	}
	return nil
}

// historyLine is the line history prints for e with its link: the link
// alone (linkOnly, with --format), else hash, link and name, and the name
// dStor gave the file when different.
func historyLine(e storage.HistoryEntry, link string, linkOnly bool) string {
	if linkOnly {
		return link
	}
	line := inert.Text(e.Hash) + "  " + link + "  " + inert.Name(e.Name)
	if e.NamedOtherwise() {
		// Stored inert (api.UploadResult.ServerName); escaped again for
		// rows an older version kept otherwise, and as the window shows it:
		// between quotes, not quoted again.
		line += "  (dStor named it \"" + inert.Line(e.ServerName) + "\")"
	}
	return line
}

// folderLeft says, after the list of the folder share k's links, when that
// upload has files not uploaded (yet), as left, read at the instant the
// list was (storage.DB.EachOfLatestShare), tells: it still runs in another process (the window,
// another run), was interrupted, or failed files; or files of the folder
// it found already waiting in the queue, and so left to an earlier
// upload's job, still wait there or were not sent by that job (failed,
// canceled or removed); or files of its own were canceled, could not be
// read, were removed from the queue or replaced by another file after the
// listing, or folders of it were skipped as too deep for dStor's folder
// paths (said apart: nothing of them was canceled or unreadable), or
// folders of it could not be read (said apart, as folders: what they
// held was never seen, so no count of files is known), which
// only uploading the folder again sends (storage.DB.FolderLeftOf, the
// rule the window says it by too); or its listing ended before it listed the whole folder (Stop
// everything, or no folder at its path when it was to be listed), so the
// files it did not list have no job. The list is then not the
// folder's whole list, which the
// exit status 1 tells a script; nothing is said of a share (k.BatchID "")
// not listed. A share that lacks nothing and lists no file (files: how
// many it listed) is an Add call that found none to upload: the folder's
// whole list is empty, which a note says, with exit status 0.
func folderLeft(cio IO, k storage.FolderKey, left storage.FolderLeft, files int) error {
	if k.BatchID == "" {
		return nil
	}
	afterFolderListed()
	dir := inert.Text(k.Folder)
	if !left.Any() {
		if files == 0 {
			fmt.Fprintf(cio.Err, "The latest upload of %s found no file to upload in it (the folder was empty, or every file in it was skipped): its list of links is empty.\n", dir)
		}
		return nil
	}
	if left.Waiting > 0 {
		fmt.Fprintf(cio.Err, "Not the whole folder: %d file(s) of %s added by an earlier upload still wait in the queue (\"dstor-uploader resume\" finishes them). Run this again once they are uploaded.\n", left.Waiting, dir)
	}
	if left.Unsent > 0 {
		fmt.Fprintf(cio.Err, "Not the whole folder: %d file(s) of %s left to an earlier upload (already in the queue then) were not sent by it: if they failed, \"dstor-uploader resume --retry-failed\" tries them again; otherwise upload the folder again.\n", left.Unsent, dir)
	}
	if n := left.Dropped - left.TooDeep - left.UnreadFolders; n > 0 {
		fmt.Fprintf(cio.Err, "Not the whole folder: %d file(s) of this upload of %s were canceled, could not be read, or were removed from the queue (or replaced by another file after the folder was listed), so the history has no link for them (a canceled file's bytes may still have reached dStor, unrecorded): upload the folder again to send them (a file that could not be read, once it can be).\n", n, dir)
	}
	if left.TooDeep > 0 {
		fmt.Fprintf(cio.Err, "Not the whole folder: %d folder(s) in this upload of %s were skipped with everything in them, as their paths on dStor would be longer than the %d bytes dStor allows (the upload named each): give them or the folders above them shorter names, or choose a shorter destination folder path, and upload the folder again.\n", left.TooDeep, dir, api.MaxFolderPathLen)
	}
	if left.UnreadFolders > 0 {
		fmt.Fprintf(cio.Err, "Not the whole folder: %d folder(s) in this upload of %s could not be read, so what they hold was not uploaded (the upload said why for each): give yourself permission to read them (or move them to a shorter path, if the upload said theirs is too long), then upload the folder again.\n", left.UnreadFolders, dir)
	}
	if left.Cut != storage.NotCut {
		fmt.Fprintln(cio.Err, "Not the whole folder: "+listingCutSentence(left.Cut, dir))
	}
	if left.Pending > 0 || left.Listing {
		what := fmt.Sprintf("%d file(s) of this upload of %s are not uploaded yet", left.Pending, dir)
		if left.Pending == 0 {
			what = fmt.Sprintf("this upload of %s has not listed the whole folder yet", dir)
		}
		fmt.Fprintf(cio.Err, "Not the whole folder: %s (it is still going on, waits for a sign-in in the window, or was interrupted: \"dstor-uploader resume\" finishes it). Run this again once it is done.\n", what)
	}
	if left.Failed > 0 {
		fmt.Fprintf(cio.Err, "Not the whole folder: %d file(s) of this upload of %s failed (\"dstor-uploader resume --retry-failed\" tries them again).\n", left.Failed, dir)
	}
	return &exitError{code: 1}
}

// listingCutSentence says why the listing of the folder dir ended before
// it listed the whole folder (storage.BatchLeft.Cut), and what to do.
func listingCutSentence(cut storage.ListingCut, dir string) string {
	const rest = "so the files it did not list were not uploaded: upload the folder again"
	switch cut {
	case storage.CutFolderGone:
		return fmt.Sprintf("there was no folder at %s when it was to be listed (removed, moved or renamed after it was added), %s from where it is now.", dir, rest)
	case storage.CutNotAFolder:
		return fmt.Sprintf("%s was not a folder when it was to be listed (a file was in its place), %s once it is back.", dir, rest)
	case storage.CutUnreadable:
		return fmt.Sprintf("%s could not be opened when it was to be listed (the system refused the path: a folder on its way denied, say), %s once it can be opened.", dir, rest)
	case storage.CutLedElsewhere:
		return fmt.Sprintf("the path by which %s was added led to another folder when it was to be listed (a symbolic link on it was pointed elsewhere after it was added; that folder's files are listed as an upload of their own), %s.", dir, rest)
	case storage.CutOwnData:
		return fmt.Sprintf("%s is dStor Uploader's own data folder, which is never uploaded (its files change while dStor Uploader runs and list every file you uploaded): to keep a copy, quit dStor Uploader and upload a copy of the folder.", dir)
	}
	return fmt.Sprintf("the listing of %s was stopped before it ended (Cancel all in the window), so the files it did not list were not uploaded: upload the folder again to send them.", dir)
}

// noFolderUpload says that no upload of the folder dir (given as given)
// is in the history, and what to do: upload it, when it is a folder; for
// a file, search the history for its name (--folder takes folders); for a
// device, a named pipe or another special file, give a folder; for a path
// that names nothing now, goes round a loop of symbolic links, or that the
// system refuses to look at (refusedPathSentence), check it (uploading it
// cannot work), naming the symbolic link to nothing on its way, if one is
// why; for a symbolic link, noUploadThroughLink's sentences.
func noFolderUpload(db *storage.DB, dir, given string) error {
	if err := noUploadThroughLink(db, given, dir); err != nil {
		return err
	}
	st, err := os.Stat(dir)
	switch {
	case err == nil && st.Mode().IsRegular():
		return fmt.Errorf("%s is a file, not a folder: --folder lists an upload of a folder; find this file's uploads with `dstor-uploader history --search %s`",
			inert.Line(dir), inert.ShellWord(filepath.Base(dir)))
	case err == nil && !st.IsDir():
		return fmt.Errorf("%s is %s, not a folder: --folder lists an upload of a folder; give the path of a folder you uploaded",
			inert.Line(dir), api.FileKind(st.Mode()))
	case errors.Is(err, syscall.ELOOP):
		return fmt.Errorf("no upload of the folder %s is in the history, and %s goes round a loop of symbolic links (a link that leads, through others or none, back to itself): point the link at the folder, or give the folder's own path",
			inert.Line(dir), inert.Line(dir))
	case err != nil && api.Gone(err):
		if nt, ok := errors.AsType[*api.NotThereError](api.NamedNotThere(dir, given)); ok && nt.Kind == api.NotThereLinkOnTheWay {
			return fmt.Errorf("no upload of the folder %s is in the history, and its path goes through %s, %s, which does not exist: point the link at the folder, or give the folder's own path",
				inert.Line(dir), inert.Line(nt.Link), nt.LeadsTo(inert.Line))
		}
		return fmt.Errorf("no upload of the folder %s is in the history, and there is no folder there now: check the path (give the folder as it was uploaded, or a link to it)",
			inert.Line(dir))
	case err != nil:
		return fmt.Errorf("no upload of the folder %s is in the history, and %s", inert.Line(dir), refusedPathSentence(dir, err))
	}
	return fmt.Errorf("no upload of the folder %s is in the history: upload it with `dstor-uploader upload %s`", inert.Line(dir), inert.ShellWord(given))
}

// noUploadThroughLink is the error of history --folder given when given
// is a symbolic link (itself, not a folder on its way) and no upload of
// the folder dir it leads to is in the history: where it leads, and what
// to do. A link leading nowhere (its folder moved, renamed or removed,
// or the folder holding it too: a drive unplugged) names where it leads and, when an upload of the folder there is in the
// history (one made through the link), the command that lists it; a link
// to a folder never uploaded says to upload it and, when a folder at the
// link's own path was uploaded before the link took its place, that the
// upload is of that folder: put back, it is listed (--folder follows the
// link). nil when given is no link, or leads to no folder or nowhere
// (a loop: noFolderUpload's sentences).
func noUploadThroughLink(db *storage.DB, given, dir string) error {
	abs := worker.RequestPath(given) // as a folder's uploads record it
	if fi, err := os.Lstat(abs); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return nil
	}
	st, err := os.Stat(abs)
	switch {
	case err == nil && st.IsDir():
		return linkToAnotherFolder(db, abs, dir, given)
	case err == nil || !api.Gone(err):
		return nil
	}
	to, ok := linkLeadsTo(abs)
	if !ok {
		return nil
	}
	if _, err := db.NewestFolderShare(to); err == nil {
		return fmt.Errorf("%s is a symbolic link to %s, where there is no folder now (removed, moved or renamed): `dstor-uploader history --folder %s` lists its latest upload there; to list or upload the folder by the link, point the link at where the folder is now",
			inert.Line(abs), inert.Line(to), inert.ShellWord(to))
	}
	return fmt.Errorf("no upload of the folder %s is in the history: it is a symbolic link to %s, where there is no folder now — point the link at the folder, or give the folder's own path",
		inert.Line(abs), inert.Line(to))
}

// linkLeadsTo is where the symbolic link abs leads (linkchain.Follow's
// Dest), also when that is in a folder that is not there either (a drive
// unplugged, its mount point gone with it: the MissingFolderError's
// Target); false for a loop or a path the system refuses.
func linkLeadsTo(abs string) (string, bool) {
	t, err := linkchain.Follow(abs)
	if missing, ok := errors.AsType[*linkchain.MissingFolderError](err); ok {
		return missing.Target, true
	}
	return t.Dest, err == nil
}

// linkToAnotherFolder is noUploadThroughLink's error for the link abs to
// the folder dir, which no upload in the history is of.
func linkToAnotherFolder(db *storage.DB, abs, dir, given string) error {
	upload := fmt.Sprintf("upload it with `dstor-uploader upload %s`", inert.ShellWord(given))
	if _, err := db.NewestFolderShare(abs); err == nil {
		return fmt.Errorf("no upload of the folder %s, where the symbolic link %s leads now, is in the history (%s); the upload of %s in the history is of the folder that was there before the link took its place: put that folder back at %s to list it",
			inert.Line(dir), inert.Line(abs), upload, inert.Line(abs), inert.Line(abs))
	}
	return fmt.Errorf("no upload of the folder %s, where the symbolic link %s leads, is in the history: %s", inert.Line(dir), inert.Line(abs), upload)
}

// refusedPathSentence says why the system refused to look at the path
// dir (err, from os.Stat, neither gone nor a loop), and to check it: a
// file on its way, a name or a path too long, a folder on it the user may
// not open, or the system's words.
func refusedPathSentence(dir string, err error) string {
	switch {
	case errors.Is(err, syscall.ENOTDIR):
		if file := api.FileOnTheWay(dir); file != "" {
			return fmt.Sprintf("there can be no folder there: %s on its way is a file, not a folder — check the path", inert.Line(file))
		}
		return "there can be no folder there: a name on its way is a file, not a folder — check the path"
	case errors.Is(err, syscall.ENAMETOOLONG) && !api.PathTooLong(err):
		return fmt.Sprintf("a name in that path is longer than the system allows (%d bytes), so no folder has it — check the path for a mistake", api.MaxNameLen)
	case api.PathTooLong(err):
		return "that path is longer than the system takes, so no folder can be looked up by it — check the path for a mistake"
	case errors.Is(err, fs.ErrPermission):
		return "the system does not let you look at it (permission denied): a folder on its way is not yours to open — check the path"
	}
	cause := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	return fmt.Sprintf("the system cannot look at that path (%s) — check the path", inert.Line(cause.Error()))
}

// listedFolder is the folder given to history --folder as its uploads
// record it (worker.ListedFolder), whose latest upload the command lists
// with what it lacks of the folder (storage.DB.EachOfLatestShare: which
// upload that is, what it lacks and its files are read at one instant,
// so an upload that records a file, ends its listing or has its entries
// deleted meanwhile is listed and judged as it was at that instant).
func listedFolder(given string) (string, error) {
	dir, err := api.AbsPath(given) // a ".." after a link read as the system reads it
	if err != nil {
		// Only a relative path fails: the current folder was deleted.
		return "", fmt.Errorf("cannot tell where the folder %s is: the current folder no longer exists — give the folder's full path", given)
	}
	return worker.ListedFolder(dir), nil
}

// envsLinked are the environments of the entries a listing gave a link,
// for linksEnvNote.
type envsLinked map[string]bool

// noting is link, noting each entry's environment.
func (s envsLinked) noting(link func(storage.HistoryEntry) string) func(storage.HistoryEntry) string {
	return func(e storage.HistoryEntry) string {
		s[e.Env] = true
		return link(e)
	}
}

func (s envsLinked) sorted() []string { return slices.Sorted(maps.Keys(s)) }

// defaultEnvKey is the environment commands use without --env (the one
// last signed in to, else production: session.CommandLineEnv), or "" when
// the settings cannot tell.
func defaultEnvKey(db *storage.DB) string {
	settings, err := db.LoadSettings()
	if err != nil {
		return ""
	}
	env, err := session.CommandLineEnv("", settings)
	if err != nil {
		return ""
	}
	return env.Key()
}

// linksEnvNote is the line that says which environments the links of a
// folder's upload listed (of dir, printable) are on, envs (sorted), when
// that is not only def, the environment commands use without --env: a
// link on testnet, say, is not where "upload" without --env sends files.
// "" when they are all on def (or def is unknown and they are on one).
func linksEnvNote(dir string, envs []string, def string) string {
	switch {
	case len(envs) == 0 || len(envs) == 1 && (envs[0] == def || def == ""):
		return ""
	case len(envs) == 1:
		return fmt.Sprintf("The links of this upload of %s are on %s, not on %s, the environment commands use without --env.\n",
			dir, inert.Text(envs[0]), inert.Text(def))
	}
	named := make([]string, len(envs))
	for i, e := range envs {
		named[i] = inert.Text(e)
	}
	return fmt.Sprintf("The links of this upload of %s are on %d environments, %s and %s: each file's link is on its own (--json gives each file's env).\n",
		dir, len(envs), strings.Join(named[:len(named)-1], ", "), named[len(named)-1])
}

// afterFolderShareRead runs once the folder's latest share and what it
// lacks are read, before its files are (in the same read): a test
// deletes them there.
var afterFolderShareRead = func() {}

// afterFolderListed runs once the list of a folder share's files is
// printed, before what it lacks is said: a test finishes an upload there.
var afterFolderListed = func() {}
