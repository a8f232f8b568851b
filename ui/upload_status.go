package ui

import (
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// What the Upload tab shows of its queue's state: the toolbar's buttons,
// the summary line and progress bar, and the banners for a queue that
// waits (another process holds it, a full disk, an expired session).

// showLocked says that another process runs the account's queue, and how
// many added files and folders (n more now) wait for it to finish.
func (v *uploadView) showLocked(n int) {
	v.locked += n
	msg := tr("A command-line upload (or another dStor Uploader) is running this account's uploads right now. " +
		"What you add is kept and starts here as soon as it finishes.")
	if v.locked > 0 {
		msg += " " + trn("Waiting: {{.Count}} files or folders.", v.locked)
	}
	v.setNotice(msg)
	v.render()
}

// render updates the toolbar, summary and list from v.sum and the window.
// A batch of events mostly leaves them as they are (a file outside the
// rows in view moved on): render changes, and so refreshes, only what
// shows something else now, as a Fyne refresh lays out and shapes again.
func (v *uploadView) render() {
	s := v.sum
	signedIn := v.sess != nil
	for _, b := range []*widget.Button{v.addFiles, v.addFolder} {
		enable(b, v.a.sess != nil) // while the queue is elsewhere, kept for later
	}
	v.showPaused(s.Paused)
	enable(&v.pause.Button, signedIn && (v.busy() || s.Paused))
	enable(&v.retryFailed.Button, signedIn && s.Failed > 0) // canceled files stay canceled (Queue.RetryFailed)
	enable(&v.cancelAll.Button, signedIn && s.Queued+s.Uploading+s.Waiting > 0)
	enable(&v.clearFinished.Button, signedIn && s.Done+s.Canceled+s.Skipped+s.Already > 0)
	v.toolbar.setSummary(summaryParts(s, v.totalSpeed()))

	v.showWaiting(s)
	progress := s.BytesTotal > 0 && v.busy()
	if f := float64(s.BytesDone) / float64(s.BytesTotal); progress && v.overall.Value != f {
		v.overall.SetValue(f)
	}
	show(v.overall, progress)
	show(v.empty, v.listLen() == 0)
	v.drawList(false)
}

// drawList refreshes the list when what its rows show changed: the
// window's jobs, the list's length, or whether the queue is paused (a
// waiting row says Paused). Each refresh makes Fyne build a row to measure
// (listRenderer.Refresh calls CreateItem), which its cache keeps a minute
// or more, so a change of the length alone, as a big folder is listed, is
// drawn at most once per refreshInterval unless now: one held back is
// owed (listOwed), and the pump's next tick draws it.
func (v *uploadView) drawList(now bool) {
	drawn := listDrawn{v.listVer, v.listLen(), v.sum.Paused}
	if drawn == v.drawn {
		v.listOwed.Store(false)
		return
	}
	lengthOnly := drawn.ver == v.drawn.ver && drawn.paused == v.drawn.paused
	if lengthOnly && !now && time.Since(v.drawnAt) < refreshInterval {
		v.listOwed.Store(true)
		return
	}
	v.drawn, v.drawnAt = drawn, time.Now()
	v.listOwed.Store(false)
	v.list.Refresh()
}

// listDrawn is what the queue's rows were last drawn from.
type listDrawn struct {
	ver    uint64
	length int
	paused bool
}

// showPaused makes Pause, in the toolbar and the tray menu, say what it
// does now: pause, or resume when paused.
func (v *uploadView) showPaused(paused bool) {
	if paused {
		v.toolbar.setLabel(0, tr("Resume"))
		setButtonIcon(&v.pause.Button, theme.MediaPlayIcon())
	} else {
		v.toolbar.setLabel(0, tr("Pause"))
		setButtonIcon(&v.pause.Button, theme.MediaPauseIcon())
	}
	if v.trayPause != nil {
		if label := trayPauseLabel(paused); v.trayPause.Label != label {
			v.trayPause.Label = label
			v.trayMenu.Refresh()
		}
	}
}

// trayPauseLabel is the label of the tray menu's Pause item.
func trayPauseLabel(paused bool) string {
	if paused {
		return tr("Resume uploads")
	}
	return tr("Pause uploads")
}

// showWaiting shows why uploads wait, if they do: a history deleted or
// replaced, a full disk, or a session to sign in to again.
func (v *uploadView) showWaiting(s worker.Summary) {
	show(v.quitBtn, s.HistoryGone != nil)
	switch {
	case s.HistoryGone != nil:
		// Nothing starts any more: what happened, and that quitting keeps
		// the links and the files not uploaded (Run carries them over).
		setLabel(v.waitLabel, historyGoneText(s.HistoryGone), v.waitLabel.Importance)
		show(v.signInBtn, false)
		show(v.waiting, true)
	case s.Stalled != "":
		// A full disk: what to free, and that nothing is lost meanwhile.
		setLabel(v.waitLabel, stalledText(s), v.waitLabel.Importance)
		show(v.signInBtn, false)
		show(v.waiting, true)
	case s.WaitingSignIn:
		setLabel(v.waitLabel, signInWaitText(s), v.waitLabel.Importance)
		show(v.signInBtn, true)
		show(v.waiting, true)
	default:
		show(v.waiting, false)
	}
}

// signInWaitText says why uploads wait for a sign-in: a renewed token
// that named another account (both named), or an expired session.
func signInWaitText(s worker.Summary) string {
	n := s.Waiting + s.Queued
	var changed *api.AccountChangedError
	if errors.As(s.SignInErr, &changed) {
		return trn("dStor renewed the sign-in for another account ({{.Renewed}}) than the one signed in ({{.SignedIn}}), so nothing was uploaded with it. Sign in again to continue {{.Count}} uploads.", n,
			map[string]any{"Renewed": inert.Line(changed.Renewed), "SignedIn": inert.Line(changed.SignedIn)})
	}
	return trn("Your session has expired. Sign in again to continue {{.Count}} uploads.", n)
}

// historyGoneText says that the history file was deleted or moved away,
// or replaced by another file, or its journal (-wal, or its -shm) deleted or replaced,
// while the window used it, that no more files are uploaded, and that
// quitting writes the links of the uploads since and the files not
// uploaded into the history at that path, for the next start
// (App.Unrecorded, storage.DB.CloseCarryingOver).
func historyGoneText(e *storage.ReplacedError) string {
	data := map[string]any{"Path": inert.Line(e.Path), "Journal": inert.Line(e.JournalFile())}
	if e.Journal {
		return tr("The journal of the upload history {{.Path}} ({{.Journal}}) was deleted or replaced by another program while dStor Uploader was using it, so no more files are uploaded (those already being sent finish). "+
			"Quit dStor Uploader and start it again: as it quits, it adds the links of the files uploaded since (shown below) and the files not uploaded yet to the history; "+
			"the next start lists those links in History and uploads the rest. Find what deleted the file (a cleanup or sync tool).", data)
	}
	if e.Deleted {
		return tr("The upload history {{.Path}} was deleted or moved away while dStor Uploader was using it, so no more files are uploaded (those already being sent finish). "+
			"Quit dStor Uploader and start it again: as it quits, it writes the links of the files uploaded since (shown below) and the files not uploaded yet into a new history there; "+
			"the next start lists those links in History and uploads the rest. Find what deleted or moved the file (a cleanup or sync tool).", data)
	}
	return tr("The upload history {{.Path}} was replaced by another file (a backup restored, a sync tool) while dStor Uploader was using it, so no more files are uploaded (those already being sent finish). "+
		"Quit dStor Uploader and start it again: as it quits, it adds the links of the files uploaded since (shown below) and the files not uploaded yet to the file there now; "+
		"the next start lists those links in History and uploads the rest.", data)
}

// stalledText says that uploads wait for room on the full disk, which
// disk and how much to free, and that nothing is lost meanwhile.
func stalledText(s worker.Summary) string {
	d := s.StalledDisk
	if d == nil { // not a full disk: the worker's sentence
		return tr("Uploads paused: {{.Reason}}. Finished uploads wait to be recorded; nothing is lost or sent twice.", map[string]any{"Reason": inert.Line(s.Stalled)})
	}
	data := map[string]any{"Dir": d.Dir, "Need": formatSize(d.Need), "Free": formatSize(d.Free)}
	if d.TempVar != "" { // how much a sort needs there is not known
		data["Free"] = formatSize(max(d.Free, 0))
		return tr("Uploads paused: the disk holding {{.Dir}}, the folder for temporary files, is full ({{.Free}} free). Free some space there; until then finished uploads wait to be recorded, and nothing is lost or sent twice.", data)
	}
	if d.Free < 0 {
		return tr("Uploads paused: the disk holding {{.Dir}} is full. Free at least {{.Need}} there; until then finished uploads wait to be recorded, and nothing is lost or sent twice.", data)
	}
	return tr("Uploads paused: the disk holding {{.Dir}} is full ({{.Free}} free). Free at least {{.Need}} there; until then finished uploads wait to be recorded, and nothing is lost or sent twice.", data)
}

// summaryText is the line above the queue: "12 of 40 uploaded · 1 failed ·
// 230 MB left", as one line.
func summaryText(s worker.Summary, speed float64) string {
	return strings.Join(summaryParts(s, speed), summarySeparator)
}

// summaryParts are the parts of the line above the queue: "12 of 40
// uploaded", "1 failed", "230 MB left". The toolbar joins them, on more
// than one line where the window is narrow.
func summaryParts(s worker.Summary, speed float64) []string {
	if s.Total == 0 {
		if s.Walking {
			return []string{tr("Listing folders…")}
		}
		return []string{tr("No uploads yet")}
	}
	var parts []string
	// A queue of only skipped, canceled or already uploaded rows (what a
	// sign-in or a start brings back after its uploads went to History)
	// has nothing to upload: "0 of 0 uploaded" would read as files lost.
	if active := s.Total - s.Skipped - s.Canceled - s.Already; active > 0 {
		parts = append(parts, tr("{{.Done}} of {{.Total}} uploaded", map[string]any{"Done": formatCount(s.Done), "Total": formatCount(active)}))
	}
	if s.Already > 0 {
		parts = append(parts, tr("{{.N}} already uploaded", map[string]any{"N": formatCount(s.Already)}))
	}
	if s.Failed > 0 {
		parts = append(parts, tr("{{.N}} failed", map[string]any{"N": formatCount(s.Failed)}))
	}
	if s.Canceled > 0 {
		parts = append(parts, tr("{{.N}} canceled", map[string]any{"N": formatCount(s.Canceled)}))
	}
	if s.Skipped > 0 {
		parts = append(parts, tr("{{.N}} skipped", map[string]any{"N": formatCount(s.Skipped)}))
	}
	if left := s.BytesTotal - s.BytesDone; left > 0 && s.Queued+s.Uploading+s.Waiting > 0 {
		parts = append(parts, tr("{{.Size}} left", map[string]any{"Size": formatSize(left)}))
	}
	if s.UploadLimit > 0 {
		// Each upload's speed averages its own recent seconds, which the
		// limiter's eighth-of-a-second allowance can lift a little above
		// the limit while it is spent; their sum never sends faster than
		// the limit for long, so it reads no higher than it.
		speed = min(speed, float64(s.UploadLimit))
	}
	if sp := formatSpeed(speed); sp != "" {
		parts = append(parts, sp)
	}
	if s.UploadLimit > 0 {
		// Written as the speed beside it is, in the window's units, not
		// in curl's syntax the limit was typed in ("5M" reads 5.2 MB/s).
		parts = append(parts, tr("limited to {{.Speed}}", map[string]any{"Speed": formatSpeed(float64(s.UploadLimit))}))
	}
	if s.Walking {
		parts = append(parts, tr("listing folders…"))
	}
	if s.Paused {
		parts = append(parts, tr("paused"))
	}
	if s.WaitingSignIn {
		parts = append(parts, tr("waiting for sign-in"))
	}
	return parts
}

// setNotice shows (or, with "", hides) a warning above the drop zone,
// such as "your keyring is not available".
func (v *uploadView) setNotice(msg string) {
	v.notice.SetText(msg)
	if msg == "" {
		v.noticeBox.Hide()
	} else {
		v.noticeBox.Show()
	}
}
