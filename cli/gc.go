package cli

import (
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
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
	// windowGCPercent and windowMemoryLimit keep the window's Go heap from
	// doubling while it hashes an upload (and, with the Local sandbox, hashes
	// and stores it a second time in the same process): about 50 MiB less
	// peak RSS on a 2 GiB upload, measured under Xvfb. The limit is soft and
	// well above the window's live heap, even with a 10,000-file queue.
	windowGCPercent   = 200
	windowMemoryLimit = 64 << 20
)

// gcProfile is a command's garbage-collector setting: GOGC, and a soft
// memory limit (0 = none).
type gcProfile struct {
	percent int
	limit   int64
}

// The profiles of the commands that hash files; every other command keeps
// Go's defaults (the zero profile).
var (
	windowGC  = gcProfile{percent: windowGCPercent, limit: windowMemoryLimit}
	uploadGC  = gcProfile{percent: streamGCPercent, limit: uploadMemoryLimit}
	sandboxGC = gcProfile{percent: streamGCPercent, limit: sandboxMemoryLimit}
)

// gcProfileOf is the profile of the command cobra found for the process's
// arguments.
func gcProfileOf(cmd *cobra.Command) gcProfile {
	switch {
	case !cmd.HasParent():
		return windowGC
	case cmd.Name() == "upload", cmd.Name() == "resume":
		return uploadGC
	case cmd.Name() == "sandbox":
		return sandboxGC
	}
	return gcProfile{}
}

// tuneGC trades a little memory for a lot less collector work in the
// commands that hash files, caps the window's Go heap (see windowMemoryLimit)
// and leaves every other command at Go's defaults. It never overrides GOGC or
// GOMEMLIMIT set by the person.
//
// Why (when these were set): computing a CID with boxo's importer
// allocated two 256 KiB buffers per 256 KiB chunk (the UnixFS and dag-pb
// encodings of each leaf). With a live heap of a few MiB and GOGC=100 the
// collector then ran every 4 MiB, about 750 times per GiB, and each cycle
// handed pages back to the OS that the next chunks faulted in again: that
// cost more CPU than sha2-256 itself. GOGC=400 under a memory limit ran it
// 4-6 times less often at the same peak RSS. api.CIDHasher no longer uses
// the importer and makes no garbage per byte; make bench measures uploads
// with and without these settings.
func tuneGC(p gcProfile) {
	if p == (gcProfile{}) {
		return
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(p.percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" && p.limit > 0 {
		debug.SetMemoryLimit(p.limit)
	}
}
