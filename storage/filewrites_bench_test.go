package storage

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkUploadWrites times the database's share of uploading small
// files as the command line does, per file: the walk's insert of its job
// (256 at a time), the scheduler's read of the next queued window, the
// persister's rounds that mark jobs done with their history entries (32
// per round), and the marks of the results printed (128 per batch). The
// command line's own CPU varies by more than a change to one statement
// saves; this isolates the statements (about 165 µs a file on 2026-12-03's
// 2-core Xeon, with the history and queue growing as a long run's do).
func BenchmarkUploadWrites(b *testing.B) {
	const files, perRound, perMark = 256, 32, 128
	d := openTestDB(b)
	sha := fmt.Sprintf("%064x", 42)
	for i := 0; b.Loop(); i++ {
		batch := fmt.Sprintf("batch-%d", i)
		rows := sampleJobs(files, batch)
		for k := range rows {
			rows[k].LocalPath = fmt.Sprintf("/home/someone/big-folder/%d/file-%05d.bin", i, k)
			rows[k].Beneath = "/home/someone/big-folder"
			rows[k].FileID = fmt.Sprintf("2049:%d", i*files+k)
		}
		if err := d.InsertJobs(rows); err != nil {
			b.Fatal(err)
		}
		queued, err := d.QueuedJobs("testnet", "someone@example.com", JobQueued, rows[0].Seq-1, files)
		if err != nil || len(queued) != files {
			b.Fatalf("queued %d of %d: %v", len(queued), files, err)
		}
		now := time.Now()
		for start := 0; start < files; start += perRound {
			fins := make([]JobFinish, 0, perRound)
			for _, r := range queued[start : start+perRound] {
				r.Hash, r.Verified, r.Attempts = fakeCID(int(r.Seq)), true, 1
				fins = append(fins, JobFinish{Row: r, History: HistoryEntry{Env: r.Env, Account: r.Account,
					LocalPath: r.LocalPath, Name: r.Name, Size: r.Size, Hash: r.Hash, Verified: true,
					FolderPath: r.FolderPath, Comment: r.Comment, StartedAt: now, FinishedAt: now, Attempts: 1,
					File: FileVersion{ModTime: now, ChangeTime: now, ID: r.FileID}, SHA256: sha,
					AddedFolder: r.Beneath, BatchID: r.BatchID}})
			}
			_, finErrs := d.WriteJobs(nil, fins)
			for _, err := range finErrs {
				if err != nil {
					b.Fatal(err)
				}
			}
		}
		for start := 0; start < files; start += perMark {
			ids := make([]string, 0, perMark)
			for _, r := range queued[start : start+perMark] {
				ids = append(ids, r.ID)
			}
			if err := d.MarkReported(ids...); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*files), "ns/file")
}
