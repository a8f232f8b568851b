package storage

import (
	"database/sql"
	"fmt"
	"path/filepath"
)

// migrateV20 gives the skipped and failed rows of a folder's listing
// written without jobs.beneath (versions before 395a3e8 set it on queued
// rows only) that count as a file their share lacks (notUploadedSQL: not
// skips by design, which leave a share whole with or without it) the
// share of their Add call whose folder holds their path (or is it: a
// folder that could not be read), so that a share whose file could not
// be read, or failed, is not called whole (FolderLeft.Dropped,
// BatchLeft.Failed). A share with a row of that path already takes none:
// its own listing met the file, and the row without beneath is of
// another path named in the same Add call (`upload d d/x.jpg`). The rows
// of one path and Add call are given one to each share that holds the
// path, in the order they were saved (each listing of a folder that met
// the file left its own row: d and d/sub, both added, each lack it), the
// shares whose listing was not cut short first (one cut is not whole
// anyway); rows beyond the shares keep none, and a share left without one
// (fewer rows than shares: a listing that did not meet the file) is one
// whose listing was cut short, or that a resumed listing left the file
// out of, as it does since. Measured: 100,000 such rows of one share in
// 10.7 s at load 15 on 2 cores (a plain update of them all: 0.65 s);
// 100,000 rows of which 10,000 count, 1.3 s.
func migrateV20(tx *sql.Tx) error {
	sep := string(filepath.Separator)
	if _, err := tx.Exec(fillBeneathSQL, sep, string(rune(filepath.Separator+1))); err != nil {
		return fmt.Errorf("give the rows of folders saved without their folder that folder: %w", err)
	}
	return nil
}

// fillBeneathSQL is migrateV20 in one statement: orphan are the skipped
// and failed rows without beneath beside each share of their Add call
// whose folder holds their path (it, or below it: pathsBelow, ?1 the
// separator, ?2 the byte after it) and has no row of that path; each
// such row is numbered among those of its path and Add call in the
// order they were saved (seq), each such share among its path's shares,
// not cut short first, and row n goes to share n.
var fillBeneathSQL = `WITH orphan AS MATERIALIZED (
	SELECT jobs.id, jobs.batch_id, jobs.local_path, jobs.seq, s.added_folder, s.listing_end > 0 AS cut
	FROM jobs JOIN folder_shares s ON s.batch_id = jobs.batch_id
	WHERE jobs.beneath = '' AND jobs.state IN ('` + string(JobSkipped) + `', '` + string(JobFailed) + `') AND ` + notUploadedSQL + `
	AND (jobs.local_path = s.added_folder
		OR jobs.local_path > rtrim(s.added_folder, ?1) || ?1 AND jobs.local_path < rtrim(s.added_folder, ?1) || ?2)
	AND NOT EXISTS (SELECT 1 FROM jobs o WHERE o.batch_id = jobs.batch_id AND o.local_path = jobs.local_path AND o.beneath = s.added_folder)),
numbered AS (SELECT id, batch_id, local_path, row_number() OVER (PARTITION BY batch_id, local_path ORDER BY seq) AS n
	FROM (SELECT DISTINCT id, batch_id, local_path, seq FROM orphan)),
holder AS (SELECT batch_id, local_path, added_folder, row_number() OVER (PARTITION BY batch_id, local_path ORDER BY cut, added_folder) AS n
	FROM (SELECT DISTINCT batch_id, local_path, added_folder, cut FROM orphan))
UPDATE jobs SET beneath = f.added_folder
FROM (SELECT r.id, h.added_folder FROM numbered r JOIN holder h USING (batch_id, local_path, n)) AS f
WHERE jobs.id = f.id`
