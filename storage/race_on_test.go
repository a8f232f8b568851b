//go:build race

package storage

// raceEnabled: the race detector slows SQLite (pure Go here) about thirty
// times, so a test that times its batches against a busy wait does not.
const raceEnabled = true
