package ui

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestWindowShowsOutsideTextInert: a local file name (or a server's text)
// with control characters, a bidirectional override, a newline, a C1
// control or an invalid byte reaches no label or toast of the window as it
// is: the queue row, the history row and the toasts show it escaped.
func TestWindowShowsOutsideTextInert(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	for _, tt := range []struct{ name, in, shown string }{
		{"escape sequence", "x\x1b[31mRED.txt", `\x1b[31mRED`},
		{"terminal title and bell", "t\x1b]0;owned\a.txt", `\x1b]0;owned\a`},
		{"newline faking a line", "a.txt\nUploaded b.txt", `a.txt\nUploaded b.txt`},
		{"bidi override", "invoice\u202efdp.exe", `invoice\u202efdp.exe`},
		{"C1 control", "c1\u009b2J.txt", `c1\u009b2J.txt`},
		{"invalid UTF-8", "bad\xff.txt", `bad\xff.txt`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e.ui(func() {
				q := newQueueRow(a.upload)
				q.set(worker.Job{ID: "j", Name: tt.in, FolderPath: "/in/" + tt.in + "/", Size: 1,
					State: storage.JobFailed, Err: "open " + tt.in + ": permission denied"})
				h := newHistoryRow(a.history)
				h.set(storage.HistoryEntry{ID: 1, Name: tt.in, ServerName: tt.in, Comment: tt.in,
					FolderPath: "/in/" + tt.in + "/", Hash: tt.in, FinishedAt: fixedNow})
				f := newFolderRow(a.history)
				f.set(&folderGroup{key: storage.FolderKey{Folder: "/home/me/" + tt.in}, newest: fixedNow})
				a.showToast("Link to " + tt.in + " copied to the clipboard")
				for where, text := range map[string]string{
					"queue name": q.name.Text, "queue detail": q.detail.Text,
					"history name": h.name.Text, "history detail": h.detail.Text, "history CID": h.cidLine.full,
					"folder name": f.name.Text, "folder detail": f.detail.Text, "folder, spoken": f.AccessibilityLabel(),
					"toast": a.toast.Text,
				} {
					assert.True(t, printable(text), "%s shows %q", where, text)
					assert.Contains(t, text, tt.shown, "%s", where)
				}
			})
		})
	}
}

// printable reports whether every character of s can be shown as it is.
func printable(s string) bool {
	return utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return r != ' ' && !unicode.IsPrint(r) }) < 0
}

// TestNamesOfSpacesAreVisible: a file or folder named only with spaces
// (legal on Linux) showed as a blank name in its queue row, its history
// row and its folder share's row: nothing to see, and no telling "   "
// from " ". Such a name shows quoted, as on an index page and in a link's
// text (d13d5ab); a name with spaces around other characters is as it is.
func TestNamesOfSpacesAreVisible(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	shownAs := func(name string) map[string]string {
		shown := map[string]string{}
		e.ui(func() {
			q := newQueueRow(a.upload)
			q.set(worker.Job{ID: "j", Name: name, Size: 1, State: storage.JobQueued})
			h := newHistoryRow(a.history)
			h.set(storage.HistoryEntry{ID: 1, Name: name, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
			f := newFolderRow(a.history)
			f.set(&folderGroup{key: storage.FolderKey{Folder: "/home/me/" + name}, newest: fixedNow})
			shown = map[string]string{"queue name": q.name.Text, "history name": h.name.Text,
				"folder name": f.name.Text, "folder, spoken": f.AccessibilityLabel()}
		})
		return shown
	}
	one, three := shownAs(" "), shownAs("   ")
	require.Len(t, one, 4)
	for where := range one {
		// Quoted, the two names show as many spaces as they have.
		assert.Equal(t, `" "`, one[where], "%s of a name of one space", where)
		assert.Equal(t, `"   "`, three[where], "%s of a name of three spaces", where)
	}
	for where, text := range shownAs("  a  ") {
		assert.Equal(t, "  a  ", text, "%s of a name with spaces around it", where)
	}
}

// TestNamesWithJoinersShowAsTheyAre: the zero-width joiner and
// non-joiner are how emoji sequences and scripts such as Persian are
// written, and cannot reorder or hide text (a link's text keeps them:
// inert.Line). A queue or history row showed such a name quoted with
// the joiner escaped, "👩\u200d💻 notes.md", and so did a sentence that
// names it between its own quotes. A zero-width space beside them is
// still escaped.
func TestNamesWithJoinersShowAsTheyAre(t *testing.T) {
	e := newTestEnv(t)
	for _, tt := range []struct{ name, shown string }{
		{"👩\u200d💻 notes.md", "👩\u200d💻 notes.md"},
		{"می\u200cخواهم.txt", "می\u200cخواهم.txt"},
		{"👩\u200d💻\u200b.md", `"👩\u200d💻\u200b.md"`},
	} {
		e.ui(func() {
			q := newQueueRow(e.a.upload)
			q.set(worker.Job{ID: "j", Name: tt.name, Size: 1, State: storage.JobQueued})
			h := newHistoryRow(e.a.history)
			h.set(storage.HistoryEntry{ID: 1, Name: tt.name, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
			assert.Equal(t, tt.shown, q.name.Text, "queue row of %q", tt.name)
			assert.Equal(t, tt.shown, h.name.Text, "history row of %q", tt.name)
		})
	}
	said := alreadyQueuedText(worker.Event{Count: 1, Job: worker.Job{Name: "👩\u200d💻 notes.md"}})
	assert.Contains(t, said, "“👩\u200d💻 notes.md”", "a sentence naming it")

	// A line of the window's own words with outside text in it: a row's
	// detail, a toast.
	const joined = "👩\u200d💻"
	e.ui(func() {
		q := newQueueRow(e.a.upload)
		q.set(worker.Job{ID: "j", Name: "a.txt", FolderPath: "/" + joined + "/", Size: 1, State: storage.JobQueued})
		h := newHistoryRow(e.a.history)
		h.set(storage.HistoryEntry{ID: 1, Name: "a.txt", ServerName: joined + ".txt", Comment: joined, FolderPath: "/" + joined + "/",
			Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
		f := newFolderRow(e.a.history)
		f.set(&folderGroup{key: storage.FolderKey{Folder: "/home/me/" + joined}, newest: fixedNow})
		e.a.showToast(tr("Link to {{.Name}} copied to the clipboard", map[string]any{"Name": nameText(joined + ".txt")}))
		for where, text := range map[string]string{"queue detail": q.detail.Text, "history detail": h.detail.Text,
			"folder detail": f.detail.Text, "toast": e.a.toast.Text} {
			assert.Contains(t, text, joined, "%s", where)
			assert.NotContains(t, text, `\u200d`, "%s", where)
		}
	})
}

// TestNamesBetweenQuotesAreNotQuotedAgain: a sentence that shows a name
// between its own quotes (“{{.Name}}”) shows a name of spaces as it is,
// the quotes already showing where it begins and ends, and a name with a
// control character escaped where it stands: never “"   "” or
// “"a\x1bb"”, quoted twice. So does a history row's comment, which it
// shows between quotes (one kept from before comments were checked, or
// with a formatting character, which the check lets through).
func TestNamesBetweenQuotesAreNotQuotedAgain(t *testing.T) {
	e := newTestEnv(t)
	folder := func(name string) storage.FolderKey { return storage.FolderKey{Folder: "/home/me/" + name} }
	sentences := map[string]func(name string) string{
		"already in the queue": func(name string) string {
			return alreadyQueuedText(worker.Event{Count: 1, Job: worker.Job{Name: name}})
		},
		"a folder's files waiting": func(name string) string {
			return folderLeftText(folder(name), storage.FolderLeft{Waiting: 1})
		},
		"a folder still listed": func(name string) string {
			return folderLeftText(folder(name), storage.FolderLeft{BatchLeft: storage.BatchLeft{Listing: true}})
		},
		"the name dStor gave": func(name string) string {
			var shown string
			e.ui(func() {
				h := newHistoryRow(e.a.history)
				h.set(storage.HistoryEntry{ID: 1, Name: "a.txt", ServerName: name, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
				shown = h.detail.Text
			})
			return shown
		},
		"a comment in a history row": func(comment string) string {
			var shown string
			e.ui(func() {
				h := newHistoryRow(e.a.history)
				h.set(storage.HistoryEntry{ID: 1, Name: "a.txt", Comment: comment, Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
				shown = h.detail.Text
			})
			return shown
		},
	}
	for what, sentence := range sentences {
		for _, tt := range []struct{ name, shown string }{
			{"   ", "“   ”"},
			{" ", "“ ”"},
			{"a\x1bb", `“a\x1bb”`},
			{"a\u202eb", `“a\u202eb”`},
			{"trip", "“trip”"},
		} {
			got := sentence(tt.name)
			assert.Contains(t, got, tt.shown, "%s, of the name %q", what, tt.name)
			assert.NotContains(t, got, `“"`, "%s, of the name %q: quoted once", what, tt.name)
		}
	}
}

// TestTheSearchIsShownAsNamesAre: the person's own search, pasted with a
// bidirectional control or a line break, is shown in "Nothing matches
// “…”" and in the Export menu's "the matches of “…”" escaped where it
// stands, as a name between a sentence's quotes is (quotedNameText): it
// was shown raw, so U+202E reordered the sentence and a line break broke
// it. Cut short, it is cut between what is drawn as one character
// (drawnApart): it was cut by runes, which left a flag's lone regional
// indicator, an emoji without what its joiner joined, or a keycap's
// digit without its keycap before the "…".
func TestTheSearchIsShownAsNamesAre(t *testing.T) {
	e := newTestEnv(t)
	h := e.a.history
	x := func(n int) string { return strings.Repeat("x", n) }
	for _, tt := range []struct{ what, search, sentence, menu string }{
		{"a right-to-left override", "invoice\u202efdp.exe", `“invoice\u202efdp.exe”`, `“invoice\u202efdp.exe”`},
		{"an isolate", "\u2066pdf.exe", `“\u2066pdf.exe”`, `“\u2066pdf.exe”`},
		{"a line break", "a.txt\nUploaded b.txt", `“a.txt\nUploaded b.txt”`, `“a.txt\nUploaded b.txt”`},
		{"a flag at the cut", x(38) + "🇺🇸🇫🇷", "“" + x(38) + "…”", "“" + x(23) + "…”"},
		{"an emoji's joiner at the cut", x(22) + "👩\u200d💻" + x(20), "“" + x(22) + "👩\u200d💻" + x(14) + "…”", "“" + x(22) + "…”"},
		{"a keycap at the cut", x(22) + "1\ufe0f\u20e3" + x(20), "“" + x(22) + "1\ufe0f\u20e3" + x(14) + "…”", "“" + x(22) + "…”"},
		{"an accent at the cut", x(22) + "e\u0301" + x(20), "“" + x(22) + "e\u0301" + x(15) + "…”", "“" + x(22) + "…”"},
	} {
		e.ui(func() {
			h.search.SetText(tt.search)
			h.setCount(0, false, tt.search)
			assert.Contains(t, h.empty.Text, tt.sentence, "%s: Nothing matches", tt.what)
			assert.True(t, shownWhole(h.empty.Text), "%s: Nothing matches shows %q", tt.what, h.empty.Text)
			var labels []string
			for _, it := range h.exportMenuItems() {
				labels = append(labels, it.Label)
			}
			assert.Contains(t, strings.Join(labels, "\n"), "the matches of "+tt.menu, "%s: the Export menu", tt.what)
			for _, l := range labels {
				assert.True(t, shownWhole(l), "%s: the Export menu shows %q", tt.what, l)
			}
		})
	}
}

// shownWhole reports whether s shows every character it holds, and each
// in one piece: no control, formatting or invalid byte (a joiner only
// between two characters it joins), and no regional indicator left
// without its pair.
func shownWhole(s string) bool {
	r := []rune(s)
	for i, c := range r {
		switch {
		case c == '\u200d':
			if i == 0 || i == len(r)-1 || r[i-1] < utf8.RuneSelf || r[i+1] < utf8.RuneSelf {
				return false
			}
		case c != ' ' && !unicode.IsPrint(c):
			return false
		}
	}
	for _, run := range strings.FieldsFunc(s, func(c rune) bool { return !isRegionalIndicator(c) }) {
		if utf8.RuneCountInString(run)%2 != 0 {
			return false
		}
	}
	return utf8.ValidString(s)
}

// TestATypedEscapeIsToldFromTheCharacter: a sentence that names a file
// between its own quotes shows a name typed with the six characters
// \u202e otherwise than one with U+202E itself: the backslash that would
// read as an escape is \x5c (inert.Literal), as in a link's text. Both
// showed “a\u202eb”. The name dStor gave, kept escaped so already
// (api's serverText), is shown as it was kept, not escaped again
// (“a\x5cx5cu202eb”).
func TestATypedEscapeIsToldFromTheCharacter(t *testing.T) {
	e := newTestEnv(t)
	row := func(entry storage.HistoryEntry) string {
		var shown string
		e.ui(func() {
			h := newHistoryRow(e.a.history)
			entry.ID, entry.Hash, entry.FinishedAt = 1, "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", fixedNow
			h.set(entry)
			shown = h.detail.Text
		})
		return shown
	}
	sentences := map[string]func(name string) string{
		"already in the queue": func(name string) string {
			return alreadyQueuedText(worker.Event{Count: 1, Job: worker.Job{Name: name}})
		},
		"a folder's files waiting": func(name string) string {
			return folderLeftText(storage.FolderKey{Folder: "/home/me/" + name}, storage.FolderLeft{Waiting: 1})
		},
		"a comment in a history row": func(comment string) string {
			return row(storage.HistoryEntry{Name: "a.txt", Comment: comment})
		},
	}
	for what, sentence := range sentences {
		typed, real := sentence(`a\u202eb`), sentence("a\u202eb")
		assert.Contains(t, typed, `“a\x5cu202eb”`, "%s, of the name typed with \\u202e", what)
		assert.Contains(t, real, `“a\u202eb”`, "%s, of the name with U+202E", what)
		assert.NotEqual(t, typed, real, "%s", what)
	}
	for _, tt := range []struct{ kept, shown string }{
		{`a\x5cu202eb`, `dStor named it “a\x5cu202eb”`},
		{`a\u202eb`, `dStor named it “a\u202eb”`},
	} {
		assert.Contains(t, row(storage.HistoryEntry{Name: "a.txt", ServerName: tt.kept}), tt.shown)
	}
}

// TestRandomHostileNamesShowInert: random names of the characters a name
// can hide behind (controls, bidirectional controls, line and paragraph
// separators, zero-width and tag characters, a byte-order mark, joiners,
// lone marks, variation selectors, invalid bytes, typed escapes), seed
// logged, shown where the window shows names (the queue row and its
// detail, the history row and its detail with the name dStor gave and a
// comment, a folder's row, its spoken label, a toast, a sentence between
// quotes, the search's "Nothing matches"): none shows a control,
// formatting or invalid character as it is, nor a joiner that joins
// nothing it draws.
func TestRandomHostileNamesShowInert(t *testing.T) {
	e := newTestEnv(t)
	a := e.a
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 0))
	alphabet := []string{"a", "é", "Ж", "👩", "💻", "❤", "1", ".", " ", `\`, "u", "2", "e", "\x00", "\x1b", "\n", "\r",
		"\u0085", "\u202e", "\u2066", "\u200e", "\u061c", "\u2028", "\u2029", "\u200b", "\ufeff", "\U000e0041",
		"\U000e0001", "\u200d", "\u200c", "\u0301", "\ufe0f", "\ufe0e", "\u20e3", "\u3164", "\u2800", "\xff", "\xc3"}
	for range 300 {
		var b strings.Builder
		for range 1 + rng.IntN(10) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		name := b.String()
		e.ui(func() {
			q := newQueueRow(a.upload)
			q.set(worker.Job{ID: "j", Name: name, FolderPath: "/in/" + name + "/", Size: 1,
				State: storage.JobFailed, Err: "open " + name + ": permission denied"})
			h := newHistoryRow(a.history)
			h.set(storage.HistoryEntry{ID: 1, Name: name, ServerName: name + "x", Comment: name,
				FolderPath: "/in/" + name + "/", Hash: "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", FinishedAt: fixedNow})
			f := newFolderRow(a.history)
			f.set(&folderGroup{key: storage.FolderKey{Folder: "/home/me/" + name}, newest: fixedNow})
			a.showToast("Link to " + name + " copied to the clipboard")
			a.history.setCount(0, false, name)
			for where, text := range map[string]string{
				"queue name": q.name.Text, "queue detail": q.detail.Text,
				"history name": h.name.Text, "history detail": h.detail.Text,
				"folder name": f.name.Text, "folder detail": f.detail.Text, "folder, spoken": f.AccessibilityLabel(),
				"toast": a.toast.Text, "already queued": alreadyQueuedText(worker.Event{Count: 1, Job: worker.Job{Name: name}}),
				"nothing matches": a.history.empty.Text,
			} {
				require.True(t, shownInert(text), "%s of the name %q shows %q", where, name, text)
			}
		})
	}
}

// shownInert reports whether s is valid UTF-8 and shows each character
// it holds: none is a control, formatting or invalid byte as it is, but
// a joiner between two characters beyond ASCII.
func shownInert(s string) bool {
	r := []rune(s)
	for i, c := range r {
		switch {
		case c == '\u200d' || c == '\u200c':
			if i == 0 || i == len(r)-1 || r[i-1] < utf8.RuneSelf || r[i+1] < utf8.RuneSelf {
				return false
			}
		case c != ' ' && !unicode.IsPrint(c):
			return false
		}
	}
	return utf8.ValidString(s)
}
