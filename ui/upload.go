package ui

import (
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// Destination modes of the Upload tab (ids; destModeLabel names them).
const (
	destFolder = "Folder path"
	destParent = "Parent folder id"
)

// destModeLabel is how the Upload tab names a destination mode, in the
// window's language.
func destModeLabel(mode string) string {
	if mode == destParent {
		return tr("Parent folder id")
	}
	return tr("Folder path")
}

// destModeOf is the destination mode shown as label.
func destModeOf(label string) string {
	if label == destModeLabel(destParent) {
		return destParent
	}
	return destFolder
}

// uploadView is the Upload tab: the drop zone, the destination, and the
// queue as a virtual list.
type uploadView struct {
	a *App

	addFiles  *widget.Button
	addFolder *widget.Button
	destMode  *widget.Select
	folder    *widget.SelectEntry
	parent    *widget.Entry
	comment   *widget.Entry
	destError *widget.Label

	notice    *widget.Label
	noticeBox *fyne.Container
	waiting   *fyne.Container
	waitLabel *widget.Label
	signInBtn *widget.Button

	pause         *iconButton
	retryFailed   *iconButton
	cancelAll     *iconButton
	clearFinished *iconButton
	summary       *widget.Label
	toolbar       *toolbarLayout
	overall       *widget.ProgressBar

	list  *widget.List
	empty fyne.CanvasObject

	trayMenu  *fyne.Menu
	trayPause *fyne.MenuItem

	sess *activeSession
	// locked counts what was saved for later while another process runs
	// the account's queue (App.waitForQueue).
	locked int
	sum    worker.Summary

	// The window of the list held in memory (upload_list.go): jobs are
	// rows first … first+len(jobs)-1 of the list, index maps their ids to
	// their indexes in jobs, and atEnd says they reach the end of the
	// list. unsaved are the jobs without a database row, listed last.
	jobs    []worker.Job
	first   int
	index   map[string]int
	atEnd   bool
	unsaved []worker.Job
	// sending maps the uploads in flight to their speeds, so the total
	// speed of each frame costs the uploads, not the list.
	sending map[string]float64
	// listGen changes whenever the list's positions do, so a page read
	// before is not placed; loading says a page is being read, reread
	// that the window must be read again once it is in, and late holds
	// the jobs added meanwhile (lateLost: more than it holds). tried is
	// the last row asked for, with listGen and the list's length then.
	listGen  uint64
	loading  bool
	reread   bool
	late     []worker.Job
	lateLost bool
	tried    [3]int

	// batch counts what finished since the queue last became busy, for
	// the notification when it goes idle.
	wasBusy     bool
	batchDone   int
	batchFailed int

	content fyne.CanvasObject
}

func newUploadView(a *App) *uploadView {
	v := &uploadView{a: a}
	v.resetWindow()
	v.addFiles = widget.NewButtonWithIcon(tr("Add files…"), theme.FileIcon(), v.onAddFiles)
	v.addFiles.Importance = widget.HighImportance
	v.addFolder = widget.NewButtonWithIcon(tr("Add folder…"), theme.FolderOpenIcon(), v.onAddFolder)
	v.buildDestination(a.currentSettings())
	v.buildBanners()
	v.buildQueue()

	dropZone, dropSub := v.dropZone()
	dest, pair := v.destinationRow()
	top := container.NewVBox(v.noticeBox, v.waiting, dropZone, dest, v.destError)
	queueHead := v.queueHead()
	// At least two whole rows of the queue, whatever the window's size.
	rows := container.New(minHeightLayout{height: 2 * newQueueRow(v).MinSize().Height}, container.NewStack(v.empty, v.list))
	// In a short window the drop zone loses its second line, and in a
	// narrow one the destination and the comment take a line each: the
	// queue gets the room.
	v.content = container.New(&adaptLayout{adapt: func(size fyne.Size) {
		show(dropSub, size.Height >= 560)
		pair.fit(size.Width, dest.Objects)
	}}, container.NewBorder(container.NewVBox(top, queueHead), nil, nil, nil, rows))
	v.onDestModeChanged(destModeOf(v.destMode.Selected))
	v.render()
	return v
}

// buildDestination makes the destination and comment fields, filled from
// the settings st.
func (v *uploadView) buildDestination(st storage.Settings) {
	v.folder = widget.NewSelectEntry(st.RecentFolders)
	v.folder.SetPlaceHolder(tr("/ (the account's root)"))
	// Fyne's drop-down arrow would be named after its icon's file.
	v.folder.SetOptions(st.RecentFolders) // makes the arrow now
	if b, ok := v.folder.ActionItem.(*widget.Button); ok {
		arrow := newIconButton(tr("Recent destination folders"), b.Icon, b.OnTapped)
		arrow.Importance = b.Importance
		v.folder.ActionItem = arrow
	}
	v.folder.SetText(st.DefaultFolderPath)
	v.parent = widget.NewEntry()
	v.parent.SetPlaceHolder(tr("Folder id, e.g. 1234"))
	if st.ParentID != nil {
		v.parent.SetText(strconv.FormatInt(*st.ParentID, 10))
	}
	v.comment = widget.NewEntry()
	v.comment.SetPlaceHolder(tr("Optional note stored with each file"))
	v.comment.SetText(st.Comment)
	v.destError = note(widget.DangerImportance, fyne.TextWrapWord)
	v.destError.Hide()
	// A drop-down rather than radio buttons: narrow enough for the
	// destination and the comment to share a line in a wide window.
	v.destMode = widget.NewSelect([]string{destModeLabel(destFolder), destModeLabel(destParent)},
		func(label string) { v.onDestModeChanged(destModeOf(label)) })
	if st.ParentID != nil {
		v.destMode.SetSelected(destModeLabel(destParent))
	} else {
		v.destMode.SetSelected(destModeLabel(destFolder))
	}
	v.folder.OnChanged = func(string) { v.onDestChanged() }
	v.parent.OnChanged = func(string) { v.onDestChanged() }
	v.comment.OnChanged = func(string) { v.onDestChanged() }
}

// buildBanners makes the notice and the "waiting for sign-in" banner, both
// hidden.
func (v *uploadView) buildBanners() {
	v.notice = note(widget.WarningImportance, fyne.TextWrapWord)
	v.noticeBox = container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())), nil, v.notice)
	v.noticeBox.Hide()

	v.waitLabel = note(widget.WarningImportance, fyne.TextWrapWord)
	v.signInBtn = widget.NewButtonWithIcon(tr("Sign in again"), theme.LoginIcon(), v.a.onReauth)
	v.signInBtn.Importance = widget.WarningImportance
	v.waiting = container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.AccountIcon())), v.signInBtn, v.waitLabel)
	v.waiting.Hide()
}

// buildQueue makes the queue's buttons, summary, progress bar and list.
func (v *uploadView) buildQueue() {
	// Named buttons: a narrow window shows their icons alone.
	v.pause = newLabelledButton(tr("Pause"), theme.MediaPauseIcon(), v.onPauseResume)
	v.retryFailed = newLabelledButton(tr("Retry failed"), theme.ViewRefreshIcon(), v.onRetryFailed)
	v.cancelAll = newLabelledButton(tr("Cancel all"), theme.CancelIcon(), v.onCancelAll)
	v.clearFinished = newLabelledButton(tr("Clear finished"), theme.ContentClearIcon(), v.onClearFinished)
	v.summary = widget.NewLabel("")
	v.summary.Truncation = fyne.TextTruncateEllipsis
	v.overall = widget.NewProgressBar()
	v.overall.TextFormatter = func() string { return "" }
	v.overall.Hide()

	v.list = widget.NewList(
		v.listLen,
		func() fyne.CanvasObject { return newQueueRow(v) },
		func(id widget.ListItemID, o fyne.CanvasObject) {
			if j, ok := v.jobAt(id); ok {
				o.(*queueRow).set(j)
				return
			}
			o.(*queueRow).blank()
			v.want(id)
		},
	)
	emptyText := widget.NewLabelWithStyle(tr("Files you add appear here with their progress and their links."), fyne.TextAlignCenter, fyne.TextStyle{})
	emptyText.Importance = widget.MediumImportance
	v.empty = container.NewCenter(emptyText)
}

// dropZone is what a person sees first, and where to drop, with its
// second line (hidden in a short window).
func (v *uploadView) dropZone() (fyne.CanvasObject, *widget.Label) {
	// One compact row, so the queue keeps most of the window.
	icon := canvas.NewImageFromResource(theme.NewPrimaryThemedResource(theme.UploadIcon()))
	icon.FillMode = canvas.ImageFillContain
	icon.SetMinSize(fyne.NewSquareSize(28))
	dropTitle := widget.NewLabelWithStyle(tr("Drop files or folders here"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	dropSub := widget.NewLabel(tr("anywhere in this window, or choose them"))
	dropSub.SizeName = theme.SizeNameCaptionText
	zone := container.NewBorder(nil, nil,
		container.NewHBox(container.NewCenter(icon), container.New(&rowTextLayout{whole: true}, dropTitle, dropSub)),
		container.NewCenter(container.NewHBox(v.addFiles, v.addFolder)))
	dropZone := newThemedBox(theme.ColorNameInputBackground, theme.ColorNamePrimary, zone)
	return dropZone, dropSub
}

// destinationRow lays out the destination and the comment, side by side
// when the window is wide enough (pair decides).
func (v *uploadView) destinationRow() (*fyne.Container, *pairLayout) {
	destField := container.NewStack(v.folder, v.parent)
	destLabel := widget.NewLabelWithStyle(tr("Upload to"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	commentLabel := widget.NewLabelWithStyle(tr("Comment"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	// The labels share one width, as in a form, when the rows are stacked.
	labelWidth := fyne.Max(destLabel.MinSize().Width, commentLabel.MinSize().Width)
	pair := &pairLayout{side: 420}
	dest := container.New(pair,
		container.NewBorder(nil, nil, container.New(&fixedWidthLayout{width: labelWidth}, destLabel),
			nil, container.NewBorder(nil, nil, v.destMode, nil, destField)),
		container.NewBorder(nil, nil, container.New(&fixedWidthLayout{width: labelWidth}, commentLabel), nil, v.comment),
	)
	return dest, pair
}

// queueHead is the toolbar above the queue and the overall progress bar.
func (v *uploadView) queueHead() fyne.CanvasObject {
	v.toolbar = &toolbarLayout{labelsFrom: 760,
		buttons: []*iconButton{v.pause, v.retryFailed, v.cancelAll, v.clearFinished},
		labels:  []string{v.pause.Text, v.retryFailed.Text, v.cancelAll.Text, v.clearFinished.Text},
		on:      true,
	}
	toolbar := container.New(v.toolbar, v.summary, container.NewHBox(v.pause, v.retryFailed, v.cancelAll, v.clearFinished))
	return container.NewVBox(widget.NewSeparator(), toolbar, container.New(&fixedHeightLayout{height: 4}, v.overall))
}

// onDestModeChanged shows the field of the chosen destination kind.
func (v *uploadView) onDestModeChanged(mode string) {
	if v.folder == nil || v.parent == nil {
		return
	}
	if mode == destParent {
		v.folder.Hide()
		v.parent.Show()
	} else {
		v.parent.Hide()
		v.folder.Show()
	}
	v.onDestChanged()
}

// destination reads and validates the destination and comment; the error
// is a sentence for the person.
func (v *uploadView) destination() (folder string, parent *int64, comment string, msg string) {
	comment = strings.TrimSpace(v.comment.Text)
	if err := api.ValidateComment(comment); err != nil {
		return "", nil, "", tr("Comment:") + " " + humanError(err)
	}
	if destModeOf(v.destMode.Selected) == destParent {
		s := strings.TrimSpace(v.parent.Text)
		if s == "" {
			return "", nil, comment, ""
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return "", nil, comment, tr("The parent folder id must be a whole number, like 1234.")
		}
		if err := api.ValidateParentID(id); err != nil {
			return "", nil, comment, humanError(err)
		}
		return "", &id, comment, ""
	}
	folder = strings.TrimSpace(v.folder.Text)
	if folder != "" {
		if err := api.ValidateFolderPath(folder); err != nil {
			return "", nil, comment, humanError(err)
		}
	}
	return folder, nil, comment, ""
}

// onDestChanged validates as the person types and remembers the choice.
func (v *uploadView) onDestChanged() {
	if v.destError == nil {
		return
	}
	folder, parent, comment, msg := v.destination()
	if msg != "" {
		v.destError.SetText(msg)
		v.destError.Show()
		return
	}
	v.destError.Hide()
	v.a.changeSettings(func(s storage.Settings) storage.Settings {
		s.DefaultFolderPath = folder
		s.ParentID = parent
		s.Comment = comment
		return s
	})
}

// add queues paths with the current destination. The queue walks folders
// on its own goroutine, so this returns at once whatever was dropped.
func (v *uploadView) add(paths []string) {
	if v.sess == nil {
		return
	}
	reqs, ok := v.requests(paths)
	if !ok {
		return
	}
	q := v.sess.queue
	v.a.goBg(func() { q.Add(reqs...) })
}

// requests are paths with the current destination and comment; false (and
// the reason shown) when those are not valid.
func (v *uploadView) requests(paths []string) ([]worker.Request, bool) {
	if len(paths) == 0 {
		return nil, false
	}
	folder, parent, comment, msg := v.destination()
	if msg != "" {
		v.destError.SetText(tr("Nothing was added:") + " " + msg)
		v.destError.Show()
		return nil, false
	}
	reqs := make([]worker.Request, 0, len(paths))
	for _, p := range paths {
		reqs = append(reqs, worker.Request{Path: p, FolderPath: folder, ParentID: parent, Comment: comment})
	}
	if folder != "" {
		s := v.a.changeSettings(func(s storage.Settings) storage.Settings { return s.WithRecentFolder(folder) })
		v.folder.SetOptions(s.RecentFolders)
	}
	return reqs, true
}

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
func (v *uploadView) render() {
	s := v.sum
	signedIn := v.sess != nil
	for _, b := range []*widget.Button{v.addFiles, v.addFolder} {
		enable(b, v.a.sess != nil) // while the queue is elsewhere, kept for later
	}
	v.showPaused(s.Paused)
	enable(&v.pause.Button, signedIn && (v.busy() || s.Paused))
	enable(&v.retryFailed.Button, signedIn && s.Failed+s.Canceled > 0)
	enable(&v.cancelAll.Button, signedIn && s.Queued+s.Uploading+s.Waiting > 0)
	enable(&v.clearFinished.Button, signedIn && s.Done+s.Canceled+s.Skipped+s.Already > 0)
	v.summary.SetText(summaryText(s, v.totalSpeed()))

	v.showWaiting(s)
	if s.BytesTotal > 0 && v.busy() {
		v.overall.SetValue(float64(s.BytesDone) / float64(s.BytesTotal))
		v.overall.Show()
	} else {
		v.overall.Hide()
	}
	if v.listLen() == 0 {
		v.empty.Show()
	} else {
		v.empty.Hide()
	}
	v.list.Refresh()
}

// showPaused makes Pause, in the toolbar and the tray menu, say what it
// does now: pause, or resume when paused.
func (v *uploadView) showPaused(paused bool) {
	if paused {
		v.toolbar.setLabel(0, tr("Resume"))
		v.pause.SetIcon(theme.MediaPlayIcon())
	} else {
		v.toolbar.setLabel(0, tr("Pause"))
		v.pause.SetIcon(theme.MediaPauseIcon())
	}
	if v.trayPause != nil {
		label := tr("Pause uploads")
		if paused {
			label = tr("Resume uploads")
		}
		if v.trayPause.Label != label {
			v.trayPause.Label = label
			v.trayMenu.Refresh()
		}
	}
}

// showWaiting shows why uploads wait, if they do: a full disk, or a
// session to sign in to again.
func (v *uploadView) showWaiting(s worker.Summary) {
	switch {
	case s.Stalled != "":
		// A full disk: what to free, and that nothing is lost meanwhile.
		v.waitLabel.SetText(tr("Uploads paused: {{.Reason}}. Finished uploads wait to be recorded; nothing is lost or sent twice.", map[string]any{"Reason": inert.Line(s.Stalled)}))
		v.signInBtn.Hide()
		v.waiting.Show()
	case s.WaitingSignIn:
		v.waitLabel.SetText(trn("Your session has expired. Sign in again to continue {{.Count}} uploads.", s.Waiting+s.Queued))
		v.signInBtn.Show()
		v.waiting.Show()
	default:
		v.waiting.Hide()
	}
}

// summaryText is the line above the queue: "12 of 40 uploaded · 1 failed ·
// 230 MB left".
func summaryText(s worker.Summary, speed float64) string {
	if s.Total == 0 {
		if s.Walking {
			return tr("Listing folders…")
		}
		return tr("No uploads yet")
	}
	var parts []string
	if active := s.Total - s.Skipped - s.Canceled - s.Already; active > 0 || s.Already == 0 {
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
	if sp := formatSpeed(speed); sp != "" {
		parts = append(parts, sp)
	}
	if s.UploadLimit > 0 {
		parts = append(parts, tr("limited to {{.Rate}}/s", map[string]any{"Rate": api.FormatRate(s.UploadLimit)})) // as set: 1024-based, like curl
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
	return strings.Join(parts, " · ")
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

// queueDo runs f, a queue call, off the UI goroutine: queue calls write to
// the database (10,000 rows for "Cancel all"); the result arrives as events.
func (v *uploadView) queueDo(f func(q *worker.Queue) error) {
	if v.sess == nil {
		return
	}
	q := v.sess.queue
	a := v.a
	a.goBg(func() {
		if err := f(q); err != nil {
			a.do(func() { a.showError(tr("That did not work"), err) })
		}
	})
}

func (v *uploadView) onPauseResume() {
	if v.sess == nil {
		return
	}
	paused := v.sum.Paused
	v.queueDo(func(q *worker.Queue) error {
		if paused {
			q.Resume()
		} else {
			q.Pause()
		}
		return nil
	})
}

func (v *uploadView) onRetryFailed() {
	v.queueDo(func(q *worker.Queue) error { q.RetryFailed(); return nil })
}

func (v *uploadView) onCancelAll() {
	v.queueDo(func(q *worker.Queue) error { q.CancelAll(); return nil })
}

func (v *uploadView) onClearFinished() {
	v.queueDo(func(q *worker.Queue) error { q.ClearFinished(); return nil })
}

func (v *uploadView) onCancel(id string) {
	v.queueDo(func(q *worker.Queue) error { q.Cancel(id); return nil })
}

func (v *uploadView) onRetry(id string) {
	v.queueDo(func(q *worker.Queue) error { q.Retry(id); return nil })
}

// onUploadAgain sends a file found already uploaded once more.
func (v *uploadView) onUploadAgain(id string) {
	v.queueDo(func(q *worker.Queue) error { q.UploadAgain(id); return nil })
}

func (v *uploadView) onCopyLink(id string) {
	if j, ok := v.jobByID(id); ok && j.Hash != "" {
		v.a.copyText(v.a.links().Link(v.a.sessionEnvKey(), j.Hash, j.Name), "Link")
	}
}

func (v *uploadView) onOpen(id string) {
	if j, ok := v.jobByID(id); ok && j.Hash != "" {
		v.a.openURL(v.a.links().GatewayLink(v.a.sessionEnvKey(), j.Hash, j.Name))
	}
}

// onAddFiles asks for files with the native dialog (Fyne's when that is
// not available) and queues them.
func (v *uploadView) onAddFiles() {
	v.pickAndAdd(v.a.pickFiles, v.a.fyneOpenFile, tr("Cannot choose files"))
}

// onAddFolder asks for a folder and queues it (walked by the worker).
func (v *uploadView) onAddFolder() {
	pickFolder := v.a.pickFolder
	v.pickAndAdd(func() ([]string, error) {
		p, err := pickFolder()
		if p == "" {
			return nil, err
		}
		return []string{p}, err
	}, v.a.fyneOpenFolder, tr("Cannot choose a folder"))
}

// pickAndAdd asks for paths with pick on a background goroutine (native
// dialogs block) and queues what was chosen; fyneDialog is the fallback
// where no native dialog exists, failure the title of an error.
func (v *uploadView) pickAndAdd(pick func() ([]string, error), fyneDialog func(), failure string) {
	if v.a.sess == nil {
		return
	}
	a := v.a
	a.goPicker(func() {
		paths, err := pick()
		a.do(func() {
			switch {
			case err == errUseFyneDialog:
				fyneDialog()
			case err != nil:
				a.showError(failure, err)
			default:
				a.addPaths(paths)
			}
		})
	})
}
