package main

import (
	"os"
	"runtime/debug"
)

// Garbage-collector settings for the commands that stream files through the
// CID importer (see tuneGC).
const (
	// streamGCPercent replaces GOGC=100 for upload, resume and sandbox.
	streamGCPercent = 400
	// uploadMemoryLimit caps the memory the Go runtime holds for upload and
	// resume, so the higher GOGC cannot grow the process: peak RSS stays
	// flat whatever the file size (about 33 MiB of it is the binary's code
	// and the shared libraries the window needs, mapped in every command).
	// Make bench runs the CID benchmark with the same settings.
	uploadMemoryLimit = 24 << 20
	// sandboxMemoryLimit is looser: the sandbox serves many uploads at once.
	sandboxMemoryLimit = 256 << 20
)

// tuneGC trades a little memory for a lot less collector work in the
// commands that hash files, and leaves every other command (and the window)
// at Go's defaults. It never overrides GOGC or GOMEMLIMIT set by the person.
//
// Why: computing a CID with boxo's importer (kubo's own, which the design
// requires) allocates two 256 KiB buffers per 256 KiB chunk (the UnixFS and
// dag-pb encodings of each leaf); the chunk buffers themselves are reused
// (api.CIDHasher). With a live heap of a few MiB and GOGC=100 the collector
// then runs every 4 MiB, about 750 times per GiB, and each cycle hands pages
// back to the OS that the next chunks fault in again: that cost more CPU than
// sha2-256 itself. GOGC=400 under a memory limit runs it 4-6 times less
// often at the same peak RSS (make bench measures both).
func tuneGC(args []string) {
	if len(args) == 0 {
		return
	}
	var limit int64
	switch args[0] {
	case "upload", "resume":
		limit = uploadMemoryLimit
	case "sandbox":
		limit = sandboxMemoryLimit
	default:
		return
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(streamGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(limit)
	}
}
