package storage

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var updateNewSchema = flag.Bool("update-new-schema", false, "write schema.sql from the steps of migrations")

// TestNewSchemaIsTheMigrations: schema.sql is what the steps of migrations
// make of a history with no schema, and a new history opened from it holds
// the same schema, rows and version as one the steps made one by one.
func TestNewSchemaIsTheMigrations(t *testing.T) {
	steps, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "steps.db"))
	require.NoError(t, err)
	defer steps.Close()
	steps.SetMaxOpenConns(1)
	require.NoError(t, migrate(steps, migrations))

	text := newSchemaText(t, steps)
	if *updateNewSchema {
		require.NoError(t, os.WriteFile("schema.sql", []byte(text), 0o644))
		return
	}
	require.Equal(t, text, newSchemaSQL,
		"schema.sql is not what the steps make: go test ./storage -run TestNewSchemaIsTheMigrations -update-new-schema")

	d := openNewTestDB(t)
	assert.Equal(t, schemaAndRows(t, steps), schemaAndRows(t, d.w))
}

// TestANewHistoryIsMadeInOneTransaction: a new history's schema is written
// by createNewSchema, in one transaction, not by the steps of migrations
// one by one, which make the same schema (TestNewSchemaIsTheMigrations
// cannot tell them apart) in 21 transactions and more than twice the
// write-ahead log. Counted in the write-ahead log the open leaves: its
// commit frames of the current salt.
func TestANewHistoryIsMadeInOneTransaction(t *testing.T) {
	d := openNewTestDB(t)
	wal, err := os.ReadFile(d.path + "-wal")
	require.NoError(t, err)
	assert.Equal(t, 1, walCommits(t, wal), "transactions in the write-ahead log of a new history (%d bytes)", len(wal))
}

// walCommits is how many transactions the write-ahead log wal holds: its
// frames that end a commit, of its header's salt (frames of an earlier
// round of the log may follow them).
func walCommits(t *testing.T, wal []byte) int {
	t.Helper()
	const headerLen, frameHeaderLen = 32, 24
	require.GreaterOrEqual(t, len(wal), headerLen, "a write-ahead log's header")
	pageSize := int(binary.BigEndian.Uint32(wal[8:12]))
	salt := wal[16:24]
	commits := 0
	for off := headerLen; off+frameHeaderLen+pageSize <= len(wal); off += frameHeaderLen + pageSize {
		frame := wal[off : off+frameHeaderLen]
		if !bytes.Equal(frame[8:16], salt) {
			break
		}
		if binary.BigEndian.Uint32(frame[4:8]) != 0 { // the database's size after a commit
			commits++
		}
	}
	return commits
}

// newSchemaText is the SQL that makes, in a database with no schema, the
// schema and rows of db: its objects' statements as SQLite keeps them
// (the tables' with the columns ALTER TABLE added), in the order they were
// made, and its rows. Left out is what SQLite makes itself: the indexes of
// UNIQUE constraints, sqlite_sequence, and the tables and rows of a
// virtual table (its shadow tables).
func newSchemaText(t *testing.T, db *sql.DB) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "-- Schema version %d: what the steps of migrations make of a new history.\n", len(migrations))
	b.WriteString("-- Made by TestNewSchemaIsTheMigrations (-update-new-schema); do not edit.\n")
	objects := queryStrings(t, db, `SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name != 'sqlite_sequence'
		AND name NOT IN (SELECT name FROM pragma_table_list WHERE type = 'shadow') ORDER BY rowid`)
	for _, s := range objects {
		b.WriteString(s + ";\n")
	}
	for _, table := range queryStrings(t, db, `SELECT name FROM pragma_table_list
		WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`) {
		cols := queryStrings(t, db, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
		for _, values := range rowsOf(t, db, table, cols) {
			fmt.Fprintf(&b, "INSERT INTO %s (%s) VALUES (%s);\n", table, strings.Join(cols, ", "), values)
		}
	}
	return b.String()
}

// schemaAndRows is db's version, every entry of its schema and every row
// of every table (shadow tables included), as sorted text.
func schemaAndRows(t *testing.T, db *sql.DB) []string {
	t.Helper()
	out := queryStrings(t, db, `SELECT 'version ' || user_version FROM pragma_user_version`)
	out = append(out, queryStrings(t, db, `SELECT type || ' ' || name || ' on ' || tbl_name || ': ' || coalesce(sql, '')
		FROM sqlite_schema ORDER BY type, name`)...)
	for _, table := range queryStrings(t, db, `SELECT name FROM sqlite_schema
		WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name`) {
		cols := queryStrings(t, db, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
		rows := rowsOf(t, db, table, cols)
		slices.Sort(rows)
		for _, r := range rows {
			out = append(out, table+": "+r)
		}
	}
	return out
}

// rowsOf is each row of table in db, its columns cols as SQL literals
// joined by ", ".
func rowsOf(t *testing.T, db *sql.DB, table string, cols []string) []string {
	t.Helper()
	quoted := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = fmt.Sprintf("quote(%q)", c)
	}
	return queryStrings(t, db, fmt.Sprintf(`SELECT %s FROM %q`, strings.Join(quoted, " || ', ' || "), table))
}

// queryStrings is the first column of every row query answers in db.
func queryStrings(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(query, args...)
	require.NoError(t, err, query)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s), query)
		out = append(out, s)
	}
	require.NoError(t, rows.Err(), query)
	return out
}
