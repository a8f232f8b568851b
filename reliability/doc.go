// Package reliability is the reliability suite: faults injected by the
// sandbox, crashes (SIGKILL of the CLI and of the window), bad input,
// secrets, fuzz targets and sandbox hardening, each with figures.
// TestReliability runs everything and prints one table, the one in
// README's "Reliability" section. The regular `go test` runs a short
// version; `make reliability` builds with -tags reliability for the full
// one. Every network test uses 127.0.0.1 only. The package has no code
// outside its tests.
package reliability
