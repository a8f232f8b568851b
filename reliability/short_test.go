//go:build !reliability

package reliability

// relFull is false in the regular `go test` run: the reliability suite runs
// a short version (a few files per fault, 2 kills of a 60-file queue, every
// bad-input case). `make reliability` builds with -tags reliability for the
// full one.
const relFull = false
