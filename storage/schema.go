package storage

import (
	"database/sql"
	_ "embed" // schema.sql
	"fmt"
)

// newSchemaSQL is what every step of migrations makes of a history with
// no schema yet: its tables, indexes, triggers and the rows the steps
// insert, as SQLite keeps them after the last step. TestNewSchemaIsTheMigrations
// makes it from the steps (`go test ./storage -run TestNewSchemaIsTheMigrations
// -update-new-schema`) and checks that a history made from it equals one
// made by the steps, so the steps stay the one description of the schema.
//
//go:embed schema.sql
var newSchemaSQL string

// createNewSchema gives a new history (schema version 0, nothing in it) the
// schema of CurrentSchemaVersion in one transaction, from newSchemaSQL.
// The steps one by one make the same in a transaction each, and SQLite
// reads the whole schema again after each ALTER TABLE: opening and closing
// a new history took 10.4 ms of CPU that way and 4.1 ms this way
// (BenchmarkOpenNew, 2026-12-06), most of what a first start does besides
// its uploads (every run of `make bench` starts with a new history). A
// crash leaves version 0 and no table, as before the open. A history
// another process made first, or one with tables at version 0 (not made
// by this app), is left to migrate.
func createNewSchema(db *sql.DB) error {
	tx, err := db.Begin() // BEGIN IMMEDIATE (see dsn)
	if err != nil {
		return fmt.Errorf("create the schema: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var have, objects int
	if err := tx.QueryRow(`SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_schema)`).
		Scan(&have, &objects); err != nil {
		return fmt.Errorf("create the schema: %w", err)
	}
	if have != 0 || objects != 0 {
		return nil
	}
	if _, err := tx.Exec(newSchemaSQL); err != nil {
		return fmt.Errorf("create the schema: %w", err)
	}
	if _, err := tx.Exec(fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
		return fmt.Errorf("create the schema: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create the schema: %w", err)
	}
	return nil
}
