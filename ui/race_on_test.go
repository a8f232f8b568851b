//go:build race

package ui

// raceEnabled: the race detector slows SQLite (pure Go here) about thirty
// times, so tests that fill big databases fill smaller ones under it.
const raceEnabled = true
