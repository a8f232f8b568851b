package worker

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/offlocal"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/storage"
	"github.com/google/uuid"
)

// Listing a big folder must show jobs early and persist them in few
// transactions: rows are written every flushRows rows or flushEvery, the
// latter also while the listing waits on the disk (walk.saveDue). The
// first rows of a listing are written sooner, firstFlushRows of them, then
// twice as many each time up to flushRows: the uploads start once the first
// few files are saved instead of waiting for 256 to be listed and written
// (most of a second's start on a busy machine), and a big folder still
// takes few transactions.
const (
	firstFlushRows = 8
	flushRows      = 256
	flushEvery     = 100 * time.Millisecond
)

// addCall is one Add call waiting to be listed (or a batch whose listing a
// crash or Close interrupted, resumed by New).
type addCall struct {
	batchID string
	reqs    []Request
	walkIDs []string // each request's row in the walks table
	// shares are the folder shares each request's walk row was saved
	// with (storage.WalkRow.Folder; "" for none, or unknown), set once
	// saved: a listing that finds its path leads elsewhere moves its
	// walk to the folder it lists (walk.ownShare).
	shares []string
	// saved is set once the walk saver wrote the walk rows (or failed to):
	// only then may the walker list the call, so that no job row of a
	// request is ever saved before the request itself.
	saved bool
	// added tells the Add caller once the walk rows are in the database,
	// or that the database refused them. Nil on a resumed call.
	added *Added
	// resumed is set on a call whose listing a crash or Close interrupted:
	// listing it again adds only the files its batch has no job for yet.
	resumed bool
	// dropped is set, under Queue.mu, once Cancel all forgot the call: the
	// walk saver looks for none of its shares (giveUpShareLooksLocked).
	dropped bool
}

// Add queues files and folders and returns at once: listing folders,
// checking files and writing the jobs to the database happen on the queue's
// own goroutines, in the order given, and each job appears (JobAdded) only
// once its row is saved. One Add call is one batch (Job.BatchID); a path
// given more than once in it counts once, and so does a folder named again
// through a symbolic link to it (walk.namedAgain).
//
// Each request is saved (storage.DB.InsertWalks) before it is listed and
// deleted once all its jobs are saved, so a crash, a kill or Close while a
// big folder is being listed loses nothing: the next New lists what is left.
//
// Add returns before the requests are saved: the walk saver writes them a
// moment later. What it returns tells when they are in the database (at
// once when there is nothing to add): from then on no crash or kill loses
// them, which is when a caller may tell whoever handed it the files that
// they are taken, or forget its own copy of them. It also tells when the
// database refused them (read-only, full, replaced: Close reports that
// too, a full disk's refusal only if they are not all listed to their end
// by then; they are listed all the same, so they may still be queued), so
// that whoever handed them over is not told they are safe.
// With Config.StopWhenHistoryGone, requests added once the database file
// is found deleted or replaced (or whose saving finds it so) are not
// listed: their jobs could not be saved, nor upload, and would fail with
// nothing a retry could mend. They are kept for the database at the path
// ([Queue.NotListed]), and Added tells the *storage.ReplacedError.
// It tells nothing when the queue was closed before Add; so a caller that
// waits for it selects on it with its own stop or deadline. Close itself
// saves the requests added before it and tells their callers.
func (q *Queue) Add(reqs ...Request) *Added {
	call := newAddCall(reqs)
	if len(call.reqs) == 0 {
		call.added.settle(nil)
		return call.added
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return call.added
	}
	if q.historyGone != nil && q.stopWhenGone {
		// No job of theirs could be saved, nor start.
		q.keepNotListedLocked(call)
		call.added.settle(q.historyGone)
		return call.added
	}
	walking := q.walkBusy || len(q.pendingAdds) > 0
	q.pendingAdds = append(q.pendingAdds, call)
	q.walkSaves = append(q.walkSaves, call)
	for _, id := range call.walkIDs {
		q.liveWalks[id] = call.batchID
	}
	q.liveBatches[call.batchID] += len(call.walkIDs)
	if !walking {
		q.publish(QueueChanged, nil, false)
	}
	q.signalWalkSaver()
	return call.added
}

// Added is what Add tells its caller about the requests it was given.
type Added struct {
	done chan struct{}
	err  error
}

// Done is closed once the requests are in the database, or once the
// database refused them: Err says which. It is never closed when the
// queue was closed before Add.
func (a *Added) Done() <-chan struct{} { return a.done }

// Err is, once Done is closed, nil when the requests are saved, or the
// database's error when it refused them.
func (a *Added) Err() error {
	select {
	case <-a.done:
		return a.err
	default:
		return nil
	}
}

// settle records err (nil: saved) and closes Done. Called once.
func (a *Added) settle(err error) {
	a.err = err
	close(a.done)
}

// newAddCall makes one batch of reqs: paths made absolute (so a saved
// request still means the same file when the CLI resumes it from another
// directory), a request given twice (the same path to the same place, on
// Windows in any mix of upper and lower case) kept once as first given, so
// one file is one job, and a walk id for each request. api.AbsPath may
// look at the disk (a ".." after a link, a separator at the end) on the
// caller's goroutine: the CLI, whose Ctrl+C waits for Add, gives paths
// named already (RequestPath), which it reads as text only.
func newAddCall(reqs []Request) *addCall {
	call := &addCall{batchID: uuid.NewString(), added: &Added{done: make(chan struct{})}}
	seen := make(map[Request]bool, len(reqs))
	for _, r := range reqs {
		r.ParentID = copyID(r.ParentID)
		if r.Path != "" {
			if abs, err := api.AbsPath(r.Path); err == nil {
				r.Path = abs
			}
			key := requestKey(r, r.Path)
			if seen[key] {
				continue
			}
			seen[key] = true
		}
		call.reqs = append(call.reqs, r)
		call.walkIDs = append(call.walkIDs, uuid.NewString())
	}
	return call
}

// requestKey is what two requests to upload the file or folder at p to
// the same place have in common: one is the other named again.
func requestKey(r Request, p string) Request {
	key := r
	key.Path, key.ParentID = pathKey(p), nil
	if r.ParentID != nil { // compared by value, not by pointer
		key.FolderPath += "\x00" + strconv.FormatInt(*r.ParentID, 10)
	}
	return key
}

// pathKey is what the spellings of one path have in common: the path
// itself, or on Windows, whose file names ignore case, the path in upper
// case, as Windows compares names.
func pathKey(p string) string {
	if runtime.GOOS == "windows" {
		return strings.ToUpper(p)
	}
	return p
}

// shareOf is the folder share the walk row of request i was saved with,
// or "" when none is known (the save failed, or none was given).
func (c *addCall) shareOf(i int) string {
	if i < len(c.shares) {
		return c.shares[i]
	}
	return ""
}

// walkRows are the rows that save call's requests for env and account.
func (c *addCall) walkRows(env, account string) []storage.WalkRow {
	rows := make([]storage.WalkRow, len(c.reqs))
	for i, r := range c.reqs {
		rows[i] = storage.WalkRow{
			ID: c.walkIDs[i], BatchID: c.batchID, Env: env, Account: account,
			Path: r.Path, FolderPath: r.FolderPath, ParentID: copyID(r.ParentID), Comment: r.Comment,
			ExpectSHA256: r.ExpectSHA256,
		}
	}
	return rows
}

// ShareFoldersUntil fills in the folder share of each row of reqs
// (storage.WalkRow.Folder, see ShareFolder), so that whoever saves the
// rows (the walk saver, NotListed, the window's files kept for a
// sign-in) also gets through a drive that stopped answering: it reads
// the disk, so it is called on no goroutine the person waits on, and
// without q.mu. With a stop (the walk saver's: Cancel all, or Close once
// shareLookGrace has passed; a quit's, ShareLookGrace after it began),
// each look runs off the calling goroutine (offlocal.Until)
// until stop is closed, as a drive that stopped answering holds it for
// good: a look given up on, and every look after it, leaves its row's
// Folder empty, as a file's. Its listing then makes the share when it
// comes to the folder (walk.ownShare), and the look left behind drops
// what it finds once the drive answers.
func ShareFoldersUntil(stop <-chan struct{}, rows []storage.WalkRow, reqs []Request) []storage.WalkRow {
	for i := range rows {
		if stop == nil {
			rows[i].Folder = ShareFolder(reqs[i])
			continue
		}
		select {
		case <-stop:
			return rows // given up: no look begins
		default:
		}
		r := reqs[i]
		folder, ok := offlocal.Until(context.Background(), stop, func() string { return ShareFolder(r) })
		if !ok {
			return rows
		}
		rows[i].Folder = folder
	}
	return rows
}

// ShareFolder is the folder share a request makes (storage.FolderKey's
// Folder, as its listing will record it: the folder its path leads to,
// links followed, spelled as on disk), or "" when it lists no folder: a
// file, a path that is not there, or a request refused as it is.
func ShareFolder(r Request) string {
	if r.Path == "" || r.ExpectSHA256 != "" || validateRequest(r).code != "" {
		return ""
	}
	readhook.ShareLook(r.Path)
	if fi, err := os.Stat(RequestPath(r.Path)); err != nil || !fi.IsDir() {
		return ""
	}
	return ListedFolder(r.Path)
}

// ListedFolder is the folder a listing of the folder at path records as
// its share's (RequestPath, then where its links and junctions lead:
// listedRoot), so that the history finds a folder's uploads however the
// folder is typed: through a link or a junction, or on Windows in another
// case or in the \\?\ form.
func ListedFolder(path string) string { return listedRoot(RequestPath(path)) }

// RequestPath is the path a request's rows record for path: absolute, so
// they still mean the same file when the command line resumes elsewhere,
// and spelled as on disk (Windows ignores case), so the history finds it
// already uploaded and a resumed walk its jobs, however it was typed.
func RequestPath(path string) string {
	readhook.PathLook(path)
	p := path
	if abs, err := api.AbsPath(p); err == nil {
		p = abs
	}
	return api.SpelledOnDisk(p)
}

// listedRoot is the folder a listing of root walks and its share records:
// root's target when root is a symbolic link (or, on Windows, leads
// through a junction: finalFolder), since filepath.WalkDir does not follow
// a root that is one but the person chose this path.
//
// A root the system opens nothing by (more links than it follows before a
// "..", which filepath.EvalSymlinks follows up to 255) is root: no
// listing finds a folder there, nor an upload of one.
func listedRoot(root string) string {
	if _, err := os.Stat(root); err != nil {
		return root
	}
	if target, err := filepath.EvalSymlinks(root); err == nil {
		return finalFolder(target)
	}
	return root
}

// SaveForLater saves files and folders for the queue of env and account
// when that queue cannot be opened now (another process holds its lock,
// see storage.ErrQueueInUse): the next New of that account lists and
// uploads them, exactly as if they had been added to it and it had been
// interrupted before listing them. So what a person adds meanwhile is
// never dropped, even if the window is closed before the lock frees.
func SaveForLater(db *storage.DB, env, account string, reqs ...Request) error {
	call := newAddCall(reqs)
	if len(call.reqs) == 0 {
		return nil
	}
	if err := db.InsertWalks(ShareFoldersUntil(nil, call.walkRows(env, account), call.reqs)); err != nil {
		return fmt.Errorf("save the added files for later: %w", err)
	}
	return nil
}

// walker lists added requests one Add call at a time until Close.
func (q *Queue) walker() {
	defer q.workers.Done()
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return
		}
		if len(q.pendingAdds) == 0 || !q.pendingAdds[0].saved {
			q.mu.Unlock()
			select {
			case <-q.walkWake:
			case <-q.ctx.Done():
				return
			}
			continue
		}
		call := q.pendingAdds[0]
		q.pendingAdds[0] = nil
		q.pendingAdds = q.pendingAdds[1:]
		ctx, cancel := context.WithCancel(q.ctx)
		q.walkBusy, q.walkCancel, q.walkCall = true, cancel, call
		q.mu.Unlock()

		w := &walk{q: q, ctx: ctx, batchID: call.batchID, resumed: call.resumed, lastFlush: time.Now(), flushAt: firstFlushRows}
		w.ownData, w.indexPages = statOrNil(filepath.Dir(q.db.Path())), statOrNil(q.db.IndexPagesDir())
		if call.resumed {
			// A listing the version before folder_members (schema 15)
			// began saved the files it found already uploaded as jobs
			// alone: they join the share it lists on. A failure leaves
			// them out of it, as that version did.
			_, _ = q.db.RefindFolderMembers(call.batchID, q.account, q.otherNames...)
		}
		if len(call.reqs) > 1 {
			w.pending = make(map[fileDest]queuedJob)
			w.folders = make(map[Request]bool)
		}
		for i, r := range call.reqs {
			if ctx.Err() != nil {
				break
			}
			w.walkID, w.share = call.walkIDs[i], call.shareOf(i)
			w.beneathUnsure = call.resumed && w.share == ""
			cut := w.request(r)
			w.listed = append(w.listed, walkDrop{id: call.walkIDs[i], batchID: call.batchID, cut: cut})
		}
		w.flush()
		w.stopSaveDue()
		cancel()

		q.mu.Lock()
		q.walkBusy, q.walkCancel, q.walkCall = false, nil, nil
		w.tellAlreadyQueuedLocked()
		if len(q.pendingAdds) == 0 {
			q.publish(QueueChanged, nil, false)
		}
		q.mu.Unlock()
	}
}

// stopSaveDue stops the walk's timer (saveDue) as its listing ends.
func (w *walk) stopSaveDue() {
	if w.due != nil {
		w.due.Stop()
	}
}

// walk turns the requests of one Add call into job rows.
type walk struct {
	q       *Queue
	ctx     context.Context
	batchID string
	resumed bool // add only the files the batch has no job for (a resumed walk)
	rows    []storage.JobRow
	// walkID is the walk row of the request being listed, and share the
	// folder share it names (storage.WalkRow.Folder).
	walkID, share string
	// beneathUnsure is set for a resumed walk whose row names no share:
	// saved by a version before walks.folder (schema 18), whose listing
	// may have saved its rows without Beneath (see listedBefore).
	beneathUnsure bool
	// left are the files of folders found waiting in another Add call's
	// job and left to it, saved with rows (storage.LeftFile).
	left []storage.LeftFile
	// shares are the folders listed to the end, saved with rows: each is
	// a share of this Add call, the folder's latest, even when it found
	// no file to upload (storage.DB.InsertListing).
	shares    []storage.FolderKey
	lastFlush time.Time
	// due fires when what is listed is due to be saved (saveDue); dueSet
	// says it is set for the rows not saved since lastFlush.
	due     *time.Timer
	dueSet  bool
	flushAt int // rows that make a flush: firstFlushRows, doubling up to flushRows
	groups  int // flushes that wrote rows so far (Config.beforeListedRows)
	// listed are the walks of the requests listed completely (or found
	// no folder to list, cut) whose last rows are still in rows: their
	// walk rows go once rows are saved.
	listed []walkDrop
	// saveFailed is set when a flush could not save its rows: the call's
	// walk rows then stay, so the next New lists the requests again.
	saveFailed bool
	// uploaded are the earlier uploads of the request being listed (nil:
	// none, or Again).
	uploaded *storage.Uploaded
	// queued are the jobs already in the queue of the request being
	// listed, read when its listing starts; queuedForgotten is the
	// queue's forgotten count just before that read.
	queued          *storage.FileJobs
	queuedForgotten uint64
	// folders are the folders this Add call listed (requestKey of the
	// folder a request's path leads to): a folder named again through
	// another path (a symbolic link to it) is not listed again.
	folders map[Request]bool
	// pending are the files this Add call queued, each to its place, when
	// it has more than one request (nil otherwise): a request's jobs read
	// when its listing starts do not hold those the requests before it
	// queued after that, or have not saved yet. Each is the job queued.
	pending map[fileDest]queuedJob
	// alreadyQueued counts the files left out because they were already
	// waiting in the queue for the same place; firstAlready is the first.
	alreadyQueued int
	firstAlready  storage.JobRow
	// ownData is the queue's own data folder, and indexPages the folder
	// in it of the index pages the window makes to upload (nil when they
	// cannot be seen): see inOwnData.
	ownData, indexPages os.FileInfo
	// clearDir is the last folder inOwnData found outside both, with
	// every folder above it: the paths named in one folder (a shell's
	// *.jpg) share it, so each costs one stat rather than one per level.
	clearDir string
}

// statOrNil is what the system says of path, or nil when it cannot.
func statOrNil(path string) os.FileInfo {
	fi, err := os.Stat(path)
	if err != nil {
		return nil
	}
	return fi
}

// inOwnData reports whether p is the queue's own data folder or lies in
// it, however it is spelled (a symbolic link on its way included), and is
// not an index page (file: p is a file) the window made there to upload
// (storage.DB.IndexPagesDir). That folder holds the history, the queue and
// their locks: files that change while the app runs (an upload of them is
// a torn copy) and list every file ever uploaded, which a whole home
// folder dropped would publish. Its looks at p and the folders above it
// run off the calling goroutine (ListingLook, saving meanwhile what an
// upload's listing found: awaitLook): ok is false once ctx ended first,
// and the caller then stops listing.
func (w *walk) inOwnData(ctx context.Context, p string, file bool) (own, ok bool) {
	if w.ownData == nil {
		return false, true
	}
	ownData, indexPages, clearDir := w.ownData, w.indexPages, w.clearDir
	at, ok := awaitLook(ctx, w, offlocal.Start(listingLook(p, func() ownDataAt {
		return lookOwnData(p, file, ownData, indexPages, clearDir)
	}), nil))
	if ok {
		w.clearDir = at.clearDir
	}
	return at.own, ok
}

// ownDataAt is what lookOwnData found: whether the path is in the
// queue's own data folder, and the walk's clearDir after the look.
type ownDataAt struct {
	own      bool
	clearDir string
}

// lookOwnData is inOwnData's look at p and the folders above it, given
// the queue's data folder (ownData), its index pages' (indexPages) and
// the walk's clearDir: it changes nothing of the walk (it may be left
// behind), and gives clearDir as the walk keeps it next.
func lookOwnData(p string, file bool, ownData, indexPages os.FileInfo, clearDir string) ownDataAt {
	for q := p; ; {
		if q != p && q == clearDir {
			return ownDataAt{clearDir: clearDir}
		}
		if fi, err := os.Stat(q); err == nil {
			if file && q != p && indexPages != nil && os.SameFile(fi, indexPages) {
				return ownDataAt{clearDir: clearDir}
			}
			if os.SameFile(fi, ownData) {
				return ownDataAt{own: true, clearDir: clearDir}
			}
		}
		parent := filepath.Dir(q)
		if parent == q {
			return ownDataAt{clearDir: filepath.Dir(p)}
		}
		q = parent
	}
}

func (w *walk) base(r Request, p string) storage.JobRow {
	return storage.JobRow{
		ID:         newJobID(),
		BatchID:    w.batchID,
		Env:        w.q.env,
		Account:    w.q.account,
		LocalPath:  p,
		Name:       api.RemoteName(filepath.Base(p)),
		FolderPath: r.FolderPath,
		ParentID:   copyID(r.ParentID),
		Comment:    r.Comment,
		State:      storage.JobQueued,
	}
}

// expectedSHA256 is the request's expected checksum, normalized: only a
// valid one reaches a job (validateRequest).
func expectedSHA256(r Request) string {
	sum, _ := api.NormalizeSHA256(r.ExpectSHA256)
	return sum
}

// add appends a row, flushing when enough are pending. A resumed walk
// leaves out the files its batch has a job for already (listedBefore).
func (w *walk) add(row storage.JobRow, state storage.JobState, c cause) {
	if w.resumed && w.listedBefore(w.queued.Of(row.LocalPath), row) {
		return
	}
	w.addRow(row, state, c)
}

// addRow appends a row as it is, flushing when enough are pending.
func (w *walk) addRow(row storage.JobRow, state storage.JobState, c cause) {
	row.State = state
	c.set(&row)
	w.rows = append(w.rows, row)
	if state == storage.JobQueued && w.pending != nil {
		w.pending[destOf(row)] = queuedJob{id: row.ID, beneath: row.Beneath}
	}
	if len(w.rows) >= w.flushAt || time.Since(w.lastFlush) >= w.q.flushEvery {
		w.flushAt = min(2*w.flushAt, flushRows)
		w.flush()
	}
}

// queuedJob is a job this Add call queued: its id, and the folder whose
// listing found its file ("" for a file named on its own).
type queuedJob struct{ id, beneath string }

// fileDest is one file going to one place: what is queued only once.
type fileDest struct {
	path, folderPath, parentID, expectSHA256 string
}

// destOf is the file and place of row.
func destOf(row storage.JobRow) fileDest {
	d := fileDest{path: row.LocalPath, folderPath: row.FolderPath, expectSHA256: row.ExpectSHA256}
	if row.ParentID != nil {
		d.parentID = strconv.FormatInt(*row.ParentID, 10)
	}
	return d
}

// destOfFileJob is the file and place of fj, a job of path.
func destOfFileJob(path string, fj storage.FileJob) fileDest {
	return destOf(storage.JobRow{LocalPath: path, FolderPath: fj.FolderPath, ParentID: fj.ParentID, ExpectSHA256: fj.ExpectSHA256})
}

// loadQueued reads the jobs of the file or folder at p, the request about
// to be listed, in one index range scan (storage.DB.JobsIn): what is in
// the queue already. A lookup that fails finds none, so the files are
// listed: twice is better than not at all.
func (w *walk) loadQueued(p string) {
	w.q.mu.Lock()
	w.queuedForgotten = w.q.forgotten
	w.q.mu.Unlock()
	w.queued, _ = w.q.db.JobsIn(w.q.env, w.q.account, p)
}

// listedBefore reports whether row's batch has a job for the same file
// and place already, in any state, cleared or not, found by the same
// listing (Beneath, or none when the walk was saved by a version that
// may not have recorded it: beneathUnsure): a resumed walk's listing
// reached it before the crash. One found by another path of the call
// (upload --parent-id N d d/sub: d's listing met the files of d/sub; or
// d/x.jpg named on its own before d) is not this listing's: it meets the
// file as a listing not cut short does (queueFile leaves it to that job,
// or lists it itself when that job does not wait).
func (w *walk) listedBefore(jobs []storage.FileJob, row storage.JobRow) bool {
	want := destOf(row)
	for _, fj := range jobs {
		sameListing := fj.Beneath == row.Beneath || (fj.Beneath == "" && w.beneathUnsure)
		if fj.BatchID == w.batchID && sameListing && destOfFileJob(row.LocalPath, fj) == want {
			return true
		}
	}
	return false
}

// jobStates tells what the queue holds for one file and place: a job still
// to be uploaded (queued, uploading or waiting for sign-in), or one done;
// leftTo is the id of such a waiting job of another Add call; sameCall
// that of a job of this call that another of its paths listed, waiting,
// failed or canceled (jobStates.note).
type jobStates struct {
	waiting, done    bool
	leftTo, sameCall string
}

// statesOf reads the states of the listed jobs among jobs that send row's
// file to row's place: the state the queue holds in memory when it holds
// the job (its row is written behind), else its row's.
func (w *walk) statesOf(jobs []storage.FileJob, row storage.JobRow) jobStates {
	var st jobStates
	want := destOf(row)
	w.q.mu.Lock()
	defer w.q.mu.Unlock()
	for _, fj := range jobs {
		if fj.Cleared || destOfFileJob(row.LocalPath, fj) != want {
			continue
		}
		if state, ok := w.stateOfLocked(fj); ok {
			st.note(fj.ID, state, fj.BatchID != w.batchID, fj.BatchID == w.batchID && fj.Beneath != row.Beneath)
		}
	}
	return st
}

// stateOfLocked is fj's latest state, and false when it is no longer in
// the queue (removed). Called with q.mu held.
func (w *walk) stateOfLocked(fj storage.FileJob) (storage.JobState, bool) {
	q := w.q
	if j := q.active[fj.ID]; j != nil {
		return j.row.State, !j.removed
	}
	if waiting(fj.State) && q.forgotten != w.queuedForgotten {
		// The job may have changed (canceled, say) and left memory
		// after its row was read: its row now holds its latest state.
		r, err := q.db.Job(fj.ID)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && r.Cleared) {
			return "", false
		}
		if err == nil {
			return r.State, true
		}
	}
	return fj.State, true
}

// note adds job id, in state, to st: otherCall when it is of another Add
// call, otherPath when it is of this one and another of its paths listed
// it. Such a job not uploaded (waiting, failed or canceled) is the one
// the file is left to: one file is one job of a call, whichever of its
// paths met it first.
func (st *jobStates) note(id string, state storage.JobState, otherCall, otherPath bool) {
	switch {
	case waiting(state):
		st.waiting = true
		if otherCall && st.leftTo == "" {
			st.leftTo = id
		}
	case state == storage.JobDone:
		st.done = true
	}
	notSent := waiting(state) || state == storage.JobFailed || state == storage.JobCanceled
	if otherPath && notSent && st.sameCall == "" {
		st.sameCall = id
	}
}

// waiting reports whether a job in state s is still to be uploaded.
func waiting(s storage.JobState) bool {
	return s == storage.JobQueued || s == storage.JobUploading || s == storage.JobWaitingSignIn
}

// noteAlreadyQueued counts a file left out as already queued.
func (w *walk) noteAlreadyQueued(row storage.JobRow) {
	if w.alreadyQueued == 0 {
		w.firstAlready = row
	}
	w.alreadyQueued++
}

// request checks one request and lists it: a file becomes one job, a folder
// one job per entry. It returns why no folder was listed at the request's
// path (storage.DB.CutWalks records it on the folder share the request
// was saved with, when it was saved as a folder's: the folder is gone, or
// is a file now), or NotCut. A folder its path leads to now that is not
// the one it was saved with becomes its share first (ownShare).
func (w *walk) request(r Request) storage.ListingCut {
	w.queued = nil
	if r.Path == "" {
		w.add(w.base(r, ""), storage.JobFailed, causeNoPath)
		return storage.NotCut
	}
	// Off the walker's goroutine, which Close waits for (on Windows the
	// spelling looks at each folder of the path): given up once the
	// listing ends, as its looks are, and saving meanwhile the rows of
	// the requests before (awaitLook), with its own hook (PathLook), not
	// Listing's.
	p, ok := awaitLook(w.ctx, w, offlocal.Start(func() string { return RequestPath(r.Path) }, nil))
	if !ok {
		return storage.NotCut // the listing ends (Close, Cancel all): they say why
	}
	w.loadQueued(p)
	row := w.base(r, p)
	if c := validateRequest(r); c.code != "" {
		w.add(row, storage.JobFailed, c)
		return storage.NotCut // saved with no share (ShareFolder)
	}
	w.uploaded = nil
	if !r.Again {
		// One index range scan for the file or the whole folder. A lookup
		// that fails uploads the files: twice is better than not at all.
		w.uploaded, _ = w.q.db.UploadedIn(w.q.env, w.q.account, p, w.q.otherNames...)
	}
	now, ok := walkLook(w, p, func() folderNow {
		return lookFolder(p, func(p string, _ os.FileInfo) string { return listedRoot(p) })
	})
	if !ok {
		return storage.NotCut // the listing ends (Close, Cancel all): they say why
	}
	fi, err := now.fi, now.err
	if err == nil && fi.IsDir() && r.ExpectSHA256 == "" {
		w.ownShare(now.more)
	}
	own, ok := w.inOwnData(w.ctx, p, err == nil && !fi.IsDir())
	if !ok {
		return storage.NotCut // the listing ends (Close, Cancel all): they say why
	}
	if own {
		w.add(row, storage.JobSkipped, causeOwnData)
		return storage.CutOwnData
	}
	if err == nil && fi.IsDir() {
		if r.ExpectSHA256 != "" {
			w.add(row, storage.JobFailed, causeChecksumFolder)
			return storage.NotCut // saved with no share (ShareFolder)
		}
		return w.folder(r, p, now.more)
	}
	return w.noFolder(r, row, fi, err)
}

// folderNow is what a look at a path found as its listing begins
// (lookFolder): what stat said of it, and, for a folder, what more the
// listing needs to know of it (the folder a request's path leads to:
// listedRoot; a folder's ID: FolderIDAt).
type folderNow struct {
	fi   os.FileInfo
	err  error
	more string
}

// lookFolder is the look at the path p as its listing begins: stat, and
// more for a folder.
func lookFolder(p string, more func(p string, fi os.FileInfo) string) folderNow {
	fi, err := os.Stat(p)
	now := folderNow{fi: fi, err: err}
	if err == nil && fi.IsDir() {
		now.more = more(p, fi)
	}
	return now
}

// noFolder lists the request r, whose path stat answered with fi and err
// (no folder there), as the file of row: queued when it is one, else
// failed or skipped saying why; and returns why no folder was listed.
func (w *walk) noFolder(r Request, row storage.JobRow, fi os.FileInfo, err error) storage.ListingCut {
	row.ExpectSHA256 = expectedSHA256(r)
	// A file with an expected checksum is always read and checked, never
	// taken as already uploaded.
	if !w.file(row, fi, r.Again || row.ExpectSHA256 != "") {
		return storage.NotCut // the listing ends (Close, Cancel all): they say why
	}
	return noFolderAt(err)
}

// ownShare makes folder, the folder the request's path leads to now, the
// share its walk row names, when it was saved with another (a symbolic
// link on its path pointed elsewhere since): storage.DB.MoveWalk records
// that the share it was saved with was not listed, and a cut of this
// listing (Cancel all, or its path no folder to list) lands on the share
// it fills. A database that refuses it leaves the walk as it was; Close
// reports the error.
func (w *walk) ownShare(folder string) {
	if folder == w.share {
		return
	}
	if err := w.q.db.MoveWalk(w.walkID, folder); err != nil {
		w.q.noteDBErr(fmt.Errorf("record that %s was listed for the folder added: %w", folder, err))
		return
	}
	w.share = folder
}

// linksSettled waits, a moment at most (api.LinksSettleIn), until every
// symbolic link on path counts as made before an add stamped now, or
// until the walk stops. Its look at the links runs off the walker's
// goroutine (ListingLook); it reports false once the walk stopped first.
func (w *walk) linksSettled(path string) bool {
	d, ok := walkLook(w, path, func() time.Duration { return api.LinksSettleIn(path) })
	if !ok {
		return false
	}
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-w.ctx.Done():
		return false
	}
}

// noFolderAt is why a path that stat answered with err (nil: it is there,
// not a folder) is no folder to list.
func noFolderAt(err error) storage.ListingCut {
	switch {
	case err == nil:
		return storage.CutNotAFolder
	case api.Gone(err):
		return storage.CutFolderGone
	}
	return storage.CutUnreadable
}

// file checks the file of row (fi: what stat said of it, nil when it
// failed) and queues it (again: even when the history has it), or lists it
// failed, or skipped when it is not a regular file (a pipe, socket or
// device: nothing to retry). Its looks at the disk run off the walker's
// goroutine (ListingLook): it reports false, the file neither listed nor
// recorded, once the walk stopped first (Close: its walk row stays, and
// the next queue lists it; Cancel all takes it).
func (w *walk) file(row storage.JobRow, fi os.FileInfo, again bool) bool {
	if row.CreatedAt.IsZero() {
		// Taken before the file is read: a link made after it, by its
		// turn, is not one the person's path went through; and once the
		// links on the path are old enough to count as made before it.
		if !w.linksSettled(row.LocalPath) {
			return false
		}
		row.CreatedAt = time.Now().UTC()
	}
	p := row.LocalPath
	looked, ok := walkLook(w, p, func() validatedFile {
		var v validatedFile
		if v.id, v.err = api.ValidateFile(p); v.err != nil {
			v.through, v.isThrough = causeThroughFile(p, v.err) // it looks for the file on the way
		}
		return v
	})
	if !ok {
		return false
	}
	id, err := looked.id, looked.err
	if err != nil {
		// A name Windows keeps for a device (NUL.txt) stats as that
		// device; its sentence, which says to rename it, is the one
		// that helps.
		var ve *api.ValidationError
		reserved := errors.As(err, &ve) && ve.Problem == api.ProblemReservedName
		if fi != nil && !fi.Mode().IsRegular() && !reserved {
			c := causeNotRegular(fi.Mode().Type())
			c.text = api.Human(err)
			w.add(row, storage.JobSkipped, c)
			return true
		}
		if api.Gone(err) {
			w.add(row, storage.JobFailed, causeFileGone(err)) // as when gone by its upload's turn
			return true
		}
		if looked.isThrough {
			w.add(row, storage.JobFailed, looked.through) // never seen: not "put it back"
			return true
		}
		w.add(row, storage.JobFailed, causeOfFailed(err))
		return true
	}
	// Pinned to this file: a symbolic link to another one put in its
	// place before its turn is refused (api.ErrNotListedFile).
	row.Size, row.FileID = id.Size, id.ID
	w.queueFile(row, again, id)
	return true
}

// validatedFile is what api.ValidateFile said of a file, and, when its
// path goes through a file, what causeThroughFile makes of that, handed
// across ListingLook (walk.file).
type validatedFile struct {
	id        api.FileIdentity
	err       error
	through   cause
	isThrough bool
}

// queueFile adds the job of a regular file: queued, or already uploaded
// when the history has a verified upload of this version of the file to
// the same place (unless again). A file already waiting in the queue for
// the same place, from this Add call or any other (an interrupted run's
// included), is not queued again but counted, to be told (AlreadyQueued):
// the request's jobs were read in one index range scan (loadQueued), so
// listing stays O(log n) per file however many files are queued.
func (w *walk) queueFile(row storage.JobRow, again bool, id api.FileIdentity) {
	jobs := w.queued.Of(row.LocalPath)
	if w.resumed && w.listedBefore(jobs, row) {
		return
	}
	st := w.statesOf(jobs, row)
	if queued, ok := w.pending[destOf(row)]; st.waiting || ok || st.sameCall != "" {
		w.noteAlreadyQueued(row)
		w.leaveTo(row, st, queued)
		return
	}
	if !again {
		q := storage.UploadedQuery{
			Env: row.Env, Account: row.Account, LocalPath: row.LocalPath,
			FolderPath: row.FolderPath, ParentID: row.ParentID,
			File: fileVersion(id),
		}
		e, found := w.uploaded.Find(q)
		if !found && st.done {
			// Uploaded by the queue since the history was read for this
			// request: read this one file's entries again.
			fresh, _ := w.q.db.UploadedIn(w.q.env, w.q.account, row.LocalPath, w.q.otherNames...)
			e, found = fresh.Find(q)
		}
		if found {
			row.Hash, row.Verified = e.Hash, true
			row.Found = e.ID
			w.addRow(row, storage.JobAlready, causeAlready(e.FinishedAt))
			return
		}
	}
	w.addRow(row, storage.JobQueued, none)
}

// leaveTo puts the file of row, a folder's file found waiting in the
// queue for the same place (st; queued: a job this call queued for it,
// if any), in this Add call's share of the folder all the same, with
// that job's upload once it is recorded: a job of another Add call, or
// one of this call that another of its paths listed (upload --parent-id
// N d d/sub), whose state the share then counts as its own file's.
func (w *walk) leaveTo(row storage.JobRow, st jobStates, queued queuedJob) {
	left := storage.LeftFile{Folder: row.Beneath, BatchID: w.batchID}
	switch {
	case row.Beneath == "":
		return
	case st.leftTo != "":
		left.JobID = st.leftTo
	case st.sameCall != "":
		left.JobID = st.sameCall
	case queued.id != "" && queued.beneath != row.Beneath:
		left.JobID = queued.id
	default:
		return
	}
	w.left = append(w.left, left)
}

// How alreadyText words an already uploaded job's sentence.
const (
	alreadyPrefix = "already uploaded on "
	alreadyLayout = "2 Jan 2006 at 15:04"
)

// alreadyText is an already uploaded job's sentence.
func alreadyText(at time.Time) string {
	return alreadyPrefix + at.Local().Format(alreadyLayout)
}

// AlreadyUploadedAt reads when the file of an already uploaded job was
// uploaded back from its sentence (Job.Err), so the window can say it in
// its own language; ok is false for any other sentence.
func AlreadyUploadedAt(msg string) (at time.Time, ok bool) {
	rest, found := strings.CutPrefix(msg, alreadyPrefix)
	if !found {
		return time.Time{}, false
	}
	at, err := time.ParseInLocation(alreadyLayout, rest, time.Local)
	return at, err == nil
}

// fileVersion is id as the history stores it.
func fileVersion(id api.FileIdentity) storage.FileVersion {
	return storage.FileVersion{Size: id.Size, ModTime: id.ModTime, ChangeTime: id.ChangeTime, ID: id.ID}
}

// validateRequest checks what the person chose as destination and comment,
// returning why it cannot be uploaded, or none when it is fine.
func validateRequest(r Request) cause {
	if r.FolderPath != "" && r.ParentID != nil {
		return causeBothTarget
	}
	if err := api.ValidateFolderPath(r.FolderPath); err != nil {
		return causeOf(err)
	}
	if err := api.ValidateComment(r.Comment); err != nil {
		return causeOf(err)
	}
	if r.ExpectSHA256 != "" {
		if _, err := api.NormalizeSHA256(r.ExpectSHA256); err != nil {
			return causeOf(err)
		}
	}
	if r.ParentID != nil {
		if err := api.ValidateParentID(*r.ParentID); err != nil {
			return causeOf(err)
		}
	}
	return none
}

// folder lists a dropped folder: one job per regular file, a skipped entry
// for everything else (see the package documentation for the policy). It
// returns why the listing did not list the whole folder when the folder
// left its path while it was listed (folderWalk.checkRoot), else NotCut.
func (w *walk) folder(r Request, root, walkRoot string) storage.ListingCut {
	f := newFolderWalk(w, r, root, walkRoot)
	if w.namedAgain(r, f.walkRoot) {
		return storage.NotCut
	}
	if f.walkRoot != root { // its files' paths are the target's
		if w.uploaded != nil {
			w.uploaded, _ = w.q.db.UploadedIn(w.q.env, w.q.account, f.walkRoot, w.q.otherNames...)
		}
		w.loadQueued(f.walkRoot)
	}
	if f.listedUnderAnotherName() {
		return storage.NotCut
	}
	if w.q.beforeListingFolder != nil {
		w.q.beforeListingFolder(f.walkRoot)
	}
	now, ok := walkLook(w, walkRoot, func() folderNow { return lookFolder(walkRoot, FolderIDAt) })
	if !ok {
		return storage.NotCut // the listing ends (Close, Cancel all): they say why
	}
	fi, err := now.fi, now.err
	if err != nil || !fi.IsDir() {
		// It left its path since the request looked (moved, removed, a
		// file put there): as if the request had found it so.
		return w.noFolder(r, w.base(r, root), fi, err)
	}
	f.rootInfo = fi
	f.rootID = now.more
	_ = walkDir(w.ctx, w, f.walkRoot, f.visit)
	f.listAgain()
	if w.ctx.Err() != nil {
		return storage.NotCut
	}
	if f.checkRoot(); f.cut != storage.NotCut {
		return f.cut // not a share listed to its end: its walk records why
	}
	f.addEmptyDirs()
	w.shares = append(w.shares, storage.FolderKey{Folder: f.walkRoot, BatchID: w.batchID})
	return storage.NotCut
}

// checkRoot records in f.cut, once, why the listing cannot list the whole
// folder when its folder is no longer the one the listing began in: moved
// or removed (CutFolderGone, also when it is back by the end, or when the
// folder now at its path was given the removed one's inode number: its
// FolderIDAt, birth time included, tells them apart), a file in
// its place (CutNotAFolder), a path the system refuses now
// (CutUnreadable). The entries met after that are gone, which alone is a
// skip by design (an entry removed from the folder), so without it a
// share lacking every file not listed yet was called whole. It is called
// when an entry could not be read, and once the listing ends.
func (f *folderWalk) checkRoot() {
	if f.cut != storage.NotCut || f.rootInfo == nil {
		return
	}
	root, listed, id := f.walkRoot, f.rootInfo, f.rootID
	if cut, ok := walkLook(f.w, root, func() storage.ListingCut { return rootCut(root, listed, id) }); ok {
		f.cut = cut
	}
}

// rootCut is why the folder root is no longer the one whose listing
// began with listed (os.Stat) and id (FolderIDAt), or NotCut when it is
// (checkRoot).
func rootCut(root string, listed os.FileInfo, id string) storage.ListingCut {
	fi, err := os.Stat(root)
	switch {
	case err != nil || !fi.IsDir():
		return noFolderAt(err)
	case !os.SameFile(fi, listed) || id != "" && FolderIDAt(root, fi) != id:
		return storage.CutFolderGone
	}
	return storage.NotCut
}

// FolderIDAt is the ID of the folder at root (api.FolderID), listed
// being what stat said of it as its listing began: "" (look at the path
// per file, OpenedThroughAnother) when it has none or stat and it
// disagree, the folder having moved between the two looks. A walk and
// `verify DIR` take it once, as they begin.
func FolderIDAt(root string, listed os.FileInfo) string {
	if listed == nil {
		return ""
	}
	id, err := api.FolderID(root)
	if err != nil || id == "" {
		return ""
	}
	if now, err := os.Stat(root); err != nil || !os.SameFile(now, listed) {
		return ""
	}
	return id
}

// OpenedThroughAnother reports whether a file opened through the folder
// root was opened through another folder than the one whose listing began
// with listed (os.Stat; nil: unknown, false) and id (FolderIDAt): opened
// is the ID of the folder it went through (api.ListedFile,
// api.FileDigests.Folder). A folder moved away and another, or a symbolic
// link to one, put at its path (also one put back since) has that other
// folder's files opened through it, which must not be taken for the
// listed folder's. One string comparison where both IDs are known;
// otherwise a look at root now (one stat per file).
func OpenedThroughAnother(root string, listed os.FileInfo, id, opened string) bool {
	switch {
	case listed == nil:
		return false
	case id != "" && opened != "":
		return opened != id
	}
	fi, err := os.Stat(root)
	return err != nil || !fi.IsDir() || !os.SameFile(fi, listed)
}

// rootLeft reports whether the file ListedFile opened was opened through
// another folder than the one listed (rootID: the ID of the folder it
// went through; OpenedThroughAnother), noting the cut.
func (f *folderWalk) rootLeft(rootID string) bool {
	root, listed, id := f.walkRoot, f.rootInfo, f.rootID
	other, ok := walkLook(f.w, root, func() bool { return OpenedThroughAnother(root, listed, id, rootID) })
	if !ok {
		return true // the listing ends: the file is not queued
	}
	if !other {
		return false
	}
	if f.checkRoot(); f.cut == storage.NotCut {
		f.cut = storage.CutFolderGone // back at its path now, but a file was left out
	}
	return true
}

// namedAgain reports whether this Add call listed the folder at walkRoot
// for r's place already, named by another path (one is a symbolic link
// to the other), and notes it listed otherwise: one folder named twice is
// one folder, each file uploaded once, under the name first given, as
// the same path named twice is (newAddCall).
func (w *walk) namedAgain(r Request, walkRoot string) bool {
	if w.folders == nil {
		return false
	}
	key := requestKey(r, walkRoot)
	if w.folders[key] {
		return true
	}
	w.folders[key] = true
	return false
}

// listedUnderAnotherName reports whether a resumed Add call listed this
// folder before it was cut short (a kill, a crash), named by another of
// its paths (one a symbolic link to the other): that request's walk row
// went once it was listed to the end, so namedAgain cannot know it, but
// the call's jobs of the folder's files (Beneath it) are under the same
// destination with another name than this one gives them. With a parent
// folder id every name sends a file to the same place, and listedBefore
// leaves out each file listed already.
func (f *folderWalk) listedUnderAnotherName() bool {
	w := f.w
	if !w.resumed || f.r.ParentID != nil {
		return false
	}
	under := folderPathFor(f.r.FolderPath, "", ".")
	for p, j := range w.queued.All() {
		if j.BatchID != w.batchID || j.Beneath != f.walkRoot || !strings.HasPrefix(j.FolderPath, under) {
			continue
		}
		// A file goes to its folder's place; a folder's own row (empty,
		// unreadable) to its own.
		if j.FolderPath != f.dest(filepath.Dir(p)).folderPath && j.FolderPath != f.dest(p).folderPath {
			return true
		}
	}
	return false
}

// folderWalk is the listing of one dropped folder.
type folderWalk struct {
	w        *walk
	r        Request
	root     string // the path the person chose
	walkRoot string // root, or its target when root is a symbolic link
	rootName string // root's name, "" for a whole drive

	dests      map[string]folderDest // by local directory
	dirs       []string              // every directory met, in walk order
	hasEntries map[string]bool       // directories with at least one entry
	unreadable map[string]bool       // directories that could not be listed
	// listedDirs is each directory listed into as it was looked at
	// just before it was read, and when (noteListed): what
	// changedSinceListed compares as the listing ends.
	listedDirs map[string]listedDir

	rootInfo os.FileInfo        // walkRoot as the listing began (nil: unknown)
	rootID   string             // walkRoot's folder's api.FolderID as the listing began ("": none)
	cut      storage.ListingCut // why the folder left its path while it was listed (checkRoot)
}

// folderDest is where the files directly in one local directory go.
type folderDest struct {
	folderPath string // destination of the files directly in it
	bad        cause  // why it cannot be a destination, if so
}

// newFolderWalk is the listing of the folder root, the path the person
// chose, as the folder walkRoot it leads to (listedRoot): its files go
// under the link's name.
func newFolderWalk(w *walk, r Request, root, walkRoot string) *folderWalk {
	rootName := filepath.Base(root)
	if rootName == string(filepath.Separator) || rootName == "." || filepath.VolumeName(root)+string(filepath.Separator) == root {
		rootName = "" // a whole drive: its contents go straight under the destination
	}
	return &folderWalk{w: w, r: r, root: root, walkRoot: walkRoot, rootName: rootName,
		dests: make(map[string]folderDest), hasEntries: make(map[string]bool), unreadable: make(map[string]bool),
		listedDirs: make(map[string]listedDir)}
}

// dest is where the files directly in dir go, worked out once per dir.
func (f *folderWalk) dest(dir string) folderDest {
	if d, ok := f.dests[dir]; ok {
		return d
	}
	var d folderDest
	if f.r.ParentID == nil {
		rel, err := filepath.Rel(f.walkRoot, dir)
		if err != nil {
			rel = "."
		}
		d.folderPath = folderPathFor(f.r.FolderPath, f.rootName, filepath.ToSlash(rel))
		d.bad = f.badDest(dir, d.folderPath)
	}
	f.dests[dir] = d
	return d
}

// badDest is why folderPath, the folder path made for the directory dir,
// cannot be a destination, or none: too long, it names dir and says what
// to do, as nobody typed it; the destination typed was checked before.
func (f *folderWalk) badDest(dir, folderPath string) cause {
	err := api.ValidateFolderPath(folderPath)
	var ve *api.ValidationError
	if errors.As(err, &ve) && ve.Problem == api.ProblemTooLong {
		return causeTooDeep(dir == f.walkRoot, ve.Length)
	}
	if err != nil {
		return causeOf(err)
	}
	return none
}

// entry is the job row of p, found in dir: a file of the folder's share
// (Beneath), skipped or failed ones too, so the share knows which of its
// files it did not upload (storage.FolderLeft.Dropped).
func (f *folderWalk) entry(p string, dir string) storage.JobRow {
	row := f.w.base(f.r, p)
	row.FolderPath, row.Beneath = f.dest(dir).folderPath, f.walkRoot
	return row
}

// visit is the walk's function (walkDir): one entry of the folder. Its
// look at the disk (lookEntry, after the tests' hook beforeListingEntry)
// runs off the walker's goroutine: when the listing ends first (Close,
// Cancel all), or ended meanwhile, the walk stops (fs.SkipAll).
func (f *folderWalk) visit(p string, d fs.DirEntry, err error) error {
	w := f.w
	if w.ctx.Err() != nil {
		return fs.SkipAll
	}
	if p != f.walkRoot {
		f.hasEntries[filepath.Dir(p)] = true
	}
	before := w.q.beforeListingEntry
	at, ok := walkLook(w, p, func() listedEntryAt {
		if before != nil {
			before(p)
		}
		return f.lookEntry(p, d, err)
	})
	if !ok || w.ctx.Err() != nil {
		return fs.SkipAll
	}
	e := at.e
	switch {
	case err != nil:
		// A folder that could not be listed, or an entry that
		// vanished: say so and go on with the rest.
		parent := filepath.Dir(p)
		if p == f.walkRoot || d != nil && d.IsDir() {
			f.unreadable[p] = true
			parent = p
		}
		w.add(f.entry(p, parent), storage.JobSkipped, e.c)
		f.checkRoot()
		return nil
	case e.dir:
		if bad := f.dest(p).bad; bad.code != "" {
			// Said once, for the folder: everything in it would go
			// to a path as long or longer.
			w.add(f.entry(p, p), storage.JobSkipped, bad)
			return fs.SkipDir
		}
		f.dirs = append(f.dirs, p)
		f.noteListed(p, at.dir)
		return nil
	case e.c.code != "":
		w.add(f.entry(p, filepath.Dir(p)), storage.JobSkipped, e.c)
		return e.next
	}
	f.file(p, at)
	return e.next // a folder that is a file now: not listed into (sortListed)
}

// listedEntry is what a folder's listing makes of one entry (sortEntry):
// a folder to list into, an entry skipped saying why (and, for a folder,
// not listed into: next is fs.SkipDir), or a regular file to upload.
type listedEntry struct {
	c    cause // why it is skipped; none for a folder or a regular file
	dir  bool  // a folder, listed into
	next error // what filepath.WalkDir is told after a skipped entry, or a folder that is a file now
}

// sortEntry is the one rule of what a listing of the folder walkRoot
// makes of its entry p (d and err as filepath.WalkDir gives them; isOwn
// says whether a folder is the app's own data folder): regular files
// only; symbolic links and junctions not followed; pipes, sockets and
// devices skipped; the app's data folder skipped whole; an entry that
// cannot be read skipped saying why. Uploads (folderWalk.visit) and
// ListFolder (verify) both list by it.
func sortEntry(p string, d fs.DirEntry, err error, walkRoot string, isOwn func(string) bool) listedEntry {
	if err != nil {
		return listedEntry{c: causeUnreadable(d == nil || d.IsDir(), err)}
	}
	// Windows' own links (junctions) are neither folders nor symbolic
	// links to Go; Wine's (Unix links to folders) are folders too.
	t := d.Type()
	junction := p != walkRoot && t&fs.ModeIrregular != 0 && api.IsLinkEntry(p)
	switch {
	case d.IsDir() && !junction && p != walkRoot && isOwn(p):
		return listedEntry{c: causeOwnData, next: fs.SkipDir}
	case d.IsDir() && !junction:
		return listedEntry{dir: true}
	case t&fs.ModeSymlink != 0:
		return listedEntry{c: causeSymlink}
	case junction && d.IsDir():
		return listedEntry{c: causeJunction, next: fs.SkipDir}
	case junction:
		return listedEntry{c: causeJunction}
	case !api.IsRegularFile(p, t):
		return listedEntry{c: causeNotRegular(t)}
	}
	return listedEntry{}
}

// sortListed is sortEntry as a walk's callback (the upload's visit,
// ListFolder) needs it: a folder is looked at again just before the walk
// lists it (sortEntryNow), and one that is no longer a folder is said as
// it is now and not listed into (fs.SkipDir: filepath.WalkDir would list
// into it by the entry it read with its folder's).
func sortListed(p string, d fs.DirEntry, err error, walkRoot string, isOwn func(string) bool) listedEntry {
	e := sortEntry(p, d, err, walkRoot, isOwn)
	if e.dir && p != walkRoot {
		if e = sortEntryNow(p, walkRoot, isOwn); !e.dir {
			e.next = fs.SkipDir
		}
	}
	return e
}

// sortEntryNow is sortEntry of the folder p as it is now. Its entry was
// read with its folder's, before the entries ahead of it were queued (or,
// for verify, their files read: as long as reading them takes), and a
// folder swapped for a symbolic link meanwhile would be listed through
// the link: every file of its target named, a link to / the whole disk.
// One that cannot be looked at (gone meanwhile) is still listed into, so
// the walk's read of it fails and says so as before. A folder that its
// folder lists as a link (api.IsLinkEntry) is a junction: under Wine,
// os.Lstat shows a Unix link to a folder as the folder it leads to, and
// only the listing, which the walk's entry came from, says it is a link
// (on Windows, os.Lstat of a junction is no folder: sortEntry says it).
func sortEntryNow(p, walkRoot string, isOwn func(string) bool) listedEntry {
	fi, err := os.Lstat(p)
	if err != nil {
		return listedEntry{dir: true}
	}
	if fi.IsDir() && api.IsLinkEntry(p) {
		return listedEntry{c: causeJunction, next: fs.SkipDir}
	}
	return sortEntry(p, fs.FileInfoToDirEntry(fi), nil, walkRoot, isOwn)
}

// isOwnData reports whether the folder at p is the queue's own data
// folder (see walk.inOwnData): one lstat per folder met. (Not the
// DirEntry's Info: on Windows that names no file os.SameFile can open.)
func (f *folderWalk) isOwnData(p string) bool {
	return isFolder(p, f.w.ownData)
}

// isFolder reports whether p is the folder of fi (nil: none): one lstat.
func isFolder(p string, fi os.FileInfo) bool {
	if fi == nil {
		return false
	}
	got, err := os.Lstat(p)
	return err == nil && os.SameFile(got, fi)
}

// file queues the regular file p (sortEntry), or says why it is not
// uploaded, as the look at it found it (at: lookEntry).
func (f *folderWalk) file(p string, at listedEntryAt) {
	w := f.w
	dir := filepath.Dir(p)
	row := f.entry(p, dir)
	// Opened as the upload will open it: no link followed below the
	// chosen folder; the job is pinned to this very file.
	id, rootID, err := at.file, at.rootID, at.fileErr
	if err != nil {
		w.add(row, storage.JobSkipped, causeOf(err))
		f.checkRoot()
		return
	}
	if f.rootLeft(rootID) {
		return // id is of a file of whatever folder is at walkRoot now
	}
	row.Size, row.Beneath, row.FileID = id.Size, f.walkRoot, id.ID
	w.queueFile(row, f.r.Again, id)
}

// listAgain lists again, once, each folder of the listing that changed
// since it was listed, as the listing ends: a big folder takes minutes to
// list, and what was put into a folder once it was listed was never sent,
// nor said. A folder found empty that holds an entry now (EmptyNow) is
// listed again whole (relist): an empty folder is said only now
// (addEmptyDirs), and was said empty with a file in it. One that held
// entries and whose entries changed (changedSinceListed) has its new
// entries listed (relistChanged). Only the folders of the first listing
// are looked at, each once, so the listing ends however the disk changes;
// what changes after that look is not listed (the folder's upload is the
// folder as it was then).
func (f *folderWalk) listAgain() {
	for _, dir := range f.dirs { // as listed: not the folders listed again append
		if f.w.ctx.Err() != nil || f.cut != storage.NotCut {
			return
		}
		switch {
		case f.unreadable[dir]:
		case !f.hasEntries[dir]:
			if empty, ok := walkLook(f.w, dir, func() bool { return EmptyNow(dir) }); ok && !empty {
				f.relist(dir)
			}
		case f.changedSinceListed(dir):
			f.relistChanged(dir)
		}
	}
}

// listedDir is a directory as a listing looked at it (os.Lstat) just
// before reading it, and when it did.
type listedDir struct {
	fi os.FileInfo
	at time.Time
}

// noteListed keeps the directory p as the look at it found it just
// before the walk reads it (listedDirNow): one lstat per directory, and
// its result kept, no more.
func (f *folderWalk) noteListed(p string, now listedDir) {
	if now.fi != nil {
		f.listedDirs[p] = now
	}
}

// changedSinceListed reports whether the entries of the directory dir may
// have changed since the listing read them: another directory at its
// path, a modification time other than the one it had before it was read
// (an entry made, removed or renamed in it moves it), or one too close to
// when it was read to tell (modTimeTooClose), or another change time
// (api.ChangedAt: a modification time put back after an entry was made,
// as touch -d, tar or rsync -t do, moves it; where stat gives none, it is
// the modification time). One that is gone, or no directory now, is not
// listed again: its files, at their turn, say so.
func (f *folderWalk) changedSinceListed(dir string) bool {
	was, ok := f.listedDirs[dir]
	if !ok {
		return false
	}
	looked, ok := walkLook(f.w, dir, func() listedDir { return listedDirNow(dir) })
	now := looked.fi
	if !ok || now == nil || !now.IsDir() {
		return false // the listing ends, or no folder there now
	}
	return !os.SameFile(now, was.fi) || !now.ModTime().Equal(was.fi.ModTime()) ||
		!api.ChangedAt(now).Equal(api.ChangedAt(was.fi)) || modTimeTooClose(was.fi.ModTime(), was.at)
}

// modTimeTooClose reports whether a directory whose modification time
// was mod when it was looked at, at, may have had an entry made just
// after without its modification time moving: a file system's clock
// ticks (Linux's every few milliseconds: a change within the tick of the
// one before keeps its time), and one that keeps whole seconds (FAT two)
// ticks slower still. Such a directory is listed again.
func modTimeTooClose(mod, at time.Time) bool {
	tick := modTimeTick
	if mod.Nanosecond() == 0 {
		tick = modTimeTickCoarse
	}
	return !mod.Before(at.Add(-tick))
}

// How far apart two changes of a directory can be and still show the
// same modification time (modTimeTooClose): a kernel's clock tick, with
// room, and two seconds for a file system that keeps whole seconds.
const (
	modTimeTick       = 50 * time.Millisecond
	modTimeTickCoarse = 2 * time.Second
)

// relistChanged lists the entries of dir, listed before, that the
// listing did not meet (listedHere): a file put in since, and a folder
// made in it since, listed whole. The folders in it that were listed are
// not listed into (changedSinceListed looks at each), and one found empty
// that is a link or a file now is not met either: listAgain and
// addEmptyDirs say it, once. A directory that
// cannot be read now, or is a link or a file, is left as it was listed,
// and so is every one once a save failed (its rows, not saved, cannot be
// looked up).
func (f *folderWalk) relistChanged(dir string) {
	if f.w.saveFailed {
		return
	}
	_ = walkDir(f.w.ctx, f.w, dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case f.w.ctx.Err() != nil:
			return fs.SkipAll
		case p == dir:
			e, ok := f.sortLooked(p, d, err)
			if !ok {
				return fs.SkipAll
			}
			if err != nil || !e.dir {
				return fs.SkipDir
			}
			return nil
		case err != nil || filepath.Dir(p) != dir:
			return f.visit(p, d, err) // in a folder made since, or not read: said
		case f.listedDirs[p].fi != nil && (d.IsDir() || !f.hasEntries[p]):
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil // found empty, a link or a file now: its own look says it
		case f.listedHere(p):
			if d.IsDir() {
				return fs.SkipDir // said when listed: too deep, own data
			}
			return nil
		}
		return f.visit(p, d, err)
	})
}

// listedHere reports whether the listing met the entry p of a folder
// before (relistChanged): this Add call has a job for it, saved or still
// to be (w.rows, at most flushRows), or it was left to a job of another
// call waiting in the queue when the listing began (leaveTo). A lookup
// that fails says it was: listed twice in one call is worse than as it
// was listed.
func (f *folderWalk) listedHere(p string) bool {
	w := f.w
	for _, r := range w.rows {
		if r.LocalPath == p {
			return true
		}
	}
	jobs, err := w.q.db.JobsIn(w.q.env, w.q.account, p)
	if err != nil {
		return true
	}
	for _, j := range jobs.Of(p) {
		if j.BatchID == w.batchID {
			return true
		}
	}
	for _, j := range w.queued.Of(p) {
		if j.BatchID != w.batchID && !j.Cleared && waiting(j.State) {
			return true
		}
	}
	return false
}

// relist lists the folder dir again, as the listing lists a folder
// (visit), dir itself not met again (f.dirs holds it): one that is no
// longer a folder now, or a link to one, is not listed into, and
// addEmptyDirs says it.
func (f *folderWalk) relist(dir string) {
	_ = walkDir(f.w.ctx, f.w, dir, func(p string, d fs.DirEntry, err error) error {
		if p != dir || err != nil {
			return f.visit(p, d, err)
		}
		e, ok := f.sortLooked(p, d, nil)
		switch {
		case !ok:
			return fs.SkipAll
		case !e.dir:
			return fs.SkipDir
		}
		return nil
	})
}

// sortLooked is sortListed of the entry p of the folder (d and err as
// the walk gives them), looked at off the walker's goroutine (ListingLook);
// ok is false once the listing ends first.
func (f *folderWalk) sortLooked(p string, d fs.DirEntry, err error) (listedEntry, bool) {
	return walkLook(f.w, p, func() listedEntry { return sortListed(p, d, err, f.walkRoot, f.isOwnData) })
}

// addEmptyDirs says which folders were empty (and so not uploaded). Each
// is looked at again as it is said (EmptyNow): one that holds an entry
// by then, though its listing (again: listAgain) found none, is said
// so, with what it holds not uploaded (causeFilledSinceListed), never
// "folder is empty".
func (f *folderWalk) addEmptyDirs() {
	for _, dir := range f.dirs {
		if f.hasEntries[dir] || f.unreadable[dir] {
			continue
		}
		row := f.entry(dir, dir)
		if dir == f.walkRoot {
			row = f.w.base(f.r, f.root)
			row.FolderPath = f.dest(dir).folderPath
		}
		empty, ok := walkLook(f.w, dir, func() bool { return EmptyNow(dir) })
		if !ok {
			return // the listing ends: nothing of it is saved
		}
		c := causeEmptyDir
		if !empty {
			c = causeFilledSinceListed
		}
		f.w.add(row, storage.JobSkipped, c)
	}
}

// folderPathFor is the destination folder of the files in the directory rel
// (slash-separated, "." for the dropped folder itself) of the dropped folder
// named rootName, under the destination dest ("" = the account's root).
// The result starts and ends with "/".
//
// The local names of the dropped folder and of the folders inside it are
// turned into dStor names with api.RemoteName, so a folder whose name is
// not valid UTF-8 or holds a control character still uploads, under a
// distinct, reversible name, rather than being refused as if the person
// had typed a bad folder path.
func folderPathFor(dest, rootName, rel string) string {
	segs := []string{"/", dest, api.RemoteName(rootName)}
	for seg := range strings.SplitSeq(filepath.ToSlash(rel), "/") {
		segs = append(segs, api.RemoteName(seg))
	}
	p := path.Join(segs...)
	if p == "/" {
		return p
	}
	return p + "/"
}

// flush saves the pending rows in one transaction and only then shows them
// (JobAdded) and lets the scheduler read them; then the walk rows of the
// requests listed completely can go. The rows stay in the database only:
// the scheduler reads the queued ones a window at a time.
func (w *walk) flush() {
	w.lastFlush, w.dueSet = time.Now(), false
	if w.nothingToSave() {
		return
	}
	rows, listed, left, shares := w.rows, w.listed, w.left, w.shares
	w.rows, w.listed, w.left, w.shares = nil, nil, nil, nil
	q := w.q
	if w.ctx.Err() != nil {
		// Closing, or CancelAll during the walk: these were never saved
		// nor shown, so dropping them loses nothing the person saw. The
		// walk rows stay after Close (the next New lists the requests
		// again); CancelAll deletes them itself.
		return
	}
	q.mu.Lock()
	signIn, waitCause := q.signIn, q.signInCauseLocked()
	q.mu.Unlock()
	for i := range rows {
		if signIn && rows[i].State == storage.JobQueued {
			rows[i].State = storage.JobWaitingSignIn
			waitCause.set(&rows[i])
		}
	}
	var err error
	if len(rows) > 0 || len(left) > 0 || len(shares) > 0 {
		err = w.insert(rows, left, shares)
	}
	if err != nil && w.ctx.Err() != nil {
		return // closed or canceled while the disk was full: as above
	}

	q.mu.Lock()
	defer q.mu.Unlock()
	if err != nil {
		w.saveFailed = true
		w.unsaved(rows, err)
		return
	}
	w.showSavedLocked(rows, listed, signIn)
}

// nothingToSave reports whether the walk holds nothing a flush saves.
func (w *walk) nothingToSave() bool {
	return len(w.rows) == 0 && len(w.listed) == 0 && len(w.left) == 0 && len(w.shares) == 0
}

// saveDue delivers once what the walk listed and has not saved yet has
// waited flushEvery since the last save. The listing saves it then while
// it waits on the disk (awaitLook, walkDir), where no row is added, which
// alone saved before: so the files found before an entry that hangs,
// for good perhaps, are saved and uploaded meanwhile, and a crash loses
// none of them. Nil, which never delivers, when there is nothing to
// save, and for no walk. One timer per walk, set once per save.
func (w *walk) saveDue() <-chan time.Time {
	if w == nil || w.nothingToSave() {
		return nil
	}
	if !w.dueSet {
		d := time.Until(w.lastFlush.Add(w.q.flushEvery))
		if w.due == nil {
			w.due = time.NewTimer(d)
		} else {
			w.due.Reset(d)
		}
		w.dueSet = true
	}
	return w.due.C
}

// insert writes rows, with left and shares, in one transaction. A full
// disk does not fail them (their failed state could not be saved either,
// and the person would have to add the files again): the listing waits,
// Summary.Stalled saying which disk to free, and writes them again every
// diskRetryEvery until there is room or the walk ends (Close, CancelAll:
// the walk rows stay, and the next New lists the requests again).
func (w *walk) insert(rows []storage.JobRow, left []storage.LeftFile, shares []storage.FolderKey) error {
	q := w.q
	w.groups++
	if q.beforeListedRows != nil {
		q.beforeListedRows(w.groups, len(rows))
	}
	err := q.db.InsertListing(rows, left, shares...)
	if !errors.Is(err, storage.ErrDiskFull) {
		return err
	}
	defer func() {
		q.mu.Lock()
		q.listFull = nil
		q.showStalledLocked()
		q.mu.Unlock()
	}()
	retry := time.NewTicker(diskRetryEvery)
	defer retry.Stop()
	for errors.Is(err, storage.ErrDiskFull) {
		q.mu.Lock()
		q.listFull = err
		q.showStalledLocked()
		q.mu.Unlock()
		select {
		case <-w.ctx.Done():
			return err
		case <-retry.C:
		}
		err = q.db.InsertListing(rows, left, shares...)
	}
	return err
}

// showSavedLocked shows rows, just saved, and hands the queued ones to the
// scheduler; the walk rows of the requests listed completely go (unless a
// save failed: they are listed again next time). signIn is whether the
// queue waited for a sign-in when the rows were marked: a change since
// is applied to them now.
func (w *walk) showSavedLocked(rows []storage.JobRow, listed []walkDrop, signIn bool) {
	q := w.q
	if !w.saveFailed {
		q.dropWalkRowsLocked(listed...)
	}
	queued := false
	for _, r := range rows {
		q.countStored(r.State, 1, r.Size)
		queued = queued || r.State == storage.JobQueued
		snap := q.snapshotRow(r)
		if r.State.Final() {
			snap.FinishedAt = q.now()
		}
		q.publishJob(JobAdded, snap, false)
	}
	switch {
	case w.ctx.Err() != nil && !q.closed:
		q.cancelAllLocked() // CancelAll while the rows were written
	case signIn != q.signIn && q.signIn:
		q.enterSignInLocked() // signed out meanwhile: these wait too
	case signIn != q.signIn:
		// Signed in meanwhile: these were saved waiting, perhaps after
		// SetTokens queued what waited.
		q.changeStoredLocked(storage.JobChange{From: []storage.JobState{storage.JobWaitingSignIn}, To: storage.JobQueued})
		q.moreQueuedLocked(0)
		q.publish(JobsChanged, nil, false)
	case queued:
		q.moreQueuedLocked(rows[0].Seq)
	}
}

// tellAlreadyQueuedLocked publishes, once the call is listed, how many of
// its files were left out as already queued (AlreadyQueued), so the window
// and the command line can say so rather than silently add fewer files.
// Called with q.mu held.
func (w *walk) tellAlreadyQueuedLocked() {
	if w.alreadyQueued == 0 || w.q.closed {
		return
	}
	snap := w.q.snapshotRow(w.firstAlready)
	snap.ID, snap.Seq = "", 0 // not a job of the list
	w.q.publishEvent(Event{Kind: AlreadyQueued, Job: snap, Count: w.alreadyQueued})
}

// unsaved shows rows the database refused as failed jobs held in memory
// (there is no row to update), to be retried by the person. Called with
// q.mu held.
func (w *walk) unsaved(rows []storage.JobRow, err error) {
	q := w.q
	for i := range rows {
		j := &job{row: rows[i], unsaved: true}
		j.row.Seq = 0
		if j.row.State == storage.JobQueued || j.row.State == storage.JobWaitingSignIn {
			j.row.State = storage.JobFailed
			cause{ReasonUnsaved, "", "could not save this job to the queue database (" + err.Error() + "); retry it"}.set(&j.row)
		}
		j.finishedAt = q.now()
		q.active[j.row.ID] = j
		q.count(j)
		q.publish(JobAdded, j, false)
	}
}

// resumeWalks queues again, for the walker, the requests whose listing was
// interrupted, one call per batch in the order they were added; each leaves
// out the local paths its batch already has rows for.
func (q *Queue) resumeWalks(walks []storage.WalkRow) {
	calls := make(map[string]*addCall)
	for _, w := range walks {
		c := calls[w.BatchID]
		if c == nil {
			c = &addCall{batchID: w.BatchID, saved: true, resumed: true}
			calls[w.BatchID] = c
			q.pendingAdds = append(q.pendingAdds, c)
		}
		c.reqs = append(c.reqs, Request{Path: w.Path, FolderPath: w.FolderPath, ParentID: copyID(w.ParentID), Comment: w.Comment, ExpectSHA256: w.ExpectSHA256})
		c.walkIDs = append(c.walkIDs, w.ID)
		c.shares = append(c.shares, w.Folder)
		q.liveWalks[w.ID] = w.BatchID
		q.liveBatches[w.BatchID]++
	}
}

// newJobID is a new job's id: a UUIDv7, whose leading bits are the time,
// so the jobs of a folder, added together, are neighbours in the unique
// indexes of jobs.id and history.job_id. With random (v4) ids each file
// of a round of writes dirtied its own page of each index, and SQLite's
// WAL wrote every such page out again at each commit.
func newJobID() string {
	return uuid.Must(uuid.NewV7()).String()
}
