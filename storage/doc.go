// Package storage keeps everything dStor Uploader must remember between runs:
// secrets in the OS keyring, and the upload history, the persisted upload
// queue and the settings in a SQLite database under the app's data directory.
//
// It exists as its own package so that the CLI, the background worker
// (api/worker) and the Fyne UI all share one crash-safe store, and so that it
// stays testable with plain `go test`: it imports only the standard library,
// modernc.org/sqlite and github.com/zalando/go-keyring — never Fyne and never
// the api packages, which import it.
//
// Secrets (API keys, tokens, remembered passwords) go only through
// [SecretStore]. They are never written to the database, the settings, a log
// or an error message; [Settings] remembers account names only.
//
// All [DB] methods are safe for concurrent use: writes go through a single
// connection (one writer, in order, no SQLITE_BUSY between goroutines of one
// process) while reads use a small pool that WAL mode lets run alongside the
// writer. A second process (for example the CLI while the window is open) is
// serialised by SQLite's own locking with a busy timeout.
package storage
