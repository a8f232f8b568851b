package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
)

// jobPaths are the paths of every job in e's queue, in the database.
func (e *testEnv) jobPaths() []string {
	e.t.Helper()
	rows, err := e.db.Jobs()
	require.NoError(e.t, err)
	var paths []string
	for _, r := range rows {
		paths = append(paths, r.LocalPath)
	}
	return paths
}

// TestLaunchWithAPathNotThereQueuesItNot: `dstor-uploader reprot.pdf` (a
// name typed wrong, or a stale path a file manager handed over) queued a
// failed row for it that said the file was gone, "put it back". The
// window now queues nothing for a path not there as it starts and says so,
// naming the path and to check the name; the path there in the same
// launch is uploaded as before.
func TestLaunchWithAPathNotThereQueuesItNot(t *testing.T) {
	e := newTestEnv(t)
	dir := t.TempDir()
	good := testutil.WriteFile(t, filepath.Join(dir, "report.pdf"), 1500)
	typo := filepath.Join(dir, "reprot.pdf")
	e.a.Close()
	e.a = e.open(Deps{Env: "sandbox", Files: []string{good, typo}})
	a := e.a

	e.eventually(func() bool { return a.win.Canvas().Overlays().Top() != nil }, "the notice, once the paths' stats return")
	e.ui(func() {
		text := overlayText(a.win.Canvas())
		assert.Contains(t, text, "“"+typo+"” does not exist. Check the name.")
		assert.NotContains(t, text, good)
	})
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "signed in to the sandbox and uploaded the file there")
	e.ui(func() { assert.Equal(t, 1, a.upload.sum.Total, "nothing queued for the path not there") })
	assert.Equal(t, []string{good}, e.jobPaths())
}

// TestHandoffWithAPathNotThereQueuesItNot: a later launch ("Open with" on
// a running window) with a path not there: the window comes up, queues
// the file there, nothing for the other, and names it in its notice; the
// launch is told its files are taken (through instance's channel), as the
// window has all it could take.
func TestHandoffWithAPathNotThereQueuesItNot(t *testing.T) {
	e := newTestEnv(t)
	e.openClaimed()
	a := e.a
	e.signInSandbox()
	dir := t.TempDir()
	good := testutil.WriteFile(t, filepath.Join(dir, "second.txt"), 2000)
	typo := filepath.Join(dir, "secnod.txt")

	_, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Env: "sandbox", Paths: []string{good, typo, typo}})
	require.NoError(t, err)
	require.True(t, handed, "the running window takes the launch")
	e.eventually(func() bool { return a.upload.sum.Done == 1 }, "the file there is uploaded")
	e.ui(func() {
		assert.Equal(t, 1, a.upload.sum.Total, "nothing queued for the path not there")
		text := overlayText(a.win.Canvas())
		assert.Contains(t, text, "“"+typo+"” does not exist. Check the name.")
		assert.NotContains(t, text, "put it back")
		assert.NotContains(t, text, good)
	})
	assert.Equal(t, []string{good}, e.jobPaths())
}

// TestHandoffOfOnlyPathsNotThereBeforeSignIn: a window nobody is signed in
// to keeps nothing for a launch whose paths are all not there (it showed
// "1 file or folder waiting", then failed it at the sign-in), says so,
// and tells the launch it is done.
func TestHandoffOfOnlyPathsNotThereBeforeSignIn(t *testing.T) {
	e := newTestEnv(t)
	e.openClaimed()
	a := e.a
	typo := filepath.Join(t.TempDir(), "no-folder", "report.pdf")
	_, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Paths: []string{typo}})
	require.NoError(t, err)
	require.True(t, handed)
	e.eventually(func() bool { return a.win.Canvas().Overlays().Top() != nil }, "the notice")
	e.ui(func() {
		assert.Contains(t, overlayText(a.win.Canvas()), "“"+typo+"” does not exist. Check the name.")
		assert.False(t, a.signin.pending.Visible(), "nothing waits for a sign-in")
		assert.Empty(t, a.pending)
	})
	walks, err := e.db.WalksBeforeSignIn()
	require.NoError(t, err)
	assert.Empty(t, walks, "nothing kept in the database")
}

// TestNotThereNoticeSaysWhy: the notice says of each path not there what
// the command line says (api.NamedNotThere), in the window's words: a
// name to check, a path through a file, a link to nothing; a path named
// twice is named once, and a long list is cut. A path through a link to
// nothing (proj/link/report.pdf, proj/link leading to ../gone) said only
// to check the name: it now names the link and where it leads. A chain of
// links to nothing (chain.pdf to link.pdf to gone.pdf) named link.pdf as
// not there: it names link.pdf as the link that leads to nothing. A launch
// path with a ~ part was said to be a ~ no shell replaced, though the
// window is handed it absolute and cannot know how it was typed
// (/data/~/report.pdf, a folder named ~, is typed so deliberately): it is
// a name to check.
func TestNotThereNoticeSaysWhy(t *testing.T) {
	dir := t.TempDir()
	notes := testutil.WriteFile(t, filepath.Join(dir, "notes.txt"), 10)
	link := filepath.Join(dir, "link.pdf")
	tests := []struct {
		name  string
		paths []string
		want  []string
		unix  bool // a symbolic link needs a privilege on Windows
	}{
		{"a name typed wrong", []string{filepath.Join(dir, "reprot.pdf")},
			[]string{"“" + filepath.Join(dir, "reprot.pdf") + "” does not exist. Check the name."}, false},
		{"through a file", []string{filepath.Join(notes, "x")},
			[]string{"“" + filepath.Join(notes, "x") + "” does not exist: its path goes through “" + notes + "”, a file, not a folder. Check the path."}, false},
		{"a symbolic link to nothing", []string{link},
			[]string{"“" + link + "” is a symbolic link to “gone.pdf”, which does not exist. Point the link at the file, or open the file itself."}, true},
		{"named twice", []string{filepath.Join(dir, "a"), filepath.Join(dir, "a")},
			[]string{"“" + filepath.Join(dir, "a") + "” does not exist. Check the name."}, false},
		{"through a symbolic link to nothing", []string{filepath.Join(dir, "proj", "link", "report.pdf")},
			[]string{"“" + filepath.Join(dir, "proj", "link", "report.pdf") + "” does not exist: its path goes through “" + filepath.Join(dir, "proj", "link") +
				"”, a symbolic link to “../gone”, which does not exist. Point the link at the folder, or open the file by its own path."}, true},
		{"a chain of symbolic links to nothing", []string{filepath.Join(dir, "chain.pdf"), filepath.Join(dir, "chain.pdf", "x")},
			[]string{"“" + filepath.Join(dir, "chain.pdf") + "” is a symbolic link that leads to “" + link + "”, a symbolic link to “gone.pdf”, which does not exist. Point the link at the file, or open the file itself.",
				"“" + filepath.Join(dir, "chain.pdf", "x") + "” does not exist: its path goes through “" + filepath.Join(dir, "chain.pdf") + "”, a symbolic link that leads to “" + link +
					"”, a symbolic link to “gone.pdf”, which does not exist. Point the link at the folder, or open the file by its own path."}, true},
		{"a ~ part, its typing not known", []string{filepath.Join(dir, "~", "notes.txt")},
			[]string{"“" + filepath.Join(dir, "~", "notes.txt") + "” does not exist. Check the name."}, false},
		{"seven", []string{"1", "2", "3", "4", "5", "6", "7"},
			[]string{"“" + filepath.Join(dir, "5") + "” does not exist. Check the name.", "And 2 more not found."}, false},
	}
	if runtime.GOOS != "windows" {
		require.NoError(t, os.Symlink("gone.pdf", link))
		require.NoError(t, os.Symlink("link.pdf", filepath.Join(dir, "chain.pdf")))
		require.NoError(t, os.Mkdir(filepath.Join(dir, "proj"), 0o700))
		require.NoError(t, os.Symlink("../gone", filepath.Join(dir, "proj", "link")))
	}
	t.Setenv("HOME", dir) // what ~ would stand for
	t.Setenv("USERPROFILE", dir)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unix && runtime.GOOS == "windows" {
				t.Skip("unix only")
			}
			var paths []string
			for _, p := range tt.paths {
				if !filepath.IsAbs(p) {
					p = filepath.Join(dir, p)
				}
				paths = append(paths, p)
			}
			there, notThere := api.SplitNotThere(append(paths, notes), nil)
			assert.Equal(t, []string{notes}, there)
			text := notThereText(notThere)
			for _, w := range tt.want {
				assert.Contains(t, text, w)
			}
			distinct := map[string]bool{}
			for _, p := range paths {
				distinct[p] = true
			}
			assert.Len(t, notThere, len(distinct), "each path not there, once")
		})
	}
}

// TestNotThereNoticeFitsTheWindow: the notice names five paths at most so
// that it is never taller than the window, but it named each path whole:
// five paths not there of 1,300 characters each (a folder tree nested
// deep) made a notice of about fifty lines, its text under its OK button
// and past the window's bottom. Each path and link target is now cut in
// the middle, keeping its start and its name.
func TestNotThereNoticeFitsTheWindow(t *testing.T) {
	e := newTestEnv(t)
	deep := t.TempDir()
	for i := range 40 {
		deep = filepath.Join(deep, fmt.Sprintf("averyveryverylongfoldername%02d", i))
	}
	var paths []string
	for i := range 5 {
		paths = append(paths, filepath.Join(deep, fmt.Sprintf("missing-%d.txt", i)))
	}
	e.a.Close()
	e.a = e.open(Deps{Files: paths, NoAutoSignIn: true})
	c := e.a.win.Canvas()
	e.eventually(func() bool { return c.Overlays().Top() != nil }, "the notice, once the paths' stats return")
	e.ui(func() {
		var notice *widget.Label
		walkObjects(c.Overlays().Top(), func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "Nothing was added") {
				notice = l
			}
		})
		require.NotNil(t, notice, "the notice's text")
		for _, p := range paths {
			assert.Contains(t, notice.Text, filepath.Base(p), "each path's name is kept")
		}
		bottom := fyne.CurrentApp().Driver().AbsolutePositionForObject(notice).Y + notice.MinSize().Height
		assert.LessOrEqual(t, bottom, c.Size().Height, "the notice's text ends inside the window")
	})
}

// TestLaunchesOfPathsNotThereShareOneNotice: each launch handed a path not
// there opened a notice of its own over the last, so a script that opens
// stale paths one launch each (xargs -n1 dstor-uploader < list) left one
// dialog per path to close. A notice still open now names the paths of the
// later launches too, in one dialog, each path once.
func TestLaunchesOfPathsNotThereShareOneNotice(t *testing.T) {
	e := newTestEnv(t)
	e.openClaimed()
	a := e.a
	dir := t.TempDir()
	typos := []string{filepath.Join(dir, "reprot.pdf"), filepath.Join(dir, "nots.txt"), filepath.Join(dir, "reprot.pdf")}
	for _, p := range typos {
		_, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Paths: []string{p}})
		require.NoError(t, err)
		require.True(t, handed)
	}
	// Each launch returns once its paths are applied, notice and all.
	notices := func() (texts []string) {
		e.ui(func() {
			for _, o := range a.win.Canvas().Overlays().List() {
				var lines []string
				visibleTexts(o, func(_, text string) { lines = append(lines, text) })
				if text := strings.Join(lines, "\n"); strings.Contains(text, "does not exist") {
					texts = append(texts, text)
				}
			}
		})
		return texts
	}
	open := notices()
	require.Len(t, open, 1, "notices open: %q", open)
	assert.Equal(t, 1, strings.Count(open[0], "“"+typos[0]+"” does not exist. Check the name."), "%s", open[0])
	assert.Contains(t, open[0], "“"+typos[1]+"” does not exist. Check the name.")
	assert.Contains(t, open[0], "Nothing was added to the queue for these paths.")

	// Closed (Escape), the notice is done with: the next launch's names
	// only its own path.
	e.ui(func() { pressKey(a.win.Canvas(), fyne.KeyEscape) })
	require.Empty(t, notices(), "closed")
	later := filepath.Join(dir, "latre.txt")
	_, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Paths: []string{later}})
	require.NoError(t, err)
	require.True(t, handed)
	open = notices()
	require.Len(t, open, 1, "notices open: %q", open)
	assert.Contains(t, open[0], "“"+later+"” does not exist. Check the name.")
	assert.NotContains(t, open[0], typos[0])
}

// TestLaunchTypedWithATildeSaysSo: `dstor-uploader.exe ~\notes.txt` typed
// in cmd (which never replaces ~), or `dstor-uploader "~/notes.txt"`
// quoted, got "does not exist. Check the name." in the window, which is
// handed its paths absolute, while `upload` of the same says ~ was not
// replaced and names the file meant. The launch now hands over each path
// as typed too (instance.Request.Typed), and the notice says what upload
// says, for the window's own launch and one handed to it alike; a launch
// of an older version, which sends no spelling, gets "Check the name".
func TestLaunchTypedWithATildeSaysSo(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	notes := testutil.WriteFile(t, filepath.Join(home, "notes.txt"), 10)
	given := filepath.Join(t.TempDir(), "~", "notes.txt") // made absolute where the launch ran
	typed := "~" + string(filepath.Separator) + "notes.txt"
	hint := "“" + given + "” does not exist: ~ was not replaced with a home folder (a shell does not replace it inside quotes, and Windows never does). Name the full path: “" + notes + "”."

	e := newTestEnv(t)
	e.a.Close()
	e.a = e.open(Deps{Files: []string{given}, Typed: []string{typed}})
	a := e.a
	e.eventually(func() bool { return a.win.Canvas().Overlays().Top() != nil }, "the notice of the window's own launch")
	e.ui(func() { assert.Contains(t, overlayText(a.win.Canvas()), hint) })

	e = newTestEnv(t)
	e.openClaimed()
	a = e.a
	_, handed, err := instance.Claim(t.Context(), e.dir, instance.Request{Paths: []string{given}, Typed: []string{typed}})
	require.NoError(t, err)
	require.True(t, handed, "the running window takes the launch")
	e.eventually(func() bool { return a.win.Canvas().Overlays().Top() != nil }, "the notice of a launch handed over")
	e.ui(func() { assert.Contains(t, overlayText(a.win.Canvas()), hint) })
	assert.Empty(t, e.jobPaths(), "nothing queued for it")
}
