package storage

import (
	"database/sql"
	"fmt"
)

// migrateV15 adds the accounts table: the dStor account id (the sub of its
// tokens) of each name an environment's rows are filed under. One account
// is filed under its email when signed in with its password and under its
// id with its API key; the table lets either find the other's uploads
// (AccountNames). No row is renamed. It may run again over a table made
// already (a test takes a database back to an older version).
func migrateV15(tx *sql.Tx) error {
	return execAll(tx,
		`CREATE TABLE IF NOT EXISTS accounts (
			env        TEXT NOT NULL,
			account    TEXT NOT NULL,
			account_id TEXT NOT NULL,
			PRIMARY KEY (env, account)
		) WITHOUT ROWID`,
		`CREATE INDEX IF NOT EXISTS accounts_by_id ON accounts (env, account_id)`,
	)
}

// NoteAccountID records that the rows of env filed under account belong to
// the dStor account id (the sub of the tokens it signed in with). It
// writes only when that is news. An empty id is not recorded.
func (d *DB) NoteAccountID(env, account, id string) error {
	if id == "" {
		return nil
	}
	var have string
	err := d.r.QueryRow(`SELECT account_id FROM accounts WHERE env = ? AND account = ?`, env, account).Scan(&have)
	if err == nil && have == id {
		return nil
	}
	if err != nil && err != sql.ErrNoRows {
		return fmt.Errorf("read the account id of %s: %w", account, err)
	}
	return d.withTx("note the account id of "+account, func(tx *sql.Tx) error {
		_, err := tx.Exec(`INSERT INTO accounts (env, account, account_id) VALUES (?, ?, ?)
			ON CONFLICT (env, account) DO UPDATE SET account_id = excluded.account_id`, env, account, id)
		return err
	})
}

// AccountNames lists the names env's rows of the dStor account id may be
// filed under: id itself (an API key's sign-in), then every name noted for
// it (NoteAccountID: an email of a password sign-in), in order.
func (d *DB) AccountNames(env, id string) ([]string, error) {
	if id == "" {
		return nil, nil
	}
	rows, err := d.r.Query(`SELECT account FROM accounts WHERE env = ? AND account_id = ? ORDER BY account`, env, id)
	if err != nil {
		return nil, fmt.Errorf("read the names of account %s: %w", id, err)
	}
	defer rows.Close()
	names := []string{id}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("read the names of account %s: %w", id, err)
		}
		if name != id {
			names = append(names, name)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the names of account %s: %w", id, err)
	}
	return names, nil
}
