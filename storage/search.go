package storage

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dstor-uploader/dstor-uploader/internal/cidtext"
	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Reading the history at a million entries.
//
// A substring search that reads every row costs about a second at a million
// entries, so searches of three characters or more go through history_fts,
// an SQLite FTS5 index of every trigram of history.search_text (the
// name, CID, comment and folder path, folded: foldSearch). The index only narrows
// the candidates: a row must hold every trigram of the needle, and each
// candidate is then checked for the needle itself with instr(), so the
// result is exactly the rows that contain it, with no FTS syntax leaking
// through (quotes, '*', AND are plain text). The index is "external
// content" (it stores no copy of the text) with detail=none (no positions).
//
// Indexing a row costs about ten times its insert (every trigram goes
// through FTS5's tokenizer and segment writer), so it is kept off the upload
// path: entries are indexed in batches by a goroutine of the DB once no
// entry has been written for indexQuiet (nor the database opened: Open
// counts as a write, so a start's first work is not slowed by it), and
// history_stats.indexed_to is the highest id indexed. A search reads the entries above it (the tail: what
// finished since the database was last quiet) by id with instr(), then the
// index below it; ids only grow, so the two parts follow each other newest
// first. While a long upload runs the tail grows, and a search then costs
// about half a microsecond per tail entry until the index catches up.
//
// FTS5 returns matches by rowid, which is history.id, so an indexed search is
// newest-recorded first and pages by id alone; the app records an entry the
// moment its upload finishes, so that is the order of finished_at too.
//
// A needle of one or two characters has no trigram: it is matched by reading
// history_newest newest-first (each row's search_text is in the index), which
// stops as soon as a page is full — at once for a common letter. A rare short
// needle reads further; HistoryQuery.MaxScan bounds that read for a window
// that must answer every keystroke quickly.

// Search as you type: the bounds a window uses so that each keystroke costs
// about one page whatever the size of the history (BenchmarkHistory1M
// measures them at a million entries).
const (
	// TypingMaxScan is HistoryQuery.MaxScan for a keystroke: a one- or
	// two-character search looks at the newest 10,000 entries
	// (BenchmarkHistory1M measures what that costs).
	TypingMaxScan = 10_000
	// TypingCountLimit is HistoryMatches' Limit for a keystroke: past it
	// the window says "1,000+ matches".
	TypingCountLimit = 1_000
)

// The search index's upkeep: entries are indexed indexBatch at a time once
// the database has had no new entry for indexQuiet.
const (
	indexQuiet = 2 * time.Second
	indexBatch = 500
)

// minIndexedRunes is the shortest needle the trigram index can answer.
const minIndexedRunes = 3

// needle is one search, prepared: text is what was typed, as compared with
// search_text; an entry matches when its search_text holds text or one of
// also (the other forms of a CID text names, and, while the history is
// being refolded, the forms an older version stored: see parseNeedle).
// match is the FTS5 expression that narrows the candidates ("" when text
// is too short for the index, or empty).
type needle struct {
	text  string
	also  []string
	match string
}

// parseNeedle prepares what the person typed: trimmed, control characters
// dropped (search_text joins its fields with one, so a needle holding it
// could match across two fields), then folded as search_text is
// (foldSearch), so that any Unicode form typed, or a mixture of them,
// finds a name written in any form or mixture. When it is a CID or a link
// to one, also holds that CID and, for content a CIDv0 can name, its every
// form a history may hold (cidtext.SearchTerms, the one place that
// decides), so the CIDv1 of an upload recorded as its CIDv0, or a gateway
// link, finds it; the text itself still matches as any search does (a file
// named like a CID). asRecorded adds the forms the search_text of an entry
// not yet refolded may hold (recordedForms), for a search while the
// history is being refolded (refoldHistoryBatch). The index answers only
// when every form is long enough for it.
func parseNeedle(s string, asRecorded bool) needle {
	text := normSearch(s)
	n := needle{text: text}
	if text == "" {
		return n
	}
	add := func(t string) {
		if t != text && !slices.Contains(n.also, t) {
			n.also = append(n.also, t)
		}
	}
	for _, t := range cidtext.SearchTerms(s) {
		add(normSearch(t))
	}
	if asRecorded {
		for _, t := range recordedForms(s) {
			add(t)
		}
	}
	indexed := func(t string) bool { return utf8.RuneCountInString(t) >= minIndexedRunes }
	if indexed(text) && !slices.ContainsFunc(n.also, func(t string) bool { return !indexed(t) }) {
		n.match = trigramQuery(text)
		if len(n.also) > 0 {
			each := []string{n.match}
			for _, t := range n.also {
				each = append(each, trigramQuery(t))
			}
			n.match = "(" + strings.Join(each, ") OR (") + ")"
		}
	}
	return n
}

// normSearch turns what was typed into the needle compared with
// search_text: trimmed, control characters dropped, folded. The controls
// go before the fold, so that none left between a letter and its accent
// keeps the needle from its normal form.
func normSearch(s string) string {
	return foldSearch(dropControls(strings.TrimSpace(s)))
}

// foldSearch is s as a search compares it, so that text that reads the same
// compares the same: its compatibility normal form (NFKC), case-folded.
// NFKC makes one form of an accented letter typed as one character (as
// Windows and Linux keyboards type it) or as a letter and combining
// accents (as macOS names files), and of a name mixing the two (copied
// between them, renamed by a tool); it also reads a ligature (ﬁ) as its
// letters, full-width letters and digits (ＩＭＧ, as Chinese and Japanese
// input methods type them) and half-width katakana as their usual form, a
// superscript as its digit and a no-break space as a space. Case folding
// (not lowercasing) also makes ς and σ, ß and ss the same. The Turkish
// İ and ı are then read as i (turkishI): someone typing "istanbul" on
// any keyboard means İstanbul, ISTANBUL and ıstanbul alike, and one typing
// them means istanbul. An ASCII s, which none of this changes, is only
// lowercased. The last NFKC recomposes what folding decomposed (ΐ) and
// what is left once a dot is read away (İ with an acute is í).
func foldSearch(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	return norm.NFKC.String(turkishI.Replace(foldSchema22(s)))
}

// foldSchema22 is s folded as schema 22 stored it: NFKC, case-folded, NFKC
// again; foldSearch then reads the Turkish i's as one. A search during the
// refold also tries it (recordedForms).
func foldSchema22(s string) string {
	return norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s)))
}

// turkishI reads as i, in folded text, what Turkish names hold where
// others hold i: İ, which case folding makes an i and a combining dot
// above (two characters in every normal form), and ı, the dotless i a
// Turkish keyboard types as the lowercase of I, with or without a dot
// above.
var turkishI = strings.NewReplacer("\u0131\u0307", "i", "i\u0307", "i", "\u0131", "i")

// isASCII reports whether s holds ASCII characters only.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// recordedForms are the needles that find, in the search_text of an entry
// not yet refolded, what s finds once it is, as far as the version that
// recorded that text found it: for the text of a version before schema 22
// (the fields lowercased as written, in whatever Unicode form they came),
// s lowercased as typed, and in NFC and NFD; for schema 22's (an entry it
// recorded or refolded, refolded again since schema 23), s folded as it
// folded (foldSchema22).
func recordedForms(s string) []string {
	trimmed := dropControls(strings.TrimSpace(s))
	text := strings.ToLower(trimmed)
	return []string{text, norm.NFC.String(text), norm.NFD.String(text), foldSchema22(trimmed)}
}

// dropControls is s without its control characters.
func dropControls(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// holds is the SQL condition that col (a search_text) holds the needle's
// text or one of also, and its arguments. instr() is a plain substring
// test: no LIKE wildcards to escape.
func (n needle) holds(col string) (string, []any) {
	cond := "instr(" + col + ", ?) > 0"
	args := []any{n.text}
	if len(n.also) == 0 {
		return cond, args
	}
	conds := []string{cond}
	for _, t := range n.also {
		conds = append(conds, cond)
		args = append(args, t)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}

// ShortSearch reports whether search is too short for the history's trigram
// index (one or two characters), so a window that bounds such searches with
// HistoryQuery.MaxScan can say that older matches may be missing.
func ShortSearch(search string) bool {
	n := parseNeedle(search, false)
	return n.text != "" && n.match == ""
}

// maxTrigramTerms caps the trigrams a search asks the index for: six
// spread over a long needle (a whole CID has 44) narrow the candidates to a
// handful already, and each term costs a doclist lookup.
const maxTrigramTerms = 6

// trigramQuery is the FTS5 expression requiring the trigrams of text that
// start at a multiple of three, and the last one — together they cover every
// character, which narrows as well as all of them at a third of the doclists
// to read — or maxTrigramTerms of those spread evenly over a long text. Each
// term is a quoted string, so nothing in text is FTS5 syntax.
func trigramQuery(text string) string {
	runes := []rune(text)
	var starts []int
	for i := 0; i+minIndexedRunes <= len(runes); i += minIndexedRunes {
		starts = append(starts, i)
	}
	if last := len(runes) - minIndexedRunes; starts[len(starts)-1] != last {
		starts = append(starts, last)
	}
	if len(starts) > maxTrigramTerms {
		spread := make([]int, maxTrigramTerms)
		for k := range spread {
			spread[k] = starts[k*(len(starts)-1)/(maxTrigramTerms-1)]
		}
		starts = spread
	}
	var terms []string
	seen := make(map[string]bool)
	for _, i := range starts {
		t := string(runes[i : i+minIndexedRunes])
		if !seen[t] {
			seen[t] = true
			terms = append(terms, `"`+strings.ReplaceAll(t, `"`, `""`)+`"`)
		}
	}
	return strings.Join(terms, " AND ")
}

// migrateV6 adds history_fts, the trigram index of search_text (see above),
// and history_stats: the number of entries, kept by triggers so that "N
// uploads" is one row read, not a count of a million, and indexed_to. The
// index starts empty: the indexer fills it in the background, so opening a
// big history after the upgrade does not wait for it, and until then its
// searches read every entry as before.
func migrateV6(tx *sql.Tx) error {
	return execAll(tx,
		`CREATE VIRTUAL TABLE history_fts USING fts5(search_text,
			content='history', content_rowid='id',
			tokenize='trigram case_sensitive 1', detail='none', columnsize=0)`,
		`CREATE TABLE history_stats (
			id         INTEGER PRIMARY KEY CHECK (id = 1),
			entries    INTEGER NOT NULL,
			indexed_to INTEGER NOT NULL DEFAULT 0
		)`,
		`INSERT INTO history_stats (id, entries) VALUES (1, (SELECT count(*) FROM history))`,
		`CREATE TRIGGER history_count_insert AFTER INSERT ON history BEGIN
			UPDATE history_stats SET entries = entries + 1 WHERE id = 1;
		END`,
		`CREATE TRIGGER history_count_delete AFTER DELETE ON history BEGIN
			UPDATE history_stats SET entries = entries - 1 WHERE id = 1;
		END`,
		`CREATE TRIGGER history_fts_delete AFTER DELETE ON history
		WHEN old.id <= (SELECT indexed_to FROM history_stats WHERE id = 1) BEGIN
			INSERT INTO history_fts (history_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
		END`,
		`CREATE TRIGGER history_fts_update AFTER UPDATE OF search_text ON history
		WHEN old.id <= (SELECT indexed_to FROM history_stats WHERE id = 1) BEGIN
			INSERT INTO history_fts (history_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
			INSERT INTO history_fts (rowid, search_text) VALUES (new.id, new.search_text);
		END`,
	)
}

// The history's reads of history_stats, named for TestHotPathQueryPlans.
const (
	historyTotalSQL   = `SELECT entries FROM history_stats WHERE id = 1`
	historyIndexedSQL = `SELECT indexed_to FROM history_stats WHERE id = 1`
	historyRefoldSQL  = `SELECT refold_to FROM history_stats WHERE id = 1`
)

// migrateV22 starts the refold of the history's search_text: the entries
// recorded so far hold their fields lowercased as they were written, in
// whatever Unicode form they came, where this version stores them folded
// (foldSearch); history_stats.refold_to is the highest id that may still
// hold the older text. Rewriting a million entries, each through the
// trigram index, takes minutes, so the step only marks them (markRefold):
// the indexer refolds them in the background (refoldHistoryBatch), and
// until it has, a search also looks for the forms the older text may hold
// (parseNeedle), finding what it found before. The column is added only
// when missing, so the step can run again on a history whose version was
// set back (as tests of the steps before it do); refolding again changes
// nothing.
func migrateV22(tx *sql.Tx) error {
	var has bool
	if err := tx.QueryRow(`SELECT count(*) > 0 FROM pragma_table_info('history_stats') WHERE name = 'refold_to'`).Scan(&has); err != nil {
		return err
	}
	if !has {
		if _, err := tx.Exec(`ALTER TABLE history_stats ADD COLUMN refold_to INTEGER NOT NULL DEFAULT 0`); err != nil {
			return err
		}
	}
	return markRefold(tx)
}

// migrateV23 refolds the history's search_text again: schema 22's fold
// left İ as i and a combining dot and ı as itself, which foldSearch now
// reads as i (turkishI). Only the entries holding them change; the refold
// reads the others and leaves them as they are. Until an entry's turn, a
// search also tries the needle as schema 22 folded it (recordedForms).
func migrateV23(tx *sql.Tx) error { return markRefold(tx) }

// markRefold marks every entry recorded so far for the refold: refold_to
// is the highest id, and refoldHistoryBatch goes down from it.
func markRefold(tx *sql.Tx) error {
	_, err := tx.Exec(`UPDATE history_stats SET refold_to = (SELECT coalesce(max(id), 0) FROM history) WHERE id = 1`)
	return err
}

// refoldScan bounds the entries one batch of the refold reads; it
// rewrites indexBatch of them at most. Most names are ASCII, which the
// fold leaves as they were: reading them is a small part of a batch. At a
// million entries, one in ten of them to rewrite, at a load average of
// 11–14 on 2 cores, a batch took 0.22 s (median), 0.79 s at most, and the
// 200 batches 51 s back to back (README, History at a million entries):
// most of a batch is FTS5's flush of its rewrites and the merge work that
// pays for it (refoldRewriteSQL), which grows with the index's levels,
// not with its entries.
const refoldScan = 5_000

// refoldHistoryBatch refolds the search_text of the next entries at or
// below refold_to, newest first (the ones a search lists first), and
// lowers refold_to past them in the same transaction, so a kill leaves
// each entry either refolded and passed or as it was and still marked. An
// entry in the index is reindexed by history_fts_update. It reports
// whether entries are left to refold.
func (d *DB) refoldHistoryBatch() (more bool, err error) {
	if d.refolded.Load() {
		return false, nil
	}
	if beforeRefoldBatch != nil {
		beforeRefoldBatch()
	}
	err = d.withTx("refold the history's search text", func(tx *sql.Tx) error {
		var to int64
		if err := tx.QueryRow(historyRefoldSQL).Scan(&to); err != nil || to <= 0 {
			return err
		}
		type fill struct {
			id   int64
			text string
		}
		var fills []fill
		next, read := int64(0), 0
		err := eachRow(tx, func(rows rowScanner) (fill, error) {
			var f fill
			var name, hash, comment, folder, was string
			if err := rows.Scan(&f.id, &name, &hash, &comment, &folder, &was); err != nil {
				return f, err
			}
			if text := searchText(name, hash, comment, folder); text != was {
				f.text = text // else "": left as it is
			}
			return f, nil
		}, func(f fill) error {
			if read++; read == refoldScan {
				next = f.id - 1 // entries below f are left for the next batch
			}
			if f.text != "" {
				fills = append(fills, f)
			}
			if len(fills) == indexBatch {
				next = f.id - 1
				return errBatchFull
			}
			return nil
		}, `SELECT id, name, hash, comment, folder_path, search_text FROM history
			WHERE id <= ? ORDER BY id DESC LIMIT ?`, to, refoldScan)
		if err != nil && !errors.Is(err, errBatchFull) {
			return err
		}
		if len(fills) > 0 {
			slices.Reverse(fills) // oldest first: see refoldRewriteSQL
			args := make([]any, 0, 2*len(fills))
			for _, f := range fills {
				args = append(args, f.id, f.text)
			}
			if _, err := tx.Exec(refoldRewriteSQL(len(fills)), args...); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE history_stats SET refold_to = ? WHERE id = 1`, next); err != nil {
			return err
		}
		more = next > 0
		return nil
	})
	if err == nil && !more {
		d.refolded.Store(true) // refold_to only falls: this version records folded text
	}
	return more, err
}

// refoldRewriteSQL is the statement that gives n entries their refolded
// text, its arguments each entry's id and text, oldest first: the whole
// batch in one statement, so that FTS5 (reindexing each entry through
// history_fts_update) flushes its in-memory table once for the batch, at
// the commit, into one new segment. FTS5 flushes it at the start of every
// statement that writes to it (its savepoint) and at every write whose
// rowid is below the one before (the rows are given rising, and SQLite's
// UPDATE … FROM applies them in rowid order as well). With an UPDATE an
// entry, a batch made a segment of each of its entries and paid FTS5's
// merges for each (automerge: 64 pages × the index's levels every 64
// pages flushed; a merge of the newest level every 16 segments): at a
// million entries a batch of 500 took 0.25–3.9 s at a load average of
// 9–12, longer than another process waits to open the history
// (openBusyTimeout), and the refold 2 m 15 s back to back.
func refoldRewriteSQL(n int) string {
	return `UPDATE history SET search_text = batch.column2
		FROM (VALUES ` + strings.Repeat("(?, ?), ", n-1) + `(?, ?)) AS batch
		WHERE history.id = batch.column1`
}

// errBatchFull stops refoldHistoryBatch's read once the batch holds
// indexBatch entries to rewrite.
var errBatchFull = errors.New("batch full")

// beforeRefoldBatch, when a test sets it, runs before each batch of the
// refold: a test holds the refold there, or kills the process in it.
var beforeRefoldBatch func()

// searchUpkeepBatch does the next batch of the search's upkeep: the refold
// first (an entry refolded before it is indexed is indexed once, not
// twice), then the index. It reports whether either has more to do.
func (d *DB) searchUpkeepBatch() (more bool, err error) {
	if more, err := d.refoldHistoryBatch(); err != nil || more {
		return more, err
	}
	return d.indexHistoryBatch(indexBatch)
}

// noteHistoryWritten tells the indexer that entries were written: it waits
// for indexQuiet after the last one.
func (d *DB) noteHistoryWritten() {
	d.lastHistoryWrite.Store(time.Now().UnixNano())
	select {
	case d.indexWake <- struct{}{}:
	default:
	}
}

// indexLoop indexes entries in the background until Close: after a wake,
// once no entry has been written for indexQuiet, a batch at a time until
// the index holds every entry. A failed batch is left for the next wake
// (searches read unindexed entries all the same).
func (d *DB) indexLoop() {
	defer close(d.indexDone)
	for {
		select {
		case <-d.indexStop:
			return
		case <-d.indexWake:
		}
		for {
			if wait := indexQuiet - time.Since(time.Unix(0, d.lastHistoryWrite.Load())); wait > 0 {
				t := time.NewTimer(wait)
				select {
				case <-d.indexStop:
					t.Stop()
					return
				case <-t.C:
				}
				continue
			}
			began := time.Now()
			if more, err := d.searchUpkeepBatch(); err != nil || !more {
				break
			}
			t := time.NewTimer(upkeepPause(time.Since(began)))
			select {
			case <-d.indexStop:
				t.Stop()
				return
			case <-t.C:
			}
		}
	}
}

// maxUpkeepPause is the longest SQLite's busy wait sleeps between two
// tries at a lock another connection holds (its default busy handler, as
// busy_timeout sets it up).
const maxUpkeepPause = 100 * time.Millisecond

// upkeepPause is how long the upkeep leaves the write lock free after a
// batch that lasted took, before the next one. Another process opening
// the history or writing to it meanwhile (a command while the window
// refolds or indexes it, or the other way round) tries again at most
// maxUpkeepPause later: after a batch of a large history (0.2 s and more)
// it gets in at its next try, after a short one at one try in three. With
// no pause the next batch began at once, and the other process almost
// never found the lock free: its open failed after openBusyTimeout, a
// write after busyTimeout, saying another program kept the history
// locked. The pause adds half a batch's time at most (README, History at
// a million entries).
func upkeepPause(took time.Duration) time.Duration {
	return min(took/2, maxUpkeepPause)
}

// indexHistoryBatch adds the next n unindexed entries to history_fts and
// reports whether more are left.
func (d *DB) indexHistoryBatch(n int) (more bool, err error) {
	err = d.withTx("index the history for search", func(tx *sql.Tx) error {
		var from int64
		if err := tx.QueryRow(historyIndexedSQL).Scan(&from); err != nil {
			return err
		}
		var to sql.NullInt64
		if err := tx.QueryRow(`SELECT max(id) FROM (SELECT id FROM history WHERE id > ? ORDER BY id LIMIT ?)`, from, n).Scan(&to); err != nil {
			return err
		}
		if !to.Valid {
			return nil
		}
		if _, err := tx.Exec(`INSERT INTO history_fts (rowid, search_text)
			SELECT id, search_text FROM history WHERE id > ? AND id <= ?`, from, to.Int64); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE history_stats SET indexed_to = ? WHERE id = 1`, to.Int64); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT EXISTS (SELECT 1 FROM history WHERE id > ?)`, to.Int64).Scan(&more)
	})
	return more, err
}

// indexHistory indexes every entry now, for tests and benchmarks that
// measure the steady state.
func (d *DB) indexHistory() error {
	for {
		more, err := d.indexHistoryBatch(10 * indexBatch)
		if err != nil || !more {
			return err
		}
	}
}

// sqlPart is one statement of a history read: query, then order for a
// page. A count leaves order off: it counts the same rows in whatever order
// is cheapest, which for the trigram index is its own (oldest first), where
// newest first walks every segment's doclist backwards — most of the time
// of a common needle's count at a million entries.
type sqlPart struct {
	query string
	order string
	args  []any
}

// historyParts returns the statements (without LIMIT) that together list
// the entries of q newest first (each with its order), one after the other, with cols as their
// SELECT list (history columns, or expressions of them): one statement, or
// for an indexed search two — the unindexed tail, then the index. tx is the
// read transaction they run in, which keeps the two consistent.
func historyParts(tx *sql.Tx, q HistoryQuery, cols string) ([]sqlPart, error) {
	n := parseNeedle(q.Search, false)
	// Only a needle short as folded (ShortSearch, which a window shows)
	// is bounded by MaxScan: one that the forms of the refold make too
	// short for the index reads every entry, or an old one would be
	// missed with no word of the bound.
	short := n.text != "" && n.match == ""
	if n.text != "" {
		var refoldTo int64
		if err := tx.QueryRow(historyRefoldSQL).Scan(&refoldTo); err != nil {
			return nil, err
		}
		if refoldTo > 0 {
			n = parseNeedle(q.Search, true)
		}
	}
	if n.match != "" {
		var indexedTo int64
		if err := tx.QueryRow(historyIndexedSQL).Scan(&indexedTo); err != nil {
			return nil, err
		}
		return indexedSearch(n, indexedTo, q.BeforeID, cols), nil
	}
	var where []string
	var args []any
	if q.BeforeID > 0 {
		before, err := finishedAtOf(tx, q.BeforeID, q.BeforeFinishedAt)
		if err != nil {
			return nil, err
		}
		where = append(where, "(finished_at, id) < (?, ?)")
		args = append(args, nanos(before), q.BeforeID)
	}
	if short && q.MaxScan > 0 {
		query, more := boundedScan(where, n, q.MaxScan, cols)
		return []sqlPart{{query, " ORDER BY scan_at DESC, scan_id DESC", append(args, more...)}}, nil
	}
	if n.text != "" {
		cond, more := n.holds("search_text")
		where = append(where, cond)
		args = append(args, more...)
	}
	query := "SELECT " + cols + " FROM history"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	return []sqlPart{{query, newestFinished, args}}, nil
}

// newestFinished is the order of pages without an indexed search, which
// history_newest serves with no sort.
const newestFinished = " ORDER BY finished_at DESC, id DESC"

// indexedSearch lists, newest recorded first (after the entry beforeID,
// when > 0), the unindexed entries above indexedTo holding the needle, then
// the candidates of the trigram index, each checked for the needle itself.
func indexedSearch(n needle, indexedTo, beforeID int64, cols string) []sqlPart {
	inTail, tailArgs := n.holds("search_text")
	inIndexed, indexedArgs := n.holds("history.search_text")
	tail := sqlPart{"SELECT " + cols + " FROM history WHERE id > ? AND " + inTail, " ORDER BY id DESC", append([]any{indexedTo}, tailArgs...)}
	indexed := sqlPart{"SELECT " + cols + ` FROM history_fts JOIN history ON history.id = history_fts.rowid
		WHERE history_fts MATCH ? AND ` + inIndexed, " ORDER BY history_fts.rowid DESC", append([]any{n.match}, indexedArgs...)}
	if beforeID > 0 {
		tail.query += " AND id < ?"
		tail.args = append(tail.args, beforeID)
		indexed.query += " AND history_fts.rowid < ?"
		indexed.args = append(indexed.args, beforeID)
	}
	if beforeID > 0 && beforeID <= indexedTo+1 {
		return []sqlPart{indexed}
	}
	return []sqlPart{tail, indexed}
}

// boundedScan lists the entries holding a short needle among the newest
// maxScan entries that satisfy where (the cursor): those are read from the
// covering index history_newest, in order, and only the ones holding the
// needle are looked up in the table. It returns the query, to be ordered by
// scan_at DESC, scan_id DESC, and the arguments that follow where's.
func boundedScan(where []string, n needle, maxScan int, cols string) (string, []any) {
	window := "SELECT id AS scan_id, finished_at AS scan_at, search_text AS scan_text FROM history"
	if len(where) > 0 {
		window += " WHERE " + strings.Join(where, " AND ")
	}
	cond, args := n.holds("scan_text")
	return "SELECT " + cols + " FROM (" + window + newestFinished + ` LIMIT ?)
		JOIN history ON history.id = scan_id WHERE ` + cond, append([]any{maxScan}, args...)
}

// finishedAtOf is at, or the FinishedAt of entry id when at is zero (a
// keyset cursor given by id alone).
func finishedAtOf(tx *sql.Tx, id int64, at time.Time) (time.Time, error) {
	if !at.IsZero() {
		return at, nil
	}
	var n int64
	err := tx.QueryRow(`SELECT finished_at FROM history WHERE id = ?`, id).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("before entry %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("before entry %d: %w", id, err)
	}
	return fromNanos(n), nil
}

// readHistory runs fn in one read transaction (one WAL snapshot), so that
// the parts of a read agree with each other while uploads keep writing. A
// damaged file or a lock held by another program come back as the typed
// errors of explainDBError.
func (d *DB) readHistory(fn func(tx *sql.Tx) error) error {
	tx, err := d.r.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return explainDBError(d.path, err)
	}
	defer func() { _ = tx.Rollback() }()
	return explainDBError(d.path, fn(tx))
}

// eachHistory calls fn with the entries of q in order, skipping q.Offset
// and stopping after take (< 0: all), one row in memory at a time. An
// error of fn's own (its writer's: a full disk behind stdout) is returned
// as it is, not explained as one of the database's.
func (d *DB) eachHistory(q HistoryQuery, take int, fn func(HistoryEntry) error) error {
	var fnErr error
	err := d.readHistory(func(tx *sql.Tx) error {
		parts, err := historyParts(tx, q, historyCols)
		if err != nil {
			return err
		}
		skip := max(q.Offset, 0)
		for _, p := range parts {
			if take == 0 {
				return nil
			}
			query, args := p.query+p.order, p.args
			if take > 0 {
				query += " LIMIT ?"
				args = append(args, take+skip)
			}
			err := eachRow(tx, scanHistory, func(e HistoryEntry) error {
				if skip > 0 {
					skip--
					return nil
				}
				take--
				fnErr = fn(e)
				return fnErr
			}, query, args...)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if fnErr != nil {
		return fnErr
	}
	return err
}

// HistoryPage returns one page of history, newest first, filtered by
// q.Search (see HistoryQuery for the order).
func (d *DB) HistoryPage(q HistoryQuery) ([]HistoryEntry, error) {
	limit := cmp.Or(max(q.Limit, 0), DefaultPageSize)
	page := make([]HistoryEntry, 0, min(limit, 1024))
	err := d.eachHistory(q, limit, func(e HistoryEntry) error {
		page = append(page, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("history page: %w", err)
	}
	return page, nil
}

// EachHistory calls fn with every entry matching q.Search, in HistoryPage's
// order, reading them as it goes (one row in memory at a time), for exports
// and scripts that want the whole history in constant memory; q.Limit, when
// > 0, stops after that many. An error from fn stops the walk and is
// returned.
func (d *DB) EachHistory(q HistoryQuery, fn func(HistoryEntry) error) error {
	take := -1
	if q.Limit > 0 {
		take = q.Limit
	}
	return d.eachHistory(q, take, fn)
}

// HistoryCount returns how many entries match search (all when blank),
// exactly. Without a search it reads a stored count; with one it counts every
// match, which at a million rows and a common needle takes a while: a window
// uses HistoryMatches.
func (d *DB) HistoryCount(search string) (int, error) {
	n, _, err := d.HistoryMatches(HistoryQuery{Search: search, Limit: -1})
	return n, err
}

// HistoryMatches counts the entries matching q.Search, but no more than
// q.Limit of them (< 0: all; 0: DefaultPageSize), and reports whether there
// are more, so that a label can say "1,000+ matches" as fast as a page loads.
// q.MaxScan bounds a short search as in HistoryPage; the cursor is ignored.
// A blank search reads the stored total: exact and instant.
func (d *DB) HistoryMatches(q HistoryQuery) (n int, more bool, err error) {
	upTo := -1 // all
	if q.Limit >= 0 {
		upTo = cmp.Or(q.Limit, DefaultPageSize)
	}
	err = d.readHistory(func(tx *sql.Tx) error {
		if normSearch(q.Search) == "" {
			return tx.QueryRow(historyTotalSQL).Scan(&n)
		}
		q.BeforeID, q.Offset = 0, 0
		parts, err := historyParts(tx, q, "1")
		if err != nil {
			return err
		}
		for _, p := range parts {
			query, args := p.query, p.args
			if upTo >= 0 {
				query += " LIMIT ?"
				args = append(args, upTo+1-n)
			}
			var k int
			if err := tx.QueryRow("SELECT count(*) FROM ("+query+")", args...).Scan(&k); err != nil {
				return err
			}
			if n += k; upTo >= 0 && n > upTo {
				break
			}
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("count history: %w", err)
	}
	if upTo >= 0 && n > upTo {
		return upTo, true, nil
	}
	return n, false, nil
}

// TypedSearch answers one keystroke of search as you type: the newest
// pageSize entries matching search (a short search bounded by TypingMaxScan)
// and how many match — all of them without a search, else up to
// TypingCountLimit, with more reporting that there are more. When the page
// is not full it holds every match, so no count is run.
func (d *DB) TypedSearch(search string, pageSize int) (page []HistoryEntry, matches int, more bool, err error) {
	q := HistoryQuery{Search: search, Limit: cmp.Or(max(pageSize, 0), DefaultPageSize), MaxScan: TypingMaxScan}
	page, err = d.HistoryPage(q)
	if err != nil {
		return nil, 0, false, err
	}
	if len(page) < q.Limit {
		return page, len(page), false, nil
	}
	q.Limit = TypingCountLimit
	if normSearch(search) == "" {
		q.Limit = -1 // the stored total: exact and instant
	}
	matches, more, err = d.HistoryMatches(q)
	return page, matches, more, err
}
