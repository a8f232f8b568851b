package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/cidtext"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

type verifyOptions struct {
	asJSON bool
	env    string
}

func newVerifyCommand(cio IO) *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [--env ENV] [--json] FILE|FOLDER...",
		Short: "Check local files (or a folder's) against what was uploaded",
		Long: `Computes each file's IPFS hash (the CID dStor gives it) and SHA-256, in one
read, and says whether the history holds an upload of that content to the
environment (--env, else the one last signed in to), with its link. Uploads
of it to other environments are named but do not count. A file that matches
no upload there but whose path was uploaded there (or that was uploaded by
another spelling of its path, through a link, as the very same file) is
said to have changed since, with that upload's time and link (--json:
changed_since). A file
that changed while it was read (written to, replaced, moved) gets no hash.
The exit status is 1 when any file matches no upload, cannot be read or
changed while it was read, or when a result cannot be printed.

A folder is verified file by file: each regular file in it and its
sub-folders, hidden ones too, in the order an upload of the folder lists
them, by the same rules (symbolic links inside not followed, pipes and
devices skipped, each said "skipped" with the upload's reason: exit 1
only for a folder inside that cannot be read). Each empty folder inside
is said "skipped — folder is empty", after the files, as the upload
says it (--json: "skipped":"empty-folder"). A folder holding nothing
says so (exit 0; with --json on stderr).

A verify of a folder or of more than one path ends with one line on
stderr, even with --json, counting the files uploaded, not uploaded
(changed since), that could not be verified, and the entries skipped;
Ctrl+C says the same counts of what it verified before the stop.`,
		Example: `  dstor-uploader verify report.pdf
  dstor-uploader verify --env testnet --json ~/Pictures/trip/*.jpg
  dstor-uploader verify ~/Pictures/trip`,
		Args: filesNamed("name at least one file or folder to verify"),
		RunE: func(cmd *cobra.Command, args []string) error { return runVerify(cmd.Context(), cio, o, args) },
	}
	cmd.Flags().BoolVar(&o.asJSON, "json", false, "print one JSON object per file (and per entry of a folder skipped)")
	cmd.Flags().StringVar(&o.env, "env", "", "environment whose uploads count: production, testnet, sandbox (the window's), or a base URL (default: the last one signed in to)")
	return cmd
}

// verifiedUpload is one upload a file's content matches.
type verifiedUpload struct {
	ID        int64  `json:"id"`
	Env       string `json:"env"`
	Name      string `json:"name"`
	Hash      string `json:"hash"`
	Link      string `json:"link"`
	LocalPath string `json:"local_path"`
	// LocalPathBase64 is LocalPath's bytes when it is not UTF-8
	// (inert.PathBytes).
	LocalPathBase64 []byte    `json:"local_path_base64,omitempty"`
	FinishedAt      time.Time `json:"finished_at"`
}

// verifyResult is what verify says of one file.
type verifyResult struct {
	Path       string           `json:"path"`
	PathBase64 []byte           `json:"path_base64,omitempty"` // the path's bytes when it is not UTF-8 (inert.PathBytes)
	Env        string           `json:"env"`                   // the environment whose uploads count
	CID        string           `json:"cid,omitempty"`
	SHA256     string           `json:"sha256,omitempty"`
	Size       int64            `json:"size"`
	Matches    bool             `json:"matches"`
	Uploads    []verifiedUpload `json:"uploads"`
	// Elsewhere are the uploads of the content to other environments:
	// named, never a match.
	Elsewhere []verifiedUpload `json:"elsewhere,omitempty"`
	// ChangedSince is the newest upload to Env from the file's path when
	// none has its content: the file changed since (or another took its
	// place), which is why it is not uploaded.
	ChangedSince *verifiedUpload `json:"changed_since,omitempty"`
	// Skipped is why an upload of the folder verified skips this entry
	// of it (worker.FolderEntry.Reason), and Error the upload's sentence.
	Skipped string `json:"skipped,omitempty"`
	Error   string `json:"error,omitempty"`
	// through is the ID of the folder a file a folder's listing found was
	// opened through (api.FileDigests.Folder; "" when none or not read):
	// never printed, compared with the folder's (stillThere).
	through string
}

// runVerify hashes each file and looks its content up in the history,
// until Ctrl+C (exit 130, saying so; stopStatus).
func runVerify(ctx context.Context, cio IO, o verifyOptions, paths []string) error {
	env, err := verifyEnv(o.env)
	if err != nil {
		return err
	}
	db, links, err := openHistory(cio)
	if err != nil {
		return err
	}
	defer db.Close()
	if env == "" {
		if env, err = lastEnv(db); err != nil {
			return err
		}
	}
	link := func(e storage.HistoryEntry) string { return links.Link(e.Env, e.Hash, e.Name) }
	// Ctrl+C (or SIGTERM) ends ctx, so the person is told where it
	// stopped; caught only from here, so that a wait to open the history
	// still ends at once. A second Ctrl+C stops the wait for the path
	// being verified, whose read may never return (a drive that stopped
	// answering): that goroutine is left to end at its next step, as ctx
	// has ended, and what it finds is neither counted nor printed
	// (verifyTally.end, which waits for a line being printed; a third
	// Ctrl+C is the system's, see interrupts).
	ctx, again, stop := interrupts(ctx)
	defer stop()
	t := &verifyTally{env: env}
	done := make(chan error, 1)
	h := &historyLookup{db: db, env: env, link: link}
	go func() { done <- verifyPaths(ctx, cio, o, h, paths, t) }()
	select {
	case err = <-done:
	case <-again:
		t.end()
	}
	if ctx.Err() != nil {
		fmt.Fprintf(cio.Err, "verify was interrupted: the files after the last line printed were not verified%s\n", t.before(paths))
		return &exitError{code: stopStatus(ctx)}
	}
	if err != nil {
		return err // a result is lost: exit 1, never 0 for it
	}
	if sum, ok := t.closing(paths); ok {
		fmt.Fprintf(cio.Err, "%s\n", sum)
	}
	if t.failed > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// verifyPaths verifies each of paths in turn (verifyPath) until ctx ends
// or a result cannot be printed, and returns that error.
func verifyPaths(ctx context.Context, cio IO, o verifyOptions, h *historyLookup, paths []string, t *verifyTally) error {
	for _, p := range paths {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := verifyPath(ctx, cio, o, h, p, t); err != nil {
			return err
		}
	}
	return nil
}

// verifyPath verifies the file at p, or each file of the folder at p as
// an upload of it lists them (verifyFolder), printing a result each and
// counting it in t. It returns the error of a result that could not be
// printed, or ctx's once ctx ends: a file being read then gets no line
// and is not counted (the caller says where verify stopped).
func verifyPath(ctx context.Context, cio IO, o verifyOptions, h *historyLookup, p string, t *verifyTally) error {
	// Off this goroutine (a drive that stopped answering): the first
	// Ctrl+C ends verify while the look hangs, as it does a listing's.
	at, ok := worker.LookAtRoot(ctx, p)
	if !ok {
		return ctx.Err()
	}
	if at.IsDir {
		t.folder()
		return verifyFolder(ctx, cio, o, h, at, t)
	}
	r := verifyFile(ctx, h, "", p)
	return t.add(ctx, r, func() error { return printVerify(cio, o.asJSON, r) })
}

// verifyFolder verifies each regular file of the folder at (the one a
// path given leads to: worker.LookAtRoot), in the order
// an upload of it lists them (worker.ListFolder: one rule for both), and
// says each entry that upload skips, with its sentence (an empty folder
// inside too); one that is not skipped by design (a folder that cannot
// be read) counts as not verified, as does an empty folder inside that
// holds an entry by the time it is said (worker.EmptyNow: what was put in
// it was not verified). A folder in which the listing meets
// nothing at all says it holds no file (on stderr with --json, which
// prints objects of entries only); one whose entries are all skipped has
// said why of each (the app's own data folder is not empty). It counts
// and returns as verifyPath.
func verifyFolder(ctx context.Context, cio IO, o verifyOptions, h *historyLookup, at worker.RootAt, t *verifyTally) error {
	entries := 0
	root, rootInfo, rootID := at.Root, at.Info, at.ID
	err := worker.ListFolder(ctx, h.db, root, func(e worker.FolderEntry) error {
		entries++
		r := verifyResult{Path: e.Path, PathBase64: inert.PathBytes(e.Path), Env: h.env, Uploads: []verifiedUpload{},
			Skipped: string(e.Reason), Error: e.Why}
		switch e.Reason {
		case "":
			r = verifyFile(ctx, h, root, e.Path)
		case worker.ReasonEmptyFolder:
			empty, ok := worker.ListingLook(ctx, e.Path, func() bool { return worker.EmptyNow(e.Path) })
			if !ok {
				return ctx.Err()
			}
			if !empty {
				r.Skipped, r.Error = "", msgFilledSinceListed // counted as not verified
			}
		}
		if err := stillThere(ctx, root, rootInfo, rootID, r.through); err != nil {
			return err // r may be of another folder's file: not said
		}
		return t.add(ctx, r, func() error { return printVerify(cio, o.asJSON, r) })
	})
	if err != nil || entries > 0 {
		return err
	}
	note := inert.Text(root) + ": no files in this folder — nothing to verify\n"
	return t.say(ctx, func() error {
		if o.asJSON {
			_, _ = fmt.Fprint(cio.Err, note) // a note, not a result
			return nil
		}
		_, err := fmt.Fprint(cio.Out, note)
		return err
	})
}

// msgFilledSinceListed is what verify says of a folder inside the one
// verified that was empty when listed and holds an entry when said
// (verifyFolder): whatever was put in it was not verified.
const msgFilledSinceListed = worker.MsgFilledSinceListed + ": what it holds was not verified — verify it again"

// stillThere is nil while the file just verified was opened through the
// folder root (as listed: its real path; listed and id as verify began,
// through the ID of the folder it was opened through:
// worker.OpenedThroughAnother) — for an entry not read, while root is
// still at its path — else the sentence that verify stops with: a folder
// moved away, or replaced by another or a symbolic link to another, would
// have the other folder's files read and said under its path (a file
// never read "uploaded — same content as" another's upload). Its look at
// root runs off the calling goroutine (worker.ListingLook): once ctx ends
// first, it is ctx's error.
func stillThere(ctx context.Context, root string, listed os.FileInfo, id, through string) error {
	other, ok := worker.ListingLook(ctx, root, func() bool { return worker.OpenedThroughAnother(root, listed, id, through) })
	if !ok {
		return ctx.Err()
	}
	if !other {
		return nil
	}
	return fmt.Errorf("%s was moved or replaced while it was verified (its path leads to another folder now, or to none): "+
		"the files after the last line printed were not verified — verify it again", inert.Text(root))
}

// failedResult is 1 when r is not a file verified uploaded, nor an entry
// an upload skips by design (a link, a pipe), else 0.
func failedResult(r verifyResult) int {
	if r.Matches || r.Skipped != "" && storage.SkippedByDesign(r.Skipped, "") {
		return 0
	}
	return 1
}

// verifyEnv is the key of the environment whose uploads verify counts
// when flag names one (givenEnv), "" when it does not: then it is the one
// last signed in to (lastEnv), as for every command. Nothing is sent, so
// the window's Local sandbox can be named too.
func verifyEnv(flag string) (string, error) {
	if session.ParseKey(flag) == api.SandboxKey {
		return api.SandboxKey, nil
	}
	env, given, err := givenEnv(flag)
	if !given || err != nil {
		return "", err
	}
	return env.Key(), nil
}

// lastEnv is the key of the environment a command works with when no
// --env is given: the one last signed in to, from db's settings.
func lastEnv(db *storage.DB) (string, error) {
	settings, err := db.LoadSettings()
	if err != nil {
		return "", err
	}
	env, err := commandLineEnv("", settings)
	if err != nil {
		return "", err
	}
	return env.Key(), nil
}

// historyLookup is what verify looks files up in: the history db, for
// the uploads to env (the others are named apart), with each one's link;
// and the uploads by file identity (uploadsOf), for a file whose path
// was spelled otherwise when it was uploaded (uploadOfThisFile). One
// goroutine uses it.
type historyLookup struct {
	db      *storage.DB
	env     string
	link    func(storage.HistoryEntry) string
	byFile  map[string][]storage.FileUpload // nil until read (uploadsOf)
	lookups int                             // files looked up by identity one by one
}

// verifyFile computes the file's digests and finds the uploads of that
// content to h.env: same CID (in any form dStor answers it), and the same
// SHA-256 where the entry recorded one. Uploads of it to other
// environments are kept apart: the file is not on env's dStor for them.
// A file a folder's listing found (beneath: that folder, else "") is read
// through no symbolic link below it, as its upload is.
func verifyFile(ctx context.Context, h *historyLookup, beneath, path string) verifyResult {
	r := verifyResult{Path: path, PathBase64: inert.PathBytes(path), Env: h.env, Uploads: []verifiedUpload{}}
	hash := api.HashFile
	if beneath != "" {
		hash = func(ctx context.Context, path string) (api.FileDigests, error) {
			return api.HashListedFile(ctx, beneath, path)
		}
	}
	d, err := hash(ctx, path)
	r.through = d.Folder // also of a file opened but not read whole
	if err != nil {
		r.Error = api.Human(err)
		return r
	}
	r.CID, r.SHA256, r.Size = d.CID, d.SHA256, d.Size
	entries, err := h.db.HistoryOfContent(cidtext.Forms(d.CID)...)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	for _, e := range entries {
		if e.SHA256 != "" && e.SHA256 != d.SHA256 {
			continue // cannot happen for one content; never call it a match
		}
		if e.Env == h.env {
			r.Uploads = append(r.Uploads, verified(e, h.link))
		} else {
			r.Elsewhere = append(r.Elsewhere, verified(e, h.link))
		}
	}
	r.Matches = len(r.Uploads) > 0
	if !r.Matches {
		if err := h.changedSince(ctx, &r, beneath, d.ID); err != nil {
			r.Error = err.Error()
		}
	}
	return r
}

// verified is what verify says of the upload e.
func verified(e storage.HistoryEntry, link func(storage.HistoryEntry) string) verifiedUpload {
	return verifiedUpload{ID: e.ID, Env: e.Env, Name: e.Name, Hash: e.Hash, Link: link(e),
		LocalPath: e.LocalPath, LocalPathBase64: inert.PathBytes(e.LocalPath), FinishedAt: e.FinishedAt}
}

// changedSince sets r.ChangedSince to the newest upload to h.env from the
// path of r's file, found as an upload records it: the path as given to
// upload (worker.RequestPath), or as found in a folder given to it, whose
// files are recorded under the folder's real path (resolvedFile). A file
// a folder's listing found (beneath set) is already named so: its folder
// is not resolved again for each file. When neither is recorded, it is
// the newest upload of this very file (its identity id) by a path that
// leads to it now (uploadOfThisFile): one given through a link. Those
// names are looks at the disk (a drive that stopped answering holds them
// for good): they run off this goroutine (worker.ListingLook), and once
// ctx ends first (Ctrl+C) it returns ctx's error, the result unsaid.
func (h *historyLookup) changedSince(ctx context.Context, r *verifyResult, beneath, id string) error {
	given, listed := r.Path, r.Path
	if beneath == "" {
		type named struct{ given, listed string }
		n, ok := worker.ListingLook(ctx, r.Path, func() named {
			given := worker.RequestPath(r.Path)
			return named{given, resolvedFile(given)}
		})
		if !ok {
			return ctx.Err()
		}
		given, listed = n.given, n.listed
	}
	e, ok, err := h.db.NewestUploadFrom(h.env, given, listed)
	if err == nil && !ok {
		e, ok, err = h.uploadOfThisFile(ctx, listed, id)
	}
	if ok {
		u := verified(e, h.link)
		r.ChangedSince = &u
	}
	return err
}

// uploadOfThisFile is the newest upload to h.env of the file whose path,
// resolved (resolvedFile), is real and whose identity is id: an upload
// that recorded this identity, from a path that resolves to real now. The
// identity, recorded as it was read for the upload, says the path led to
// this very file then, so a path that leads elsewhere now (a link
// pointed at another folder since) is not this file's upload; the path
// says it is this file and not another that took the number of a file
// deleted since. A file replaced by a new one (a save by renaming) has
// another identity: not found. false when there is none; ctx's error
// once ctx ended while a path was resolved (off this goroutine).
func (h *historyLookup) uploadOfThisFile(ctx context.Context, real, id string) (storage.HistoryEntry, bool, error) {
	if id == "" {
		return storage.HistoryEntry{}, false, nil
	}
	ups, err := h.uploadsOf(id)
	if err != nil {
		return storage.HistoryEntry{}, false, err
	}
	var ids []int64
	resolved := map[string]string{} // a file uploaded many times from one path resolves it once
	for _, u := range ups {
		r, ok := resolved[u.LocalPath]
		if !ok {
			p := u.LocalPath
			if r, ok = worker.ListingLook(ctx, p, func() string { return resolvedFile(p) }); !ok {
				return storage.HistoryEntry{}, false, ctx.Err()
			}
			resolved[p] = r
		}
		if r == real {
			ids = append(ids, u.ID)
		}
	}
	return h.db.NewestOf(ids...)
}

// byFileAfter is how many files verify looks up by identity one by one
// (storage.DB.UploadsOfFile) before it reads the uploads of all at once
// (UploadsByFile), which costs as much as three to ten such lookups (at
// 100,000 uploads on a loaded machine: 0.22–0.43 s, and 0.02–0.10 s).
const byFileAfter = 4

// uploadsOf returns the uploads to h.env that recorded the file identity
// id: looked up alone for the first byFileAfter files, then from the map
// of all, read once.
func (h *historyLookup) uploadsOf(id string) ([]storage.FileUpload, error) {
	if h.byFile == nil && h.lookups < byFileAfter {
		h.lookups++
		return h.db.UploadsOfFile(h.env, id)
	}
	if h.byFile == nil {
		by, err := h.db.UploadsByFile(h.env)
		if err != nil {
			return nil, err
		}
		h.byFile = by
	}
	return h.byFile[id], nil
}

// resolvedFile is path with its folder resolved as a folder's upload
// resolves the folder given to it (worker.ListedFolder: links and, on
// Windows, junctions followed): the one way verify names a file's real
// path, for the file verified and for a path an upload recorded. A path
// whose folder cannot be resolved (a loop of links, gone) stays as it is.
func resolvedFile(path string) string {
	return filepath.Join(worker.ListedFolder(filepath.Dir(path)), filepath.Base(path))
}

// printVerify prints one result: a line for people, or a JSON object;
// either way the paths and errors, which may hold any character, are
// printed inert (escaped), as by every other command. It returns the
// write's error.
func printVerify(cio IO, asJSON bool, r verifyResult) error {
	var err error
	if asJSON {
		b, _ := json.Marshal(r)
		_, err = fmt.Fprintf(cio.Out, "%s\n", inert.JSON(b))
		return err
	}
	path := inert.Text(r.Path)
	switch {
	case r.Skipped != "":
		_, err = fmt.Fprintf(cio.Out, "%s: skipped — %s\n", path, inert.Line(r.Error))
	case r.Error != "":
		_, err = fmt.Fprintf(cio.Out, "%s: cannot verify: %s\n", path, inert.Line(r.Error))
	case r.ChangedSince != nil:
		_, err = fmt.Fprintf(cio.Out, "%s: not uploaded to %s — it changed since it was uploaded from this path on %s (that upload: %s)%s  CID %s  SHA-256 %s\n",
			path, r.Env, uploadTime(r.ChangedSince.FinishedAt), r.ChangedSince.Link, elsewhereNow(r), r.CID, r.SHA256)
	case !r.Matches && len(r.Elsewhere) > 0:
		u := r.Elsewhere[0]
		_, err = fmt.Fprintf(cio.Out, "%s: not uploaded to %s (no upload there has this content; an upload to %s has it: %s)  CID %s  SHA-256 %s\n",
			path, r.Env, u.Env, u.Link, r.CID, r.SHA256)
	case !r.Matches:
		_, err = fmt.Fprintf(cio.Out, "%s: not uploaded to %s (no upload has this content)  CID %s  SHA-256 %s\n", path, r.Env, r.CID, r.SHA256)
	default:
		u := r.Uploads[0]
		more := ""
		if n := len(r.Uploads) - 1; n > 0 {
			more = fmt.Sprintf(" (and %d earlier)", n)
		}
		_, err = fmt.Fprintf(cio.Out, "%s: uploaded — same content as %q of %s%s  %s  SHA-256 %s\n", path, u.Name,
			uploadTime(u.FinishedAt), more, u.Link, r.SHA256)
	}
	return err
}

// elsewhereNow is what verify's line adds, after saying a file changed
// since its upload, of an upload of its content now to another
// environment, or "" when there is none.
func elsewhereNow(r verifyResult) string {
	if len(r.Elsewhere) == 0 {
		return ""
	}
	u := r.Elsewhere[0]
	return fmt.Sprintf("; an upload to %s has its content now: %s", u.Env, u.Link)
}

// uploadTime is when an upload finished, as verify's lines say it: local
// time, to the minute.
func uploadTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }
