package cli

import (
	"fmt"

	"github.com/dstor-uploader/dstor-uploader/internal/numtext"
)

// verifyTally counts what verify said of each file and entry, for the
// line that ends a verify of a folder or of several paths: whether any of
// thousands of files is missing, without a scroll through their lines.
type verifyTally struct {
	env      string // the environment whose uploads count
	folders  int    // folders among the paths given
	uploaded int
	missing  int // not uploaded: no upload to env has the content
	changed  int // of missing: their path was uploaded, with other content
	unread   int // cannot verify: no hash (unreadable, changed while read)
	skipped  int // entries of a folder an upload of it skips
	failed   int // results that make the exit status 1 (failedResult)
}

// add counts the result r.
func (t *verifyTally) add(r verifyResult) {
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

// summary is the closing line: "Verified " and the counts (counts).
func (t *verifyTally) summary() string { return "Verified " + t.counts() }

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
	if !t.worthSaying(paths) {
		return ""
	}
	return "; before it, verified " + t.counts()
}

// countText writes n as the command line writes counts (numtext.Count).
func countText(n int) string { return numtext.Count(n, ",") }
