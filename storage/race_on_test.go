//go:build race

package storage

// raceEnabled loosens wall-clock bounds: the race detector slows the
// transpiled SQLite code down several times.
const raceEnabled = true
