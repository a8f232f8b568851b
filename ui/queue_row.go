package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// queueStateWidth is the width of a queue row's state column (progress
// bar, state or Upload again); every language's states fit in it
// (TestRowStatesFitTheirColumn).
const queueStateWidth = 170

// queueActionsWidth is the width of a queue row's actions column: 170, or
// more in a language whose Copy link is longer, so that the buttons of a
// done upload (Copy link, then Open) never reach into the state column,
// nor those of a failed one (the reason, Remove, Retry and Cancel's empty
// place, each as wide as icon). Every row makes the same buttons, so the
// columns line up.
func queueActionsWidth(copyLink, open, icon fyne.CanvasObject) float32 {
	return max(170, copyLink.MinSize().Width+theme.Padding()+open.MinSize().Width, 4*icon.MinSize().Width+3*theme.Padding())
}

// queueRow is one job in the queue list: icon, name and details, progress,
// state, and the actions that fit the state.
type queueRow struct {
	widget.BaseWidget
	v *uploadView

	icon     *widget.Icon
	name     *nameLabel
	detail   *widget.Label
	progress *widget.ProgressBar
	state    *widget.Label
	cancel   *iconButton
	retry    *iconButton
	remove   *iconButton
	why      *iconButton // shows the whole reason the detail line may cut
	copyLink *widget.Button
	open     *iconButton
	again    *widget.Button
	// cancelSlot holds Cancel, at the row's right end, and keeps its
	// place empty on a canceled, failed or skipped row; retrySlot keeps
	// Retry's place empty on a skipped row (see showActions).
	cancelSlot *fyne.Container
	retrySlot  *fyne.Container
	actions    *fyne.Container // laid out again when buttons come and go

	jobID   string
	content fyne.CanvasObject
}

func newQueueRow(v *uploadView) *queueRow {
	r := &queueRow{v: v}
	r.icon = widget.NewIcon(theme.FileIcon())
	r.name = rowName()
	r.detail = caption("", widget.MediumImportance)
	r.detail.Truncation = fyne.TextTruncateEllipsis
	r.progress = widget.NewProgressBar()
	r.state = widget.NewLabel("")
	r.cancel = newIconButton(tr("Cancel this upload"), theme.CancelIcon(), func() { v.onCancel(r.jobID) })
	r.retry = newIconButton(tr("Retry this upload"), theme.ViewRefreshIcon(), func() { v.onRetry(r.jobID) })
	r.remove = newIconButton(tr("Remove from the queue"), theme.DeleteIcon(), func() { v.onRemove(r.jobID) })
	r.why = newIconButton(tr("Show the whole reason"), theme.InfoIcon(), func() { v.onShowReason(r.jobID) })
	r.copyLink = widget.NewButtonWithIcon(tr("Copy link"), theme.ContentCopyIcon(), func() { v.onCopyLink(r.jobID) })
	r.open = newIconButton(tr("Open the link in the browser"), openIcon, func() { v.onOpen(r.jobID) })
	r.again = widget.NewButtonWithIcon(tr("Upload again"), theme.UploadIcon(), func() { v.onUploadAgain(r.jobID) })
	for _, b := range []*widget.Button{&r.cancel.Button, &r.retry.Button, &r.remove.Button, &r.why.Button, r.copyLink, &r.open.Button, r.again} {
		b.Importance = widget.LowImportance
	}
	// The state column shows the progress bar, the state, or for a file
	// already uploaded the button to send it again (the detail line says
	// when it was uploaded).
	status := container.NewStack(
		container.New(&fixedWidthLayout{width: queueStateWidth}, container.New(&vCenterLayout{}, r.progress)),
		container.NewCenter(r.state),
		container.NewCenter(r.again),
	)
	r.cancelSlot = container.New(&fixedWidthLayout{width: r.cancel.MinSize().Width}, r.cancel)
	r.retrySlot = container.New(&fixedWidthLayout{width: r.retry.MinSize().Width}, r.retry)
	r.actions = container.NewHBox(layout.NewSpacer(), r.why, r.remove, r.retrySlot, r.copyLink, r.open, r.cancelSlot)
	actions := container.New(&fixedWidthLayout{width: queueActionsWidth(r.copyLink, r.open, r.cancel)}, r.actions)
	text := container.New(&rowTextLayout{}, r.name, r.detail)
	r.content = container.NewBorder(nil, nil, container.NewCenter(r.icon), container.NewHBox(status, actions), text)
	r.ExtendBaseWidget(r)
	return r
}

func (r *queueRow) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(r.content)
}

// set shows job j in the row (rows are recycled by the list).
func (r *queueRow) set(j worker.Job) {
	r.jobID = j.ID
	r.name.SetText(nameText(j.Name))
	look := r.v.lookOf(j)
	setIcon(r.icon, look.icon)
	setLabel(r.detail, inert.Line(strings.Join(append(placeDetails(j), look.more...), " · ")), look.detailImp)
	r.showState(j, look)
	r.showActions(j, look)
}

// A queue row is set again each time the list is drawn (four times a
// second while files upload), mostly to what it already shows. setLabel
// and setIcon leave a widget alone when it shows that already: refreshing
// a label shapes and truncates its text again, and a themed icon (a new
// value each time) is coloured again, which was most of the window's own
// work per frame.

// setLabel shows text in l in the colour of imp.
func setLabel(l *widget.Label, text string, imp widget.Importance) {
	if l.Text == text && l.Importance == imp {
		return
	}
	l.Importance = imp
	l.SetText(text)
}

// setIcon shows res in i (themed icons of the same name draw the same).
func setIcon(i *widget.Icon, res fyne.Resource) {
	if res != nil && i.Resource != nil && i.Resource.Name() == res.Name() {
		return
	}
	i.SetResource(res)
}

// setButtonIcon shows res in b, unless b shows an icon of its name.
func setButtonIcon(b *widget.Button, res fyne.Resource) {
	if b.Icon != nil && b.Icon.Name() == res.Name() {
		return
	}
	b.SetIcon(res)
}

// stateLook is how a row shows a job's state: its icon, the state column
// (the progress bar, or a text in a colour), the colour of the detail line
// and what the state adds to it. The zero Importance is MediumImportance.
type stateLook struct {
	icon      fyne.Resource
	progress  bool
	text      string
	imp       widget.Importance
	detailImp widget.Importance
	more      []string
	// reason is why the job failed, was skipped or is retried, which the
	// detail line (in more) may cut short; "" for none.
	reason string
}

// lookOf is the look of job j's state.
func (v *uploadView) lookOf(j worker.Job) stateLook {
	switch j.State {
	case storage.JobQueued:
		return v.queuedLook(j)
	case storage.JobUploading:
		return uploadingLook(j)
	case storage.JobDone:
		text := tr("Uploaded")
		if j.Verified {
			text = checkMark + " " + tr("Verified")
		}
		return stateLook{icon: theme.NewSuccessThemedResource(theme.ConfirmIcon()), text: text, imp: widget.SuccessImportance, more: hashDetail(j)}
	case storage.JobFailed:
		return problemLook(theme.NewErrorThemedResource(theme.ErrorIcon()), tr("Failed"), widget.DangerImportance, jobReasonText(j, v.a.now()))
	case storage.JobCanceled:
		return stateLook{icon: theme.NewDisabledResource(theme.CancelIcon()), text: tr("Canceled")}
	case storage.JobAlready:
		// No state text: "Upload again" takes its place, and the detail
		// line says when it was uploaded.
		more := append([]string{jobReasonText(j, v.a.now())}, hashDetail(j)...)
		return stateLook{icon: theme.NewSuccessThemedResource(theme.ConfirmIcon()), more: more}
	case storage.JobSkipped:
		return problemLook(theme.NewWarningThemedResource(theme.WarningIcon()), tr("Skipped"), widget.WarningImportance, jobReasonText(j, v.a.now()))
	case storage.JobWaitingSignIn:
		return stateLook{icon: theme.NewWarningThemedResource(theme.AccountIcon()), text: tr("Needs sign-in"), imp: widget.WarningImportance}
	}
	return stateLook{icon: theme.FileIcon(), text: string(j.State)}
}

// queuedLook is the look of a queued job: paused with the whole queue
// (saying how far its upload got where Pause stopped it), waiting, or
// waiting to retry after a failure. A file Pause stopped partway waits
// after Resume like any other (it goes back behind the files that were
// waiting): its row no longer says Paused, nor "when you resume".
func (v *uploadView) queuedLook(j worker.Job) stateLook {
	look := stateLook{icon: theme.NewDisabledResource(theme.HistoryIcon()), text: tr("Waiting")}
	switch {
	case v.sum.Paused:
		look.text = tr("Paused")
		if j.PausedAt > 0 {
			look.more = []string{pausedText(j)}
		}
	case j.Reason == worker.ReasonPaused:
		// Stopped by a Pause, since resumed: not a retry after a failure.
	case j.Attempts > 0 && j.Err != "":
		look.text = tr("Retrying ({{.N}})", map[string]any{"N": j.Attempts})
		look.imp = widget.WarningImportance
		look.reason = jobReasonText(j, v.a.now())
		look.more = []string{look.reason}
	}
	return look
}

// problemLook is the look of a job that did not upload: the state and the
// detail line in the colour of imp, the worded reason in the detail line.
func problemLook(icon fyne.Resource, text string, imp widget.Importance, reason string) stateLook {
	return stateLook{icon: icon, text: text, imp: imp, detailImp: imp, more: []string{reason}, reason: reason}
}

// placeDetails are the first details of every row: the file's size, where
// it is known, and the folder it goes to.
func placeDetails(j worker.Job) []string {
	var details []string
	if sizeKnown(j) {
		details = append(details, formatSize(j.Size))
	}
	dest := j.FolderPath
	if j.ParentID != nil {
		dest = tr("folder #{{.ID}}", map[string]any{"ID": *j.ParentID})
	}
	if dest != "" {
		details = append(details, tr("in {{.Folder}}", map[string]any{"Folder": inert.Text(dest)}))
	}
	return details
}

// sizeKnown reports whether j.Size is its file's size. A file the queue
// refused while listing it (a device, a pipe, a name Windows keeps for a
// device, a file it may not open) was never measured: its size is 0, and
// "0 bytes" would read as an empty file. Such a job is skipped, or failed
// for a problem of the request or of the file found before reading it; one
// saved before reasons had codes and failed with size 0 is taken as one.
// An empty file that was read, then failed at dStor or on the way there,
// shows its 0 bytes.
func sizeKnown(j worker.Job) bool {
	if j.Size > 0 {
		return true
	}
	switch j.State {
	case storage.JobSkipped:
		return false
	case storage.JobFailed:
		return j.Reason != "" && !j.Reason.RefusedBeforeReading()
	}
	return true
}

// uploadingLook is the look of an upload: its progress, speed and time
// left, or, once it has made no progress for a while (Job.QuietSince),
// since when it has waited and on what, in the warning colour and whole
// behind ⓘ, as the speed and time left it showed then no longer hold: dStor
// taking no more of the file, not answering, or an answer that began and
// stopped arriving.
func uploadingLook(j worker.Job) stateLook {
	look := stateLook{icon: theme.NewPrimaryThemedResource(theme.UploadIcon()), progress: true}
	if j.QuietSince.IsZero() {
		look.more = progressDetails(j)
		return look
	}
	at := map[string]any{"Time": j.QuietSince.Local().Format("15:04:05")}
	look.reason = tr("dStor has taken nothing more of this file since {{.Time}} — still waiting.", at)
	switch {
	case j.AnswerBegun:
		look.reason = tr("dStor's answer began, then stopped arriving: nothing more of it since {{.Time}} — still waiting.", at)
	case j.Sent >= j.Size:
		look.reason = tr("All of this file is sent, and dStor has not answered since {{.Time}} — still waiting.", at)
	}
	look.text, look.more, look.detailImp = tr("Waiting for dStor"), []string{look.reason}, widget.WarningImportance
	return look
}

// progressDetails are an upload's speed and time left, where known.
func progressDetails(j worker.Job) []string {
	var details []string
	if sp := formatSpeed(j.Speed); sp != "" {
		details = append(details, sp)
	}
	if eta := formatETA(j.ETA); eta != "" {
		details = append(details, eta)
	}
	return details
}

// hashDetail is the job's content hash as a detail, where it has one.
func hashDetail(j worker.Job) []string {
	if j.Hash == "" {
		return nil
	}
	return []string{j.Hash}
}

// showState fills the state column: the progress bar during the upload,
// otherwise the state's text (hidden where it has none).
func (r *queueRow) showState(j worker.Job, look stateLook) {
	if look.progress {
		fraction := 0.0
		if j.Size > 0 {
			fraction = float64(j.Sent) / float64(j.Size)
		}
		if r.progress.Value != fraction {
			r.progress.SetValue(fraction)
		}
		r.progress.Show()
		r.state.Hide()
		return
	}
	r.progress.Hide()
	setLabel(r.state, look.text, look.imp)
	show(r.state, look.text != "")
}

// showActions shows the buttons that fit job j's state, look. Cancel and Retry
// never take each other's place: the second click of a double-click on
// one would undo the first. A canceled or failed row keeps Cancel's place
// empty, with Retry to its left and Remove left of Retry: such a row stays
// until the person retries or removes it (Clear finished keeps it). A
// skipped row, which Retry leaves alone, has Remove too, so that it can
// go once its reason is read without Clear finished taking every other
// finished row with it; it keeps the places of Retry and Cancel empty, so
// that its Remove lines up with the others.
func (r *queueRow) showActions(j worker.Job, look stateLook) {
	retry := j.State == storage.JobFailed || j.State == storage.JobCanceled
	removable := retry || j.State == storage.JobSkipped
	changed := show(r.why, look.reason != "")
	changed = show(r.cancel, !j.State.Final()) || changed
	changed = show(r.cancelSlot, !j.State.Final() || removable) || changed
	changed = show(r.retry, retry) || changed
	changed = show(r.retrySlot, removable) || changed
	changed = show(r.remove, removable) || changed
	linked := (j.State == storage.JobDone || j.State == storage.JobAlready) && j.Hash != ""
	changed = show(r.copyLink, linked) || changed
	changed = show(r.open, linked) || changed
	changed = show(r.again, j.State == storage.JobAlready) || changed
	if changed {
		r.actions.Refresh() // laid out again for the buttons that came or went
	}
}

// blank shows nothing in the row while its job is being read, or, when
// the read failed (unread), that it could not be read, and why: the
// database's error, not the sentence of a control that did nothing
// (humanError of worker.ErrQueueUnread).
func (r *queueRow) blank(unread error) {
	r.jobID = ""
	r.icon.SetResource(nil)
	r.name.SetText("")
	r.detail.SetText("")
	if unread != nil {
		r.name.SetText(tr("This row could not be read; it is read again every few seconds."))
		r.detail.SetText(humanError(unreadCause(unread)))
	}
	for _, o := range []fyne.CanvasObject{r.progress, r.state, r.cancel, r.cancelSlot, r.retry, r.retrySlot, r.remove, r.why, r.copyLink, r.open, r.again} {
		o.Hide()
	}
	r.actions.Refresh()
}

// pausedText says how far an upload got before Pause stopped it, and that
// it starts again from the beginning.
func pausedText(j worker.Job) string {
	got := formatSize(j.PausedAt)
	if j.Size > 0 {
		got = fmt.Sprintf("%d%%", j.PausedAt*100/j.Size)
	}
	return tr("Stopped at {{.Where}}: dStor cannot resume an upload partway, so it starts again from the beginning when you resume", map[string]any{"Where": got})
}

// alreadyText says when an already uploaded file was uploaded, from the
// worker's sentence msg, in the window's language.
func alreadyText(msg string, now time.Time) string {
	if at, ok := worker.AlreadyUploadedAt(msg); ok {
		return tr("Already uploaded ({{.When}})", map[string]any{"When": formatDate(at, now)})
	}
	return sentence(msg)
}

// unreadCause is the database's error in err, a failed read of the
// queue's rows (worker.QueueUnreadError), or err when it is none.
func unreadCause(err error) error {
	var unread *worker.QueueUnreadError
	if errors.As(err, &unread) {
		return unread.Err
	}
	return err
}
