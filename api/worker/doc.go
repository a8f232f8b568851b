// Package worker is dStor Uploader's background upload engine: the persisted
// queue that the window and the command line both drive. It exists so that
// neither of them has to know about scheduling, retries, token refresh or
// crash recovery, and so that all of that is testable with plain `go test`
// against the sandbox (it imports api and storage, never Fyne).
//
// # Life of a job
//
// [Queue.Add] returns at once. A background goroutine saves each [Request]
// (storage.DB.InsertWalks) before listing it, turns it into jobs (one per
// regular file; folders are walked with filepath.WalkDir), writes them to
// the database in batches with storage.DB.InsertListing (by count, or once a
// batch has waited flushEvery, also while a look at the disk holds the
// listing), and only then lets the scheduler see them; the request's row
// goes once all its jobs are saved. Once a request is saved (a moment
// after Add), a crash or kill, even in the middle of a big folder, loses
// nothing: the next [New] lists the request again, adding only the files
// its batch has no job for yet (queued, uploaded, failed or skipped
// alike), under the same batch id. The scheduler runs up to
// Config.Concurrency uploads at a time:
//
//	queued → uploading → done | failed | canceled
//	         (or waiting-sign-in, until Queue.SetTokens)
//
// Every change is persisted and published as an [Event]. Rows are written by
// one background goroutine that always stores a job's latest state, so
// neither a method called from the UI nor an upload slot waits for the disk
// ([Queue.Wait] returns only once they are written); what piles up while
// it writes goes into its next transaction (storage.DB.WriteJobs). A
// successful upload is written to the history together with the job's
// "done" state in one transaction before it is shown as done, at most once
// per job id.
// Only verified uploads get there: an answer whose hash cannot be compared
// with the local CID (api.ErrUnverifiableHash) fails the job, like a
// mismatch, with a sentence that quotes the answer.
//
// # Size
//
// The list lives in the database, not in memory: the scheduler reads the
// queued jobs a window at a time (window.go), a view pages through the list
// ([Queue.JobsPage], [Queue.JobsBefore]) and the [Summary] is kept as jobs
// change, never recounted, so every step per file costs O(log n) in the
// number of files and the memory held does not grow with them. Bulk actions
// (CancelAll, RetryFailed, ClearFinished, sign-in) change the rows in one
// statement each and publish one JobsChanged event. A subscriber that stops
// reading holds the queue up after a bounded number of events rather than
// making it hold them all.
//
// # Folders
//
// A dropped folder keeps its own name and inner structure under the
// destination: dropping /home/a/photos with the folder path "/backup/" sends
// /home/a/photos/2026/x.jpg to "/backup/photos/2026/"; with no destination the
// files go to "/photos/2026/" (the account's root plus the structure). dStor
// takes a folder path or a parent folder id, never both, and a parent id
// names one existing folder, so the structure of a folder cannot be
// expressed with a parent id: with Request.ParentID every file of the folder,
// in whatever subfolder, goes into that one parent.
//
// Policy for what a walk finds, chosen so that nothing vanishes silently:
//   - Symbolic links inside a folder are not followed (they could leave the
//     folder or loop); each becomes a "skipped" job saying so. A path the
//     person added explicitly is used even when it is a symbolic link: they
//     chose it. Its job keeps the id of the file it led to: if by its turn
//     the path leads through a symbolic link made after the add
//     (UploadRequest.AddedAt) to another file, the job is "skipped"
//     (api.ErrNotListedFile); another file saved in its place without a
//     link (as editors save) is uploaded, links older than the add
//     followed.
//   - A file found in a folder is pinned to what the walk saw: its job keeps
//     the folder and the file's id (device and inode), and the upload opens
//     it without following a symbolic link at any component below the
//     folder (api.ListedFile, UploadRequest.Beneath). A link or another file
//     put in its place before its turn makes the job "skipped" with a
//     sentence (api.ErrNotListedFile); nothing is sent.
//   - Hidden files and folders (names starting with ".") are uploaded like
//     any other: people expect "the whole folder".
//   - The queue's own data folder (its database's folder: the history,
//     the queue, their locks) is never uploaded, however it is reached:
//     a folder above it, the folder itself, a file in it, a link to it. It
//     becomes one skipped job (ReasonOwnData): its files change while the
//     app runs (a torn copy) and list every file ever uploaded. An index
//     page the window made there (storage.DB.IndexPagesDir), named on its
//     own, is uploaded.
//   - Named pipes, sockets and devices are skipped with the reason.
//   - Files and folders that cannot be read are skipped with the reason
//     (the folder's contents then are not listed).
//   - An empty folder (the dropped one or any folder inside it) becomes one
//     skipped entry "folder is empty", said once the whole folder is
//     listed: one that holds an entry by then is listed again, once
//     (folderWalk.listAgain), and one that listing again finds empty
//     but that holds an entry when said is skipped as
//     ReasonFilledSinceListed, what it holds not uploaded.
//   - A folder whose entries changed once it was listed (its modification
//     time moved, or was too close to its listing to tell) has them listed
//     again as the listing ends, once: the entries not met before are
//     queued. What changes after that is not uploaded, and nothing says so.
//
// Skipped jobs are persisted and listed like every other job. Requests whose
// destination, comment or parent id is invalid, and added files that are
// missing or unusable, become "failed" jobs with the validation message.
//
// # Retries, tokens and sign-in
//
// Network errors, 408, 429 and 5xx answers (api.Retryable), also when
// fetching a token, are retried with
// exponential backoff and full jitter, honouring Retry-After (capped at five
// minutes), up to Config.MaxAttempts attempts; meanwhile the job is "queued"
// with its attempt count and last error. Other errors fail the job at once
// with api.Human's sentence; so does a file that is gone or unreadable. A
// hash different from the local CID fails the job and is never recorded in
// the history. A file that changed while it was being sent (its size,
// modification or change time, or the file itself, compared before and
// after the upload: api.ErrFileChanged) is sent again from the start, so
// what is recorded is always one consistent version; after MaxAttempts
// changes in a row it fails. A wait of 10 seconds or more before a retry
// is announced: Job.RetryAt and the job's sentence say when it ends (and
// that a longer Retry-After was shortened), so a long pause is never
// silent. Neither is a slow or silent server: an upload that makes no
// progress for Config.StallNotice (30 s by default) — dStor takes no more
// of the file, or has all of it and has not answered — is said to be quiet
// (Job.QuietSince, with an event) until it moves again; the client's
// timeouts, not this, end the attempt.
//
// A 401 makes the queue ask its [TokenSource] for a fresh token and retry
// once, without counting an attempt. When the person has to sign in again
// ([ErrSignInRequired]), the job and every queued job go to
// "waiting-sign-in" and nothing starts until [Queue.SetTokens]. A renewed
// token that names another account than the first one did is such a case
// (an *api.AccountChangedError, kept in Summary.SignInErr and returned by
// [Queue.Wait]): nothing is uploaded with it. Tokens are
// judged on dStor's clock (api.Token.ServerOffset): an API key's source
// ([NewAPIKeyTokens]) asks for expiries on that clock, renews a token a
// quarter of its real life before it ends (one minute for long ones), and
// never sends its person to sign in again for an expired token: a token
// dStor refuses right after it was minted fails the job
// (api.FreshTokenUnusable): with api.ErrClock, whose sentence names the
// computer's clock, when dStor's clock differs from it; otherwise with
// api.ErrFreshToken, which says dStor refused its own fresh token.
//
// # A full disk
//
// When the disk holding the database is full (storage.ErrDiskFull), a
// finished upload is not failed (its failed state could not be written
// either, and the next run would send it again): it waits, uploaded, to be
// recorded, no new upload starts, [Summary].Stalled says which disk to free
// and how much, and the rows are written again every two seconds until
// there is room; then the queue goes on. A state change that meets a full
// disk is kept and written again the same way, and so are the rows of a
// folder being listed: the listing waits for room rather than fail its
// files. Close reports what it could still not write.
//
// # A history deleted or replaced
//
// When the database file is deleted or another file put in its place
// while the queue runs (storage.ErrDatabaseReplaced), no write reaches a
// history any more: an upload that finishes then fails as
// ReasonHistoryGone, and its job done with its history entry is kept in
// memory ([Queue.Unrecorded]). With Config.StopWhenHistoryGone (the
// window, which shows links only on screen) no upload starts from then on
// (the file is looked at before each start, by the scheduler without
// holding the queue: a look that hangs on a slow disk delays the next
// start, never the queue's methods), the running ones finish,
// [Summary].HistoryGone says why, and [Queue.Wait] returns the
// *storage.ReplacedError; files and folders added from then on are not
// listed but kept ([Queue.NotListed]) for the database at the path. The
// command line, which prints every link, goes on.
//
// # Pause, cancel, close
//
// [Queue.Pause] stops every upload: none starts, and those in flight are
// stopped at once and queued again; since dStor's add cannot resume an
// upload partway, each starts again from the beginning on [Queue.Resume].
// [Queue.Cancel] stops an upload at once and marks it
// canceled. [Queue.Close] is different from canceling: it stops everything
// but leaves in-flight jobs "uploading" in the database, so the next [New]
// on that database (which calls storage.DB.RequeueInterruptedOf) uploads them
// again — the same path as recovering from a crash. Folders added but not
// yet listed, or listed in part, when Close is called are listed by the
// next New, the same way too; [Queue.CancelAll] forgets them instead.
//
// Only one process at a time runs an account's queue: New takes the
// account's lock in the data directory (storage.DB.LockQueue), under the
// name the account is filed under and under the dStor account id its
// tokens name (Config.AccountID), and fails with storage.ErrQueueInUse
// while the window or another command-line run holds either, so no
// in-flight upload is ever mistaken for an interrupted one and sent twice,
// and one account signed in with its password and with its API key never
// uploads the same files twice at once. The operating system drops the
// lock when its process dies.
//
// The files follow the queue's ideas: queue.go holds Queue, New, Wait and
// Close; control.go the person's controls (cancel, pause, retry, clear,
// concurrency, speed limit, sign-in); schedule.go which job starts next, its attempts,
// retries and progress; walk.go the listing of added files and folders;
// persist.go the saved queue, read back by New and written behind the
// callers (writebehind.go); events.go the subscribers; job.go what a job is
// and how the queue counts it; window.go which jobs are held in memory and
// how a view pages through the rest; tokens.go the token sources; live.go
// the live check of each new link (Config.LiveLink).
package worker
