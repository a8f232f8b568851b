package storage

import (
	"bufio"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"modernc.org/sqlite"
)

// TestSearchFoldsCompatibilityForms: text that reads the same is found
// the same way — a ligature copied from a PDF, full-width letters and
// digits as Chinese and Japanese input methods type them, half-width
// katakana, a superscript, a no-break space, ß and ss, a Greek final
// sigma — and every name, CID and link still finds itself. "file" found
// no "ﬁle.txt", "img_1" no "ＩＭＧ_１.jpg", "οδος" no "ΟΔΟΣ.txt".
func TestSearchFoldsCompatibilityForms(t *testing.T) {
	names := []string{
		"\ufb01le.txt",                       // ﬁle
		"\uff29\uff2d\uff27_\uff11.jpg",      // ＩＭＧ_１ (full-width)
		"\uff76\uff9e\uff72\uff84\uff9e.pdf", // ｶﾞｲﾄﾞ (half-width katakana)
		"area m\u00b2.txt",                   // m²
		"Stra\u00dfe.txt",                    // Straße
		"\u039f\u0394\u039f\u03a3.txt",       // ΟΔΟΣ
		"report\u00a0draft.txt",              // a no-break space
		"Qm\uff21lmost.txt",                  // a full-width letter in a CID-like name
	}
	// A real CID for Straße.txt, so that links to it are read as links.
	const realV0, realV1 = "QmT78zSuBmuS4z925WZfrqQ1qHaJ56DQaTfyMUF7F8ff5o", "bafybeicg2rebjoofv4kbyovkw7af3rpiitvnl6i7ckcywaq6xjcxnc2mby"
	d := openTestDB(t)
	for i, name := range names {
		hash := fakeCID(i)
		if i == 4 {
			hash = realV0
		}
		_, err := d.AddHistory(HistoryEntry{JobID: fmt.Sprint("j", i), Name: name, Hash: hash})
		require.NoError(t, err)
	}
	tests := []searchCase{
		{"file", names[0:1]},
		{"FILE.TXT", names[0:1]},
		{"\ufb01", names[0:1]}, // the ligature typed: its letters
		{"img_1", names[1:2]},
		{"\uff49\uff4d\uff47", names[1:2]}, // full-width typed
		{"\u30ac\u30a4\u30c9", names[2:3]}, // ガイド as usually typed
		{"m2", names[3:4]},
		{"strasse", names[4:5]},
		{"STRASSE", names[4:5]},
		{"stra\u00dfe", names[4:5]},
		{"\u03bf\u03b4\u03bf\u03c2", names[5:6]}, // οδος, with the final sigma a Greek keyboard types
		{"\u03bf\u03b4\u03bf\u03c3", names[5:6]}, // οδοσ
		{"report draft", names[6:7]},
		{"qmalmost", names[7:8]},
		{fakeCID(3), names[3:4]}, // a CID is ASCII: folding leaves it as it is
		{"https://ipfs.io/ipfs/" + realV0 + "?filename=Stra%C3%9Fe.txt", names[4:5]},
		{"https://" + realV1 + ".ipfs.dweb.link/?filename=Stra\u00dfe.txt", names[4:5]},
		{realV1, names[4:5]},
	}
	for i, name := range names {
		tests = append(tests, searchCase{name, names[i : i+1]}) // each name finds itself
	}
	assertSearchCases(t, d, tests)
}

// TestSearchFindsTurkishI: "istanbul", typed on any keyboard, finds
// İstanbul (U+0130, or I and a combining dot as macOS writes it),
// ISTANBUL, Istanbul and ıstanbul (dotless, as a Turkish keyboard types
// the lowercase of I), and each of those typed finds them all: a person
// searching does not know which i the name holds. "istanbul" found no
// "İstanbul.pdf" (folded to i and a combining dot) nor "ıstanbul.txt".
func TestSearchFindsTurkishI(t *testing.T) {
	names := []string{
		"\u0130stanbul.pdf",        // İstanbul
		"I\u0307stanbul notes.txt", // İ as I and a combining dot (NFD)
		"ISTANBUL.jpg",
		"\u0131stanbul.txt", // ıstanbul (dotless)
		"istanbul.md",
		"Istanbul.doc",
		"\u0130zm\u0131r-Kyiv.txt", // İzmır-Kyiv
	}
	d := openTestDB(t)
	for i, name := range names {
		_, err := d.AddHistory(HistoryEntry{JobID: fmt.Sprint("j", i), Name: name, Hash: fakeCID(i)})
		require.NoError(t, err)
	}
	newestFirst := func(s []string) []string {
		r := slices.Clone(s)
		slices.Reverse(r)
		return r
	}
	istanbul := newestFirst(names[:6])
	tests := []searchCase{
		{"istanbul", istanbul},
		{"ISTANBUL", istanbul},
		{"Istanbul", istanbul},
		{"\u0130stanbul", istanbul},
		{"\u0130STANBUL", istanbul},
		{"\u0131stanbul", istanbul},
		{"i\u0307stanbul", istanbul}, // the case folding of İ, typed
		{"I\u0307STANBUL", istanbul},
		{"\u0131\u0307stanbul", istanbul}, // ı with a dot above
		{"stanbul", istanbul},
		{"izmir", names[6:7]},
		{"\u0130ZM\u0130R", names[6:7]},
		{"\u0131zm\u0131r", names[6:7]},
		{"kyiv", names[6:7]},
		{"KY\u0130V", names[6:7]},
		{"\u0130", newestFirst(names)}, // short: every name holds an i
		{"\u0131", newestFirst(names)},
		{"\u0131s", istanbul},
	}
	for i, name := range names {
		tests = append(tests, searchCase{name, names[i : i+1]}) // each name finds itself
	}
	assertSearchCases(t, d, tests)
}

// recordedSearchText is search_text as versions before schema 22 wrote
// it: the fields lowercased as written.
func recordedSearchText(name, hash, comment, folder string) string {
	return strings.ToLower(name + searchSep + hash + searchSep + comment + searchSep + folder)
}

// mixedName is the name of entry i of olderFoldHistory: accents in mixed
// Unicode forms, in one of four ways.
func mixedName(i int) string {
	return fmt.Sprintf([]string{
		"caf\u00e9-Zoe\u0308 %05d.txt",  // é NFC, ë NFD
		"cafe\u0301-Zo\u00eb %05d.txt",  // é NFD, ë NFC
		"caf\u00e9-Zo\u00eb %05d.txt",   // all NFC
		"cafe\u0301-Zoe\u0308 %05d.txt", // all NFD
	}[i%4], i)
}

// olderFoldHistory makes, in the data folder dir, a history at schema 21
// holding n entries named mixedName(i) with search_text as that version
// wrote it, the first indexed of them in the trigram index.
func olderFoldHistory(t *testing.T, dir string, n, indexed int) {
	t.Helper()
	olderSchemaIn(t, dir, 21)
	raw, err := sql.Open("sqlite", filepath.Join(dir, DBFileName))
	require.NoError(t, err)
	defer raw.Close()
	tx, err := raw.Begin()
	require.NoError(t, err)
	insertRows(t, tx, `INSERT INTO history (job_id, name, hash, finished_at, search_text) VALUES`, n, func(i int) []any {
		name, hash := mixedName(i), fakeCID(i)
		return []any{fmt.Sprint("j", i), name, hash, i + 1, recordedSearchText(name, hash, "", "")}
	})
	_, err = tx.Exec(`INSERT INTO history_fts (rowid, search_text) SELECT id, search_text FROM history WHERE id <= ?`, indexed)
	require.NoError(t, err)
	_, err = tx.Exec(`UPDATE history_stats SET indexed_to = ? WHERE id = 1`, indexed)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
}

// refoldTo reads history_stats.refold_to.
func refoldTo(t *testing.T, d *DB) int64 {
	t.Helper()
	var to int64
	require.NoError(t, d.r.QueryRow(historyRefoldSQL).Scan(&to))
	return to
}

// openRefoldHeld opens the history in dir with its refold held before its
// first batch until let is called (or the test ends), closed at the end
// of the test.
func openRefoldHeld(t *testing.T, dir string) (d *DB, let func()) {
	t.Helper()
	release := make(chan struct{})
	var once sync.Once
	let = func() { once.Do(func() { close(release) }) }
	beforeRefoldBatch = func() { <-release }
	t.Cleanup(func() { beforeRefoldBatch = nil })
	d, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { let(); _ = d.Close() })
	return d, let
}

// assertRefoldedAsItWas checks what a refold may leave at any moment: the
// entries above refold_to folded, the ones at or below it as recorded
// before schema 22, the file and the trigram index intact, and, once every
// entry is indexed, the index true to the table (FTS5 can compare only a
// whole index).
func assertRefoldedAsItWas(t *testing.T, d *DB) {
	t.Helper()
	assertRefoldedFrom(t, d, recordedSearchText)
}

// assertRefoldedFrom is assertRefoldedAsItWas of a history whose entries
// at or below refold_to hold the text was makes of their fields.
func assertRefoldedFrom(t *testing.T, d *DB, was func(name, hash, comment, folder string) string) {
	t.Helper()
	to := refoldTo(t, d)
	rows, err := d.r.Query(`SELECT id, name, hash, comment, folder_path, search_text FROM history`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name, hash, comment, folder, text string
		require.NoError(t, rows.Scan(&id, &name, &hash, &comment, &folder, &text))
		want := searchText(name, hash, comment, folder)
		if id <= to {
			want = was(name, hash, comment, folder)
		}
		require.Equal(t, want, text, "entry %d (refold_to %d)", id, to)
	}
	require.NoError(t, rows.Err())
	// On the writer: a reader connection that read the index before the
	// writer's last merge has been seen to report a blob of it missing
	// (its cached FTS5 structure) while the file, read afresh, is whole.
	var integrity string
	require.NoError(t, d.w.QueryRow(`PRAGMA integrity_check`).Scan(&integrity))
	assert.Equal(t, "ok", integrity)
	var whole bool
	require.NoError(t, d.r.QueryRow(`SELECT indexed_to >= (SELECT coalesce(max(id), 0) FROM history) FROM history_stats`).Scan(&whole))
	_, err = d.w.Exec(`INSERT INTO history_fts (history_fts, rank) VALUES ('integrity-check', ?)`, whole)
	assert.NoError(t, err, "the trigram index is intact (compared with the table: %v)", whole)
}

// TestUpgradeRefoldsInTheBackground: a history an older version wrote
// (schema 21, each name's text as written) is refolded after the open, in
// batches, part of it indexed and part not; until then a search finds
// what it found before (a needle in either form finds a name all in one
// form), and after it a name mixing forms too.
func TestUpgradeRefoldsInTheBackground(t *testing.T) {
	const n = 1300 // three batches of rewrites
	dir := t.TempDir()
	olderFoldHistory(t, dir, n, 700)

	d, let := openRefoldHeld(t, dir)

	require.EqualValues(t, n, refoldTo(t, d), "the upgrade marks every entry")
	assertRefoldedAsItWas(t, d)
	needles := []struct {
		search string
		before int // names all NFC and all NFD, and the mixed ones mixed as the needle
	}{
		{"caf\u00e9-zo\u00eb", n / 2},
		{"cafe\u0301-zoe\u0308", n / 2},
		{"caf\u00e9-zoe\u0308", 3 * n / 4},
		{"CAFE\u0301-ZO\u00cb", 3 * n / 4},
	}
	for _, tt := range needles {
		assertHistoryCount(t, d, tt.search, tt.before, "before the refold, %+q", tt.search)
	}

	let()
	require.Eventually(t, func() bool { return refoldTo(t, d) == 0 }, time.Minute, 20*time.Millisecond, "refolded")
	assertRefoldedAsItWas(t, d)
	for _, tt := range needles {
		assertHistoryCount(t, d, tt.search, n, "after the refold, %+q", tt.search)
		page, err := d.HistoryPage(HistoryQuery{Search: tt.search, Limit: 2})
		require.NoError(t, err)
		require.Len(t, page, 2)
		assert.Equal(t, []string{mixedName(n - 1), mixedName(n - 2)}, []string{page[0].Name, page[1].Name}, "newest first")
	}
	require.Eventually(t, func() bool {
		var to int64
		require.NoError(t, d.r.QueryRow(historyIndexedSQL).Scan(&to))
		return to == n
	}, time.Minute, 20*time.Millisecond, "then indexed")
	assertRefoldedAsItWas(t, d)
}

// refoldKillEnv names, for the child TestHelperRefoldKilled, the data folder.
const refoldKillEnv = "DSTOR_STORAGE_REFOLD_KILL_DIR"

// TestHelperRefoldKilled is not a test: run as a child process by
// TestRefoldKilledMidwayFinishesOnReopen, it opens the history and says
// "batch" before each batch of the refold until it is killed.
func TestHelperRefoldKilled(t *testing.T) {
	dir := os.Getenv(refoldKillEnv)
	if dir == "" {
		return // not the child
	}
	beforeRefoldBatch = func() { fmt.Println("batch") }
	d, err := Open(dir)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	<-d.indexDone // until killed: the loop ends only at Close
}

// TestRefoldKilledMidwayFinishesOnReopen SIGKILLs a process in the middle
// of its refold: the history opens after it, each entry folded or as it
// was (refold_to between them), the index true to the table, and the next
// open finishes the refold.
func TestRefoldKilledMidwayFinishesOnReopen(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	const n = 3000 // five batches of rewrites
	dir := t.TempDir()
	olderFoldHistory(t, dir, n, 2000)

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRefoldKilled$", "-test.count=1")
	cmd.Env = append(os.Environ(), refoldKillEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	deadline := time.AfterFunc(2*time.Minute, func() { _ = cmd.Process.Kill() }) // only against a hang
	batches := 0
	for sc := bufio.NewScanner(out); sc.Scan(); {
		if sc.Text() != "batch" {
			t.Logf("child: %s", sc.Text())
			continue
		}
		if batches++; batches == 3 {
			require.NoError(t, cmd.Process.Kill()) // SIGKILL on Unix
			break
		}
	}
	deadline.Stop()
	_ = cmd.Wait()
	require.Equal(t, 3, batches, "the child began its third batch")

	d, let := openRefoldHeld(t, dir) // the history opens after a kill
	to := refoldTo(t, d)
	t.Logf("killed with refold_to at %d of %d", to, n)
	assert.Less(t, to, int64(n), "two batches were committed before the kill")
	assert.Positive(t, to, "killed before the refold ended")
	assertRefoldedAsItWas(t, d)

	let()
	require.Eventually(t, func() bool { return refoldTo(t, d) == 0 }, time.Minute, 20*time.Millisecond, "refolded")
	assertRefoldedAsItWas(t, d)
	assertHistoryCount(t, d, "cafe\u0301-zo\u00eb", n)
	require.NoError(t, d.indexHistory())
	assertRefoldedAsItWas(t, d) // the whole index, compared with the table
	assertHistoryCount(t, d, "cafe\u0301-zo\u00eb", n)
}

// TestLongFoldedSearchDuringRefoldIsNotBounded: two characters the fold
// makes three or more ("ﬁx" is "fix", "ßa" is "ssa") are no short search
// (ShortSearch: the window says nothing of a bound), so while the history
// is being refolded, when the forms an older version stored are too short
// for the index, the search must still read every entry, not only the
// newest MaxScan: an old entry named with them is found.
func TestLongFoldedSearchDuringRefoldIsNotBounded(t *testing.T) {
	dir := t.TempDir()
	olderSchemaIn(t, dir, 21)
	raw, err := sql.Open("sqlite", filepath.Join(dir, DBFileName))
	require.NoError(t, err)
	names := []string{"\ufb01x.txt", "ma\u00dfa.txt"}
	for i := range 20 {
		names = append(names, fmt.Sprintf("other %02d.txt", i))
	}
	for i, name := range names { // the two oldest first
		_, err := raw.Exec(`INSERT INTO history (job_id, name, hash, finished_at, search_text) VALUES (?, ?, ?, ?, ?)`,
			fmt.Sprint("j", i), name, fakeCID(i), i+1, recordedSearchText(name, fakeCID(i), "", ""))
		require.NoError(t, err)
	}
	require.NoError(t, raw.Close())

	d, _ := openRefoldHeld(t, dir)
	require.EqualValues(t, len(names), refoldTo(t, d), "held before the refold")

	for _, tt := range []struct{ search, want string }{
		{"\ufb01x", names[0]},
		{"\u00dfa", names[1]},
	} {
		require.False(t, ShortSearch(tt.search), "%+q folds to three characters", tt.search)
		page, err := d.HistoryPage(HistoryQuery{Search: tt.search, MaxScan: 5})
		require.NoError(t, err)
		var got []string
		for _, e := range page {
			got = append(got, e.Name)
		}
		assert.Equal(t, []string{tt.want}, got, "%+q during the refold, MaxScan 5 of %d", tt.search, len(names))
	}
}

// TestShortSearchDuringRefoldFindsOlderForms: a needle of one or two
// characters as folded (ShortSearch: the window says it searches the
// newest TypingMaxScan uploads) also tries the forms an older version
// stored while the history is being refolded, bounded or not: an accented
// letter typed in either Unicode form finds the entries not yet refolded
// that hold it in the other, and MaxScan still bounds the read to the
// newest entries.
func TestShortSearchDuringRefoldFindsOlderForms(t *testing.T) {
	const n = 40
	dir := t.TempDir()
	olderFoldHistory(t, dir, n, n/2)

	d, _ := openRefoldHeld(t, dir)
	require.EqualValues(t, n, refoldTo(t, d), "held before the refold")

	// Every name holds é and ë, each as one character or as a letter and
	// its accent (mixedName).
	for _, search := range []string{"\u00e9", "e\u0301", "\u00c9", "E\u0301", "\u00eb", "e\u0308", "\u00cb", "\u00e9-", "-Z"} {
		require.True(t, ShortSearch(search), "%+q is short as folded", search)
		for _, maxScan := range []int{0, n, n / 4} {
			want := n
			if maxScan > 0 {
				want = min(n, maxScan)
			}
			page, err := d.HistoryPage(HistoryQuery{Search: search, MaxScan: maxScan, Limit: n})
			require.NoError(t, err)
			assert.Equal(t, want, len(page), "%+q during the refold, MaxScan %d of %d", search, maxScan, n)
			if len(page) > 0 {
				assert.Equal(t, mixedName(n-1), page[0].Name, "%+q newest first", search)
			}
			got, more, err := d.HistoryMatches(HistoryQuery{Search: search, MaxScan: maxScan, Limit: -1})
			require.NoError(t, err)
			assert.Equal(t, want, got, "%+q counted during the refold, MaxScan %d of %d", search, maxScan, n)
			assert.False(t, more)
		}
	}
}

// schema22SearchText is search_text as schema 22 wrote it: each field
// folded by foldSchema22, which reads İ as i and a combining dot, and ı as
// itself.
func schema22SearchText(name, hash, comment, folder string) string {
	return foldSchema22(name) + searchSep + foldSchema22(hash) + searchSep + foldSchema22(comment) + searchSep + foldSchema22(folder)
}

// TestUpgradeRefoldsTheTurkishIAgain: a history schema 22 wrote (its
// entries folded, İ as i and a combining dot, ı as itself) is refolded
// again after the open, since the fold now reads both as i; until then a
// search finds what schema 22 found ("İstanbul" the İstanbul entries),
// and after it "istanbul", "İstanbul" and "ıstanbul" find all three
// spellings.
func TestUpgradeRefoldsTheTurkishIAgain(t *testing.T) {
	const n = 1600 // two batches of rewrites: half the names change
	dir := t.TempDir()
	olderSchemaIn(t, dir, 22)
	name := func(i int) string {
		return fmt.Sprintf([]string{"\u0130stanbul %04d.pdf", "ISTANBUL %04d.jpg", "\u0131stanbul %04d.txt", "other %04d.txt"}[i%4], i)
	}
	raw, err := sql.Open("sqlite", filepath.Join(dir, DBFileName))
	require.NoError(t, err)
	tx, err := raw.Begin()
	require.NoError(t, err)
	for i := range n {
		hash := fmt.Sprintf("Qm%044d", i) // digits: no CID holds an i the needles would find
		_, err := tx.Exec(`INSERT INTO history (job_id, name, hash, finished_at, search_text) VALUES (?, ?, ?, ?, ?)`,
			fmt.Sprint("j", i), name(i), hash, i+1, schema22SearchText(name(i), hash, "", ""))
		require.NoError(t, err)
	}
	_, err = tx.Exec(`INSERT INTO history_fts (rowid, search_text) SELECT id, search_text FROM history WHERE id <= ?`, n/2)
	require.NoError(t, err)
	_, err = tx.Exec(`UPDATE history_stats SET indexed_to = ? WHERE id = 1`, n/2)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	require.NoError(t, raw.Close())

	d, let := openRefoldHeld(t, dir)

	require.EqualValues(t, n, refoldTo(t, d), "the upgrade marks every entry")
	assertRefoldedFrom(t, d, schema22SearchText)
	// Before: what schema 22 found — "İstanbul" the İ names, "ıstanbul"
	// the ı names, "istanbul" the I names — and what the new fold of the
	// needle finds in the text schema 22 left (the I names).
	assertHistoryCount(t, d, "\u0130stanbul", n/2, "before the refold")
	assertHistoryCount(t, d, "\u0130st", n/2, "before the refold")
	assertHistoryCount(t, d, "\u0131stanbul", n/2, "before the refold")
	assertHistoryCount(t, d, "istanbul", n/4, "before the refold")
	page, err := d.HistoryPage(HistoryQuery{Search: "\u0130s", MaxScan: n, Limit: n})
	require.NoError(t, err)
	assert.Equal(t, n/2, len(page), "a short needle before the refold")

	let()
	require.Eventually(t, func() bool { return refoldTo(t, d) == 0 }, time.Minute, 20*time.Millisecond, "refolded")
	assertRefoldedFrom(t, d, schema22SearchText)
	for _, search := range []string{"istanbul", "ISTANBUL", "\u0130stanbul", "\u0131stanbul", "\u0130s"} {
		assertHistoryCount(t, d, search, 3*n/4, "after the refold, %+q", search)
	}
	require.NoError(t, d.indexHistory())
	assertRefoldedFrom(t, d, schema22SearchText) // the whole index, compared with the table
	assertHistoryCount(t, d, "\u0131stanbul", 3*n/4, "indexed")
}

// refoldHeld is how long each batch of the refold holds the write lock in
// TestTwoOpenHistoriesRefoldOnce (its trigger calls test_hold), as a batch
// of a large history does on a loaded machine (0.22 s median at a million
// entries, 0.79 s at most, at a load average of 11–14): the four batches
// after the command's open hold it longer than the open's busy wait
// (openBusyTimeout), so the command gets in between two of them.
const refoldHeld = 700 * time.Millisecond

func init() {
	// test_hold(ms) sleeps ms milliseconds: a trigger that calls it holds
	// the transaction that fires it open that long.
	sqlite.MustRegisterScalarFunction("test_hold", 1, func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		ms, _ := args[0].(int64)
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return nil, nil
	})
}

// TestTwoOpenHistoriesRefoldOnce: a command opens the history while the
// window refolds it (two DBs on one file), and writes to it and searches
// it meanwhile, then both refold it: the open and every write get in
// between two batches, each entry the fold changes is rewritten once,
// none is lost, and every search, on either, answers exactly. Before,
// the batches followed each other with no gap, so another process's
// busy wait (SQLite's: a try every 100 ms at most) rarely found the
// lock free: the open failed, "another program is using the upload
// history … and keeps it locked".
func TestTwoOpenHistoriesRefoldOnce(t *testing.T) {
	const n = 4400
	const rewriteBatches = (3*n/4 + indexBatch - 1) / indexBatch // 7, the last of 300
	dir := t.TempDir()
	olderFoldHistory(t, dir, n, n/2)
	raw, err := sql.Open("sqlite", filepath.Join(dir, DBFileName))
	require.NoError(t, err)
	for _, stmt := range []string{
		`CREATE TABLE refold_log (id INTEGER NOT NULL)`, // each rewrite of an entry's text
		`CREATE TRIGGER refold_logged AFTER UPDATE OF search_text ON history BEGIN
			INSERT INTO refold_log (id) VALUES (new.id);
		END`,
		fmt.Sprintf(`CREATE TRIGGER refold_held AFTER UPDATE OF refold_to ON history_stats BEGIN
			SELECT test_hold(%d);
		END`, refoldHeld.Milliseconds()),
	} {
		_, err := raw.Exec(stmt)
		require.NoError(t, err)
	}
	require.NoError(t, raw.Close())

	// The refold's last batch waits until the command has made its
	// writes, so each of them is made during the refold however slow the
	// command's side is; the batches before it run as they would, four of
	// them after the command's open (a batch tried again after a failure
	// counts too: the wait may come a batch earlier, with entries left).
	var batches atomic.Int64
	written, ended := make(chan struct{}), make(chan struct{})
	defer close(ended) // before the cleanups close the histories
	beforeRefoldBatch = func() {
		if batches.Add(1) < rewriteBatches {
			return
		}
		select {
		case <-written:
		case <-ended:
		}
	}
	t.Cleanup(func() { beforeRefoldBatch = nil })
	window, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = window.Close() })
	require.Eventually(t, func() bool { return batches.Load() >= 2 }, time.Minute, 10*time.Millisecond, "the window refolds")
	command, err := Open(dir)
	require.NoError(t, err, "the command opens the history during the refold (batch %d)", batches.Load())
	t.Cleanup(func() { _ = command.Close() })

	// Needles whose matches every moment of the refold agrees on: a name
	// all in one form typed in that form, its number, the ASCII start.
	stable := []struct {
		search string
		want   int
	}{
		{mixedName(n - 2), 1}, // all NFC
		{mixedName(n - 1), 1}, // all NFD
		{mixedName(2), 1},
		{mixedName(3), 1},
		{fmt.Sprintf("%05d", n/3), 1},
		{"caf", n},
	}
	// The command writes at first; once it has been quiet for indexQuiet
	// it refolds too.
	const writes = 3
	added, rounds := 0, 0
	for ; refoldTo(t, window) > 0; rounds++ {
		if rounds < writes {
			_, err := command.AddHistory(HistoryEntry{JobID: fmt.Sprint("added", rounds), Name: fmt.Sprintf("added %d.txt", rounds), Hash: fakeCID(n + rounds)})
			require.NoError(t, err, "a write of the command during the refold (batch %d)", batches.Load())
			if added++; added == writes {
				close(written)
			}
		}
		for i, tt := range stable {
			d := []*DB{window, command}[(rounds+i)%2]
			assertHistoryCount(t, d, tt.search, tt.want, "%+q during the refold", tt.search)
		}
	}
	t.Logf("%d writes and %d rounds of searches during the refold, %d batches", added, rounds, batches.Load())
	assert.Equal(t, writes, added, "writes during the refold")
	assertRefoldedAsItWas(t, window) // one file: as either reads it
	for _, d := range []*DB{window, command} {
		assertHistoryCount(t, d, "", n+added, "no entry lost")
		assertHistoryCount(t, d, "caf\u00e9-zo\u00eb", n, "every entry folded")
	}
	var rewritten, twice int
	require.NoError(t, window.r.QueryRow(`SELECT count(DISTINCT id), count(*) - count(DISTINCT id) FROM refold_log`).Scan(&rewritten, &twice))
	assert.Equal(t, 3*n/4, rewritten, "the entries not all NFC were rewritten")
	assert.Zero(t, twice, "entries rewritten more than once")
}

// ftsPagesFlushed reads the trigram index's write counter: the leaf pages
// FTS5 has flushed from its in-memory table to new segments, which its
// automerge turns into merge work (64 × the index's levels every 64
// pages). It decodes the structure record (history_fts_data, id 10): a
// four-byte cookie, a four-byte version mark in FTS5's second format,
// then SQLite varints: levels, segments, the counter.
func ftsPagesFlushed(t *testing.T, d *DB) uint64 {
	t.Helper()
	var b []byte
	require.NoError(t, d.w.QueryRow(`SELECT block FROM history_fts_data WHERE id = 10`).Scan(&b))
	i := 4
	if len(b) >= 8 && string(b[4:8]) == "\xff\x00\x00\x01" {
		i = 8
	}
	var v uint64
	for range 3 { // levels, segments, then the counter
		v = 0
		for k := 0; ; k++ {
			require.Less(t, i, len(b), "the structure record ends in a varint")
			c := b[i]
			i++
			if k == 8 {
				v = v<<8 | uint64(c)
				break
			}
			if v = v<<7 | uint64(c&0x7f); c&0x80 == 0 {
				break
			}
		}
	}
	return v
}

// TestRefoldBatchFlushesTheIndexOnce: a batch of the refold rewrites its
// entries in one transaction, and FTS5 flushes its in-memory table once
// for it, at the commit, into one new segment. Before, the batch
// rewrote them newest first, and FTS5 flushes whenever a write's rowid is
// below the last one's: one segment per entry, each flush paid with
// automerge work that grows with the index's levels (64 pages × levels
// every 64 pages flushed) and a crisis merge of the newest level every 16
// flushes. At a million entries that made a batch of 500 rewrites take
// 0.25–3.9 s (median 0.4 s), longer than another process waits to open
// the history (openBusyTimeout).
func TestRefoldBatchFlushesTheIndexOnce(t *testing.T) {
	const n = 2000 // the first batch rewrites indexBatch of them
	dir := t.TempDir()
	olderFoldHistory(t, dir, n, n) // all indexed
	gate := make(chan struct{}, 1)
	stop := make(chan struct{})
	beforeRefoldBatch = func() {
		select {
		case <-gate:
		case <-stop:
		}
	}
	t.Cleanup(func() { beforeRefoldBatch = nil })
	d, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { close(stop); _ = d.Close() })
	require.EqualValues(t, n, refoldTo(t, d), "held before the refold")

	flushed := ftsPagesFlushed(t, d)
	gate <- struct{}{} // one batch
	require.Eventually(t, func() bool { return refoldTo(t, d) < n }, time.Minute, 10*time.Millisecond, "the first batch")
	pages := ftsPagesFlushed(t, d) - flushed
	t.Logf("one batch (refold_to %d → %d): %d leaf pages flushed to the index", n, refoldTo(t, d), pages)
	assert.Less(t, pages, uint64(indexBatch/4), "FTS5 flushes the batch's %d rewrites once, not once each", indexBatch)
	assertRefoldedAsItWas(t, d)
}
