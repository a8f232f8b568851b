// Package race tells a test whether it runs under the race detector,
// which slows SQLite (pure Go here) about thirty times and makes
// sync.Pool drop objects at random: tests that fill big databases fill
// smaller ones under it, and tests that count allocations skip.
//
// It is a package of its own, importing nothing, so that every package's
// tests (api's internal ones included) read the one answer. It is
// imported by tests only.
package race
