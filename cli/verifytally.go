package cli

import (
	"context"
	"fmt"
	"sync"

	"github.com/dstor-uploader/dstor-uploader/internal/numtext"
)

// verifyTally counts what verify said of each file and entry, for the
// line that ends a verify of a folder or of several paths: whether any of
// thousands of files is missing, without a scroll through their lines.
// The goroutine that verifies counts; the command reads the counts, at
// the end or when it stops waiting for that goroutine (end): mu holds
// them.
type verifyTally struct {
	mu       sync.Mutex
	ended    bool   // the command no longer waits: nothing more is counted (end)
	env      string // the environment whose uploads count
	folders  int    // folders among the paths given
	uploaded int
	missing  int // not uploaded: no upload to env has the content
	changed  int // of missing: their path was uploaded, with other content
	unread   int // cannot verify: no hash (unreadable, changed while read)
	skipped  int // entries of a folder an upload of it skips
	failed   int // results that make the exit status 1 (failedResult)
}

// folder counts a folder among the paths given.
func (t *verifyTally) folder() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.folders++
}

// end stops the count where it is: the command said so and no longer
// waits for what is being verified.
func (t *verifyTally) end() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.ended = true
}

// add counts the result r and prints it (print), and returns print's
// error; or, once verify has stopped (say), returns ctx's error: r was
// found as verify stopped, and is one of the files after the last line
// printed, not verified.
func (t *verifyTally) add(ctx context.Context, r verifyResult, print func() error) error {
	return t.say(ctx, func() error {
		t.count(r)
		return print()
	})
}

// say runs print, which prints what verify found, with the count held,
// so that the sentence that ends the command follows every line it
// counts (a second Ctrl+C waits for a line being printed, not for a file
// being read); or, once ctx has ended (Ctrl+C) or the count with it
// (end), prints nothing and returns ctx's error.
func (t *verifyTally) say(ctx context.Context, print func() error) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ended || ctx.Err() != nil {
		return ctx.Err()
	}
	return print()
}

// count counts the result r.
func (t *verifyTally) count(r verifyResult) {
	t.failed += failedResult(r)
	switch {
	case r.Skipped != "":
		t.skipped++
	case r.Error != "":
		t.unread++
	case r.Matches:
		t.uploaded++
	default:
		t.missing++
		if r.ChangedSince != nil {
			t.changed++
		}
	}
}

// worthSaying is whether the count ends verify's output: for a folder or
// more than one path, never for a single file, whose line says it all,
// nor when nothing was counted (an empty folder has said so itself).
func (t *verifyTally) worthSaying(paths []string) bool {
	return (len(paths) > 1 || t.folders > 0) && t.uploaded+t.missing+t.unread+t.skipped > 0
}

// closing is the line that ends a verify of paths that was not
// stopped: "Verified " and the counts (counts), and whether it is worth
// saying.
func (t *verifyTally) closing(paths []string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return "Verified " + t.counts(), t.worthSaying(paths)
}

// counts says how many files were verified against t.env and what each
// was found to be; a count of none is not said.
func (t *verifyTally) counts() string {
	files := t.uploaded + t.missing + t.unread
	s := fmt.Sprintf("%s file(s) against %s: %s uploaded", countText(files), t.env, countText(t.uploaded))
	for _, c := range []struct {
		n      int
		format string
	}{
		{t.missing, " · %s not uploaded"},
		{t.changed, " (%s of them changed since its upload)"},
		{t.unread, " · %s could not be verified"},
		{t.skipped, " · %s skipped"},
	} {
		if c.n > 0 {
			s += fmt.Sprintf(c.format, countText(c.n))
		}
	}
	return s
}

// before is what the sentence of an interrupted verify adds of what was
// counted before the stop: "" when there is nothing to add.
func (t *verifyTally) before(paths []string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.worthSaying(paths) {
		return ""
	}
	return "; before it, verified " + t.counts()
}

// countText writes n as the command line writes counts (numtext.Count).
func countText(n int) string { return numtext.Count(n, ",") }
