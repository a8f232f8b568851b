package cli

import (
	"context"
	"path/filepath"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// parentIDFlag records whether --parent-id was given, since 0 (the root) is
// a valid id. A value that is no folder id is kept as err for runUpload to
// say, in its own words: the flag package's would repeat the value twice,
// however long.
type parentIDFlag struct {
	id  *int64
	err error
}

func (p *parentIDFlag) String() string {
	if p.id == nil {
		return ""
	}
	return strconv.FormatInt(*p.id, 10)
}

func (p *parentIDFlag) Set(s string) error {
	n, err := api.ParseParentID(s)
	if err != nil {
		p.id, p.err = nil, err
		return nil
	}
	p.id, p.err = &n, nil
	return nil
}

func (p *parentIDFlag) Type() string { return "N" }

type uploadOptions struct {
	queueOptions
	folderPath string
	parent     parentIDFlag
	comment    string
	again      bool
	expect     string
}

func newUploadCommand(cio IO) *cobra.Command {
	var o uploadOptions
	cmd := &cobra.Command{
		Use:   "upload [--env ENV] [--folder-path P | --parent-id N] [--comment C] [--expect-sha256 SUM] [--concurrency N] [--limit-rate RATE] [--json] PATH...",
		Short: "Upload files and folders, print their links",
		Long: `Uploads files and folders to dStor and prints, per file, "<hash>  <link>  <name>"
(or one JSON object per line with --json). A folder keeps its structure under
the folder path. Every file is verified: the hash dStor answers must equal the
one computed locally (a CIDv1 of the same content counts; an answer that
cannot be checked is a failure). A file the history shows already uploaded to
the same place, unchanged (same path, size, modification and change time,
file), is not sent again: its existing link is printed and the summary counts
it as already uploaded; --again sends it anyway. The exit status is 1 when any
file failed or a path named here could not be uploaded; a path named twice
counts once. Ctrl+C prints what finished and leaves the rest to
"dstor-uploader resume".

Sign in first with "dstor-uploader login", or set DSTOR_API_KEY.`,
		Example: `  dstor-uploader upload report.pdf
  dstor-uploader upload --folder-path /photos/2026/ --comment "trip" ~/Pictures/trip
  DSTOR_API_KEY=... dstor-uploader upload --env testnet --json build/*.tar.gz
  dstor-uploader upload --expect-sha256 "$(cut -d' ' -f1 release.sha256)" release.tar.gz`,
		RunE: func(cmd *cobra.Command, args []string) error { return runUpload(cmd.Context(), cio, o, args) },
	}
	f := cmd.Flags()
	o.queueOptions.addFlags(cmd)
	f.StringVar(&o.folderPath, "folder-path", "", "destination folder, absolute, e.g. /photos/2026/")
	f.Var(&o.parent, "parent-id", "destination folder id (0 = root); not with --folder-path")
	f.StringVar(&o.comment, "comment", "", "a comment stored with each file")
	f.BoolVar(&o.again, "again", false, "upload files again that the history shows already uploaded, unchanged, to the same place")
	f.StringVar(&o.expect, "expect-sha256", "", "the SHA-256 the one FILE must have (64 hex digits): a file that differs fails before any byte is sent")
	return cmd
}

// runUpload queues paths (with what an earlier run left) and uploads them.
func runUpload(ctx context.Context, cio IO, o uploadOptions, paths []string) error {
	if len(paths) == 0 {
		return usageErrorf("name at least one file or folder to upload")
	}
	if err := noStandardInput(paths); err != nil {
		return err
	}
	if o.parent.err != nil {
		return usageErrorf("--parent-id: %s", api.Human(o.parent.err))
	}
	o.folderPath, o.comment = api.TrimDestination(o.folderPath, o.comment)
	if o.folderPath != "" && o.parent.id != nil {
		return usageErrorf("use --folder-path or --parent-id, not both (dStor takes one destination)")
	}
	if err := api.ValidateFolderPath(o.folderPath); err != nil {
		return usageErrorf("%s", api.Human(err))
	}
	if err := api.ValidateComment(o.comment); err != nil {
		return usageErrorf("%s", api.Human(err))
	}
	if err := o.queueOptions.validate(); err != nil {
		return err
	}
	var requests []worker.Request
	for _, p := range paths {
		requests = append(requests, worker.Request{Path: p, FolderPath: o.folderPath, ParentID: o.parent.id, Comment: o.comment,
			Again: o.again, ExpectSHA256: o.expect})
	}
	requests, notThere := namedNotThere(requests)
	if o.expect != "" {
		if n := len(directPaths(requests)) + len(notThere); n != 1 {
			return usageErrorf("--expect-sha256 checks one file: name exactly one (%d given)", n)
		}
		if _, err := api.NormalizeSHA256(o.expect); err != nil {
			return usageErrorf("--expect-sha256: %s", api.Human(err))
		}
	}
	return runQueue(ctx, cio, o.queueOptions, requests, notThere...)
}

// namedNotThere takes out of requests the paths with no file or folder
// there as the command starts (api.NamedNotThere): a name typed
// wrong, never seen there, is no upload to keep in the queue, where
// "resume" and the window would offer to retry it once "put back". Each
// is kept as its failed job, to print (a path named twice, once).
//
// Each path is named here as the queue records it (worker.RequestPath,
// which looks at the disk: a ".." after a link, on Windows each name's
// spelling), once, and the requests kept carry that path: the queue's
// Add then only reads their text, and the report's paths named
// (directPaths) are theirs. This runs before Ctrl+C is caught (runQueue's
// interrupts), so a drive that stopped answering holds no Ctrl+C here
// (the system's ends the process; nothing was queued yet); after it, such
// a look on the command's goroutine held the first Ctrl+C for good.
func namedNotThere(requests []worker.Request) (there []worker.Request, notThere []worker.Job) {
	seen := map[string]bool{}
	for _, r := range requests {
		p := worker.RequestPath(r.Path) // as the queue would name it
		why := api.NamedNotThere(p, r.Path)
		if why == nil {
			r.Path = p
			there = append(there, r)
			continue
		}
		if !seen[p] {
			seen[p] = true
			notThere = append(notThere, worker.Job{LocalPath: p, Name: filepath.Base(p), FolderPath: r.FolderPath, ParentID: r.ParentID,
				State: storage.JobFailed, Err: why.Error()})
		}
	}
	return there, notThere
}
