//go:build reliability

package reliability

// relFull is true under `make reliability` (go test -tags reliability): the
// suite runs at full size (many files per fault, 20 kills of a 500-file
// queue, long stalls, a 48 MiB stall in the middle of the body).
const relFull = true
