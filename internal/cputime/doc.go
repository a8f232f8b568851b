// Package cputime reads the CPU time of the calling OS thread, for
// benchmarks on a busy machine: other jobs stretch the wall time of a
// measured step, much less the CPU time its thread used.
package cputime
