package reliability

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/cli"
	"github.com/dstor-uploader/dstor-uploader/internal/testutil"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// TestMain lets a test run this very binary as the command line in a
// child process (testutil.ChildCommand), which a test can kill like the
// real one.
func TestMain(m *testing.M) {
	// The commands' keyring waits as long as the tests' own stores
	// (testutil.KeyringTimeout), in the children too: a slow answer
	// under load must not turn it into a memory store.
	cli.SetKeyringTimeoutForTest(testutil.KeyringTimeout)
	removeHome := testutil.IsolateDataFolder()
	testutil.RunIfChild(func(args []string) int {
		return cli.Run(context.Background(), args, cli.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	})
	code := m.Run()
	removeHome()
	os.Exit(code)
}

// runCLI runs the command line in-process and returns its exit status and
// output.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut strings.Builder
	code := cli.Run(context.Background(), args, cli.IO{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	return code, out.String(), errOut.String()
}

// historyJSON is the whole history as "history --json" prints it.
func historyJSON(t *testing.T) []testutil.HistoryRecord {
	t.Helper()
	code, out, errOut := runCLI(t, "", "history", "--limit", "0", "--json")
	require.Equal(t, 0, code, errOut)
	return testutil.ParseHistory(t, out)
}

// relTableEnv names a file the suite writes its table to (make reliability
// prints it at the end).
const relTableEnv = "DSTOR_RELIABILITY_TABLE"

// relReport collects the tables of every part of the suite.
type relReport struct {
	mu       sync.Mutex
	sections []*relSection
}

type relSection struct {
	title, note string
	header      []string
	rows        [][]string
}

func (r *relReport) section(title, note string, header ...string) *relSection {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &relSection{title: title, note: note, header: header}
	r.sections = append(r.sections, s)
	return s
}

func (s *relSection) add(cells ...any) {
	row := make([]string, len(cells))
	for i, c := range cells {
		row[i] = strings.ReplaceAll(fmt.Sprint(c), "|", `\|`)
	}
	s.rows = append(s.rows, row)
}

// markdown renders the report as README-ready Markdown tables.
func (r *relReport) markdown() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	size := "short (go test)"
	if relFull {
		size = "full (make reliability)"
	}
	fmt.Fprintf(&b, "Suite size: %s.\n", size)
	for _, s := range r.sections {
		fmt.Fprintf(&b, "\n### %s\n\n", s.title)
		if s.note != "" {
			fmt.Fprintf(&b, "%s\n\n", s.note)
		}
		b.WriteString("| " + strings.Join(s.header, " | ") + " |\n")
		b.WriteString("|" + strings.Repeat(" --- |", len(s.header)) + "\n")
		for _, row := range s.rows {
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
	}
	return b.String()
}

// TestReliability runs the whole suite and prints its table, also when a
// part fails (the failing figures are then visible).
func TestReliability(t *testing.T) {
	rep := &relReport{}
	t.Cleanup(func() {
		table := rep.markdown()
		fmt.Printf("\n=== Reliability table ===\n%s\n", table)
		if path := os.Getenv(relTableEnv); path != "" {
			if err := os.WriteFile(path, []byte(table), 0o600); err != nil {
				t.Errorf("write the table to %s: %v", path, err)
			}
		}
	})
	t.Run("Faults", func(t *testing.T) { relFaults(t, rep) })
	t.Run("Crashes", func(t *testing.T) { relCrashes(t, rep) })
	t.Run("BadInput", func(t *testing.T) { relBadInput(t, rep) })
	t.Run("Secrets", func(t *testing.T) { relSecrets(t, rep) })
	t.Run("Fuzzing", func(t *testing.T) { relFuzzTargets(t, rep) })
	t.Run("SandboxHardening", func(t *testing.T) { relHardening(t, rep) })
	t.Run("Trust", func(t *testing.T) { relTrust(t, rep) })
}

// dbIntegrity opens dir's database with plain SQL, as a crash-recovery tool
// would, and returns SQLite's integrity_check answer and the history rows.
func dbIntegrity(t *testing.T, dir string) (string, int) {
	t.Helper()
	path := filepath.Join(dir, storage.DBFileName)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		// Killed before it created the database: nothing was written,
		// so there is nothing to damage (and read-only cannot open it).
		return "ok", 0
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var res string
	require.NoError(t, db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res))
	// Killed before the first migration committed: no history table yet.
	var tables, n int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'history'`).Scan(&tables))
	if tables > 0 {
		require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM history`).Scan(&n))
	}
	return res, n
}

// allHistory reads every history entry of a database.
func allHistory(t *testing.T, db *storage.DB) []storage.HistoryEntry {
	t.Helper()
	var out []storage.HistoryEntry
	for off := 0; ; off += 500 {
		page, err := db.HistoryPage(storage.HistoryQuery{Limit: 500, Offset: off})
		require.NoError(t, err)
		out = append(out, page...)
		if len(page) < 500 {
			return out
		}
	}
}

// testSeedEnv replays a failure: the random choices of the suite (kill
// points, file sizes) come from this seed instead of the clock.
const testSeedEnv = "DSTOR_TEST_SEED"

// testRand is the random source of one test, seeded by DSTOR_TEST_SEED or
// else the clock. The seed is logged, so a failing run prints it (t.Logf
// shows with the failure) and can be replayed exactly; stream keeps tests
// that share a seed apart.
func testRand(t *testing.T, stream uint64) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(testSeedEnv); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		require.NoError(t, err, "%s must be an unsigned integer", testSeedEnv)
		seed = v
	}
	t.Logf("random seed %d (replay: %s=%d go test -run '%s' ./reliability)", seed, testSeedEnv, seed, runPattern(t.Name()))
	return rand.New(rand.NewPCG(seed, stream))
}

// runPattern is the -run pattern that selects exactly the test named
// name: each level anchored and quoted, since subtest names hold
// characters such as "+" and "(" that a pattern would read otherwise.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// withDeadline runs fn and fails the test if it has not returned within d:
// a hang is a failure, reported as such rather than as a suite timeout.
func withDeadline(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		assert.Failf(t, "hang", "%s did not return within %s", what, d)
	}
}

// seen is what a case observed, for a table cell, quoted: the line of got
// that holds want (else its first line), cut to about 100 characters
// around want; skipped instead when the case was skipped.
func seen(got, want, skipped string) string {
	if skipped != "" {
		return skipped
	}
	lines := strings.Split(strings.TrimSpace(got), "\n")
	line := lines[0]
	for _, l := range lines {
		if want != "" && strings.Contains(l, want) {
			line = l
			break
		}
	}
	r := []rune(line)
	start := 0
	if i := strings.Index(line, want); want != "" && i >= 0 {
		start = max(0, len([]rune(line[:i]))-40)
	}
	end := min(len(r), start+100)
	cut := string(r[start:end])
	if start > 0 {
		cut = "…" + cut
	}
	if end < len(r) || len(lines) > 1 {
		cut += "…"
	}
	return "“" + cut + "”"
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "**NO**"
}

// TestSeen checks the table's "seen" cells: the line holding the expected
// words, cut around them.
func TestSeen(t *testing.T) {
	long := strings.Repeat("x", 80) + " the file changed " + strings.Repeat("y", 80)
	tests := []struct{ got, want, skipped, cell string }{
		{"ok", "ok", "", "“ok”"},
		{"first\nsecond has it", "has it", "", "“second has it…”"},
		{"anything", "x", "n/a", "n/a"},
		{long, "file changed", "", "“…" + strings.Repeat("x", 35) + " the file changed " + strings.Repeat("y", 47) + "…”"},
		{"no match here", "absent", "", "“no match here”"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.cell, seen(tt.got, tt.want, tt.skipped), "%q", tt.got)
	}
}
