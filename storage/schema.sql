-- Schema version 23: what the steps of migrations make of a new history.
-- Made by TestNewSchemaIsTheMigrations (-update-new-schema); do not edit.
CREATE TABLE history (
			id          INTEGER PRIMARY KEY AUTOINCREMENT,
			job_id      TEXT UNIQUE,
			env         TEXT NOT NULL DEFAULT '',
			account     TEXT NOT NULL DEFAULT '',
			local_path  TEXT NOT NULL DEFAULT '',
			name        TEXT NOT NULL DEFAULT '',
			size        INTEGER NOT NULL DEFAULT 0,
			hash        TEXT NOT NULL DEFAULT '',
			verified    INTEGER NOT NULL DEFAULT 0,
			folder_path TEXT NOT NULL DEFAULT '',
			parent_id   INTEGER,
			comment     TEXT NOT NULL DEFAULT '',
			started_at  INTEGER NOT NULL DEFAULT 0,
			finished_at INTEGER NOT NULL DEFAULT 0,
			attempts    INTEGER NOT NULL DEFAULT 0
		, search_text TEXT NOT NULL DEFAULT '', server_name TEXT NOT NULL DEFAULT '', file_mtime INTEGER NOT NULL DEFAULT 0, file_ctime INTEGER NOT NULL DEFAULT 0, file_id TEXT NOT NULL DEFAULT '', sha256 TEXT NOT NULL DEFAULT '', live_at INTEGER NOT NULL DEFAULT 0, live_ms INTEGER NOT NULL DEFAULT 0, live_error TEXT NOT NULL DEFAULT '', batch_id TEXT NOT NULL DEFAULT '', added_folder TEXT NOT NULL DEFAULT '');
CREATE TABLE jobs (
			seq         INTEGER PRIMARY KEY,
			id          TEXT NOT NULL UNIQUE,
			batch_id    TEXT NOT NULL DEFAULT '',
			env         TEXT NOT NULL DEFAULT '',
			account     TEXT NOT NULL DEFAULT '',
			local_path  TEXT NOT NULL DEFAULT '',
			name        TEXT NOT NULL DEFAULT '',
			size        INTEGER NOT NULL DEFAULT 0,
			folder_path TEXT NOT NULL DEFAULT '',
			parent_id   INTEGER,
			comment     TEXT NOT NULL DEFAULT '',
			state       TEXT NOT NULL,
			attempts    INTEGER NOT NULL DEFAULT 0,
			error       TEXT NOT NULL DEFAULT '',
			hash        TEXT NOT NULL DEFAULT '',
			verified    INTEGER NOT NULL DEFAULT 0,
			created_at  INTEGER NOT NULL DEFAULT 0,
			updated_at  INTEGER NOT NULL DEFAULT 0
		, beneath TEXT NOT NULL DEFAULT '', file_id TEXT NOT NULL DEFAULT '', expect_sha256 TEXT NOT NULL DEFAULT '', cleared INTEGER NOT NULL DEFAULT 0, reported INTEGER NOT NULL DEFAULT 0, reason TEXT NOT NULL DEFAULT '', reason_arg TEXT NOT NULL DEFAULT '');
CREATE TABLE settings (
			key   TEXT PRIMARY KEY,
			value TEXT NOT NULL
		) WITHOUT ROWID;
CREATE INDEX history_newest ON history (finished_at, id, search_text);
CREATE TABLE walks (
			seq         INTEGER PRIMARY KEY,
			id          TEXT NOT NULL UNIQUE,
			batch_id    TEXT NOT NULL,
			env         TEXT NOT NULL DEFAULT '',
			account     TEXT NOT NULL DEFAULT '',
			path        TEXT NOT NULL DEFAULT '',
			folder_path TEXT NOT NULL DEFAULT '',
			parent_id   INTEGER,
			comment     TEXT NOT NULL DEFAULT '',
			created_at  INTEGER NOT NULL DEFAULT 0
		, expect_sha256 TEXT NOT NULL DEFAULT '', folder TEXT);
CREATE INDEX history_uploaded ON history (account, env, local_path);
CREATE VIRTUAL TABLE history_fts USING fts5(search_text,
			content='history', content_rowid='id',
			tokenize='trigram case_sensitive 1', detail='none', columnsize=0);
CREATE TABLE history_stats (
			id         INTEGER PRIMARY KEY CHECK (id = 1),
			entries    INTEGER NOT NULL,
			indexed_to INTEGER NOT NULL DEFAULT 0
		, refold_to INTEGER NOT NULL DEFAULT 0);
CREATE TRIGGER history_count_insert AFTER INSERT ON history BEGIN
			UPDATE history_stats SET entries = entries + 1 WHERE id = 1;
		END;
CREATE TRIGGER history_count_delete AFTER DELETE ON history BEGIN
			UPDATE history_stats SET entries = entries - 1 WHERE id = 1;
		END;
CREATE TRIGGER history_fts_delete AFTER DELETE ON history
		WHEN old.id <= (SELECT indexed_to FROM history_stats WHERE id = 1) BEGIN
			INSERT INTO history_fts (history_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
		END;
CREATE TRIGGER history_fts_update AFTER UPDATE OF search_text ON history
		WHEN old.id <= (SELECT indexed_to FROM history_stats WHERE id = 1) BEGIN
			INSERT INTO history_fts (history_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
			INSERT INTO history_fts (rowid, search_text) VALUES (new.id, new.search_text);
		END;
CREATE INDEX history_hash ON history (hash);
CREATE INDEX jobs_queue ON jobs (env, account, state, cleared, seq);
CREATE INDEX jobs_list ON jobs (env, account, cleared, seq);
CREATE INDEX jobs_batch ON jobs (batch_id, local_path);
CREATE INDEX history_added_folder ON history (added_folder, batch_id) WHERE added_folder != '';
CREATE INDEX jobs_file ON jobs (env, account, local_path);
CREATE TABLE accounts (
			env        TEXT NOT NULL,
			account    TEXT NOT NULL,
			account_id TEXT NOT NULL,
			PRIMARY KEY (env, account)
		) WITHOUT ROWID;
CREATE INDEX accounts_by_id ON accounts (env, account_id);
CREATE TABLE folder_members (
			seq          INTEGER PRIMARY KEY,
			job_id       TEXT NOT NULL UNIQUE,
			added_folder TEXT NOT NULL,
			batch_id     TEXT NOT NULL,
			history_id   INTEGER NOT NULL,
			size         INTEGER NOT NULL DEFAULT 0,
			seen_after   INTEGER NOT NULL DEFAULT 0
		);
CREATE INDEX folder_members_share ON folder_members (added_folder, batch_id, history_id, size);
CREATE INDEX folder_members_entry ON folder_members (history_id);
CREATE TRIGGER folder_members_forget AFTER DELETE ON history BEGIN
			DELETE FROM folder_members WHERE history_id = OLD.id;
		END;
CREATE TABLE folder_shares (
			seq          INTEGER PRIMARY KEY,
			added_folder TEXT NOT NULL,
			batch_id     TEXT NOT NULL,
			added_after  INTEGER NOT NULL DEFAULT 0, listing_end INTEGER NOT NULL DEFAULT 0,
			UNIQUE (added_folder, batch_id)
		);
INSERT INTO history_stats (id, entries, indexed_to, refold_to) VALUES (1, 0, 0, 0);
