package storage

import (
	"database/sql"
	"fmt"

	"github.com/dstor-uploader/dstor-uploader/internal/envkey"
)

// migrateV14 files the rows of every spelling of one server under the one
// environment it is keyed by now (envkey.Key: lower-case scheme and
// host, no default port, no trailing slash; dStor's own services by name). Before, "HTTP://127.0.0.1:8787"
// and "http://127.0.0.1:8787" were two environments with two queues, so
// two runs uploaded the same files twice. Rows are only renamed: every
// queued file, folder being listed and upload stays. The settings' names
// of environments are read the same way (Settings.Normalize).
func migrateV14(tx *sql.Tx) error {
	for _, table := range []string{"history", "jobs", "walks"} {
		envs, err := distinctEnvs(tx, table)
		if err != nil {
			return err
		}
		for _, env := range envs {
			if n := envkey.Key(env); n != env {
				if _, err := tx.Exec(`UPDATE `+table+` SET env = ? WHERE env = ?`, n, env); err != nil {
					return fmt.Errorf("file %s's rows of %q under %q: %w", table, env, n, err)
				}
			}
		}
	}
	return nil
}

// distinctEnvs lists the environments table has rows of.
func distinctEnvs(tx *sql.Tx, table string) ([]string, error) {
	rows, err := tx.Query(`SELECT DISTINCT env FROM ` + table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var envs []string
	for rows.Next() {
		var env string
		if err := rows.Scan(&env); err != nil {
			return nil, err
		}
		envs = append(envs, env)
	}
	return envs, rows.Err()
}
