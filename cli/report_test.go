package cli

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestReportLinesAreInert: a file name with control characters, a bidi
// override, a newline or an invalid byte reaches neither stdout nor stderr
// as it is, in the line's name or in its sentence (an error that names the
// file), whatever the state.
func TestReportLinesAreInert(t *testing.T) {
	for _, name := range []string{"x\x1b[31mRED.txt", "t\x1b]0;owned\a.txt", "a.txt\nDONE  b.txt", "invoice\u202efdp.exe", "c1\u009b2J", "bad\xff.txt"} {
		for _, j := range []worker.Job{
			{State: storage.JobFailed, Err: "open " + name + ": permission denied"},
			{State: storage.JobSkipped, Err: name + " is a named pipe"},
			{State: storage.JobAlready, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", Err: name + " was uploaded on 1 Dec"},
			{State: storage.JobDone, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o"},
			{State: storage.JobQueued, Err: "dStor is busy with " + name, RetryAt: time.Now().Add(time.Hour)},
		} {
			var out, errOut strings.Builder
			r := newReporter(IO{Out: &out, Err: &errOut}, false, func(hash, _ string) string { return "https://gw/ipfs/" + hash })
			j.ID, j.Name, j.LocalPath = "j", name, "/in/"+name
			r.job(j)
			r.close()
			for where, text := range map[string]string{"stdout": out.String(), "stderr": errOut.String()} {
				assert.True(t, printableLines(text), "%s of a %s job named %q: %q", where, j.State, name, text)
			}
			assert.NotEmpty(t, out.String()+errOut.String(), "%s job named %q printed nothing", j.State, name)
		}
	}
}

// printableLines reports whether text is lines of characters a terminal
// shows as they are.
func printableLines(text string) bool {
	return utf8.ValidString(text) && strings.IndexFunc(text, func(r rune) bool { return r != '\n' && r != ' ' && !unicode.IsPrint(r) }) < 0
}
