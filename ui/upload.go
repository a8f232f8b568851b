package ui

import (
	"errors"
	"slices"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

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
	quitBtn   *widget.Button // in the banner of a history deleted or replaced

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
	// removed is the last job Remove was pressed on, at removedAt
	// (onRemove).
	removed   string
	removedAt time.Time
	// choosing is true while the desktop's chooser of Add files… or Add
	// folder… is open; fyneChooser is the overlay of the last Fyne
	// chooser they opened instead (pickAndAdd).
	choosing    bool
	fyneChooser fyne.CanvasObject
	// cancelQuestion is the overlay of the last "Cancel all uploads?";
	// the question is open while it is among the window's overlays.
	cancelQuestion fyne.CanvasObject

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
	// readErr is why the last page read failed (nil when it did not):
	// the rows the window misses say so. retryDue says the window is read
	// again listRetry after it (retryLater, numbered retryGen), and the
	// list asks for no row until then.
	readErr  error
	retryDue bool
	retryGen uint64
	// listVer changes whenever a job the list shows changes, is added or
	// leaves; drawn is what the list was last refreshed for (drawList),
	// and drawnAt when. listOwed says a refresh was held back: the pump's
	// goroutine reads it to bring one.
	listVer  uint64
	drawn    listDrawn
	drawnAt  time.Time
	listOwed atomic.Bool

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

// buildBanners makes the notice and the "waiting for sign-in" banner, both
// hidden.
func (v *uploadView) buildBanners() {
	v.notice = note(widget.WarningImportance, fyne.TextWrapWord)
	v.noticeBox = container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.WarningIcon())), nil, v.notice)
	v.noticeBox.Hide()

	v.waitLabel = note(widget.WarningImportance, fyne.TextWrapWord)
	v.signInBtn = widget.NewButtonWithIcon(tr("Sign in again"), theme.LoginIcon(), v.a.onReauth)
	v.signInBtn.Importance = widget.WarningImportance
	v.quitBtn = widget.NewButtonWithIcon(tr("Quit"), theme.LogoutIcon(), v.a.onCloseRequested)
	v.quitBtn.Importance = widget.WarningImportance
	v.quitBtn.Hide()
	v.waiting = container.NewBorder(nil, nil, widget.NewIcon(theme.NewWarningThemedResource(theme.AccountIcon())),
		container.NewHBox(v.signInBtn, v.quitBtn), v.waitLabel)
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
			o.(*queueRow).blank(v.readErr)
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

// queueHead is the toolbar above the queue and the overall progress bar.
func (v *uploadView) queueHead() fyne.CanvasObject {
	v.toolbar = &toolbarLayout{labelsFrom: 760, summary: v.summary,
		buttons: []*iconButton{v.pause, v.retryFailed, v.cancelAll, v.clearFinished},
		labels:  []string{v.pause.Text, v.retryFailed.Text, v.cancelAll.Text, v.clearFinished.Text},
		on:      true,
	}
	toolbar := container.New(v.toolbar, v.summary, container.NewHBox(v.pause, v.retryFailed, v.cancelAll, v.clearFinished))
	return container.NewVBox(widget.NewSeparator(), toolbar, container.New(&fixedHeightLayout{height: 4}, v.overall))
}

// add queues paths with the current destination. The queue walks folders
// on its own goroutine, so this returns at once whatever was dropped.
// then, when not nil, runs on a goroutine once the queue has saved them
// in the database (worker.Queue.Add), so that a kill from then on loses
// none of them, or once it is clear that they are not added: with a
// *destinationError when the destination is not valid, a *notListedError
// when the history file is gone and the queue keeps them for the next
// start instead, a *waitingForRoomError when the disk is full and the
// queue keeps them until there is room, or the database's error when it
// refused them. Never when
// the window closes first.
func (v *uploadView) add(paths []string, then func(error)) {
	if v.sess == nil {
		v.a.goThen(then, errClosed)
		return
	}
	reqs, err := v.requests(paths)
	if err != nil || len(reqs) == 0 {
		v.a.goThen(then, err)
		return
	}
	q := v.sess.queue
	a := v.a
	a.goBg(func() {
		saved := q.Add(reqs...)
		select {
		case <-saved.Done():
		case <-a.stop:
			return
		}
		err := saved.Err()
		if gone, ok := errors.AsType[*storage.ReplacedError](err); ok {
			// Kept for the next start, not uploaded (worker.Queue.NotListed:
			// the window's queues stop when the history is gone).
			a.do(func() { a.showMessage(tr("Not uploaded now"), notListedText(gone)) })
			err = &notListedError{gone: gone}
		}
		if full, ok := errors.AsType[*storage.DiskFullError](err); ok {
			// Listed and uploaded once there is room (the queue waits,
			// Summary.Stalled names the disk), not refused.
			err = &waitingForRoomError{full: full, until: heldForRoom}
		}
		if then != nil {
			then(err)
		}
	})
}

// notListedText says that files just added are not uploaded because the
// history file was deleted or replaced (the banner's historyGoneText),
// and that quitting keeps them for the next start, which adds them to the
// queue (App.NotListed, storage.DB.CloseCarryingOver).
func notListedText(e *storage.ReplacedError) string {
	return tr("The upload history {{.Path}} was deleted, moved away or replaced while dStor Uploader was using it, so the files just added are not uploaded now. "+
		"Quit dStor Uploader and start it again: as it quits, it keeps them in the history there, and they are added to the queue when dStor Uploader starts again.",
		map[string]any{"Path": inert.Line(e.Path)})
}

// notListedError is what uploadView.add tells of files the queue did not
// list because the history file was deleted or replaced: they are not
// uploaded now, and the window keeps them, in memory, until it quits, then
// writes them into the history at the path for the next start (App.NotListed).
// A later launch that handed them over is told so (answer).
type notListedError struct{ gone *storage.ReplacedError }

func (e *notListedError) Error() string {
	return "not uploaded now, kept for the next start: " + e.gone.Error()
}

func (e *notListedError) Unwrap() error { return e.gone }

// waitingForRoomError is what uploadView.add tells of files whose save the
// full disk of the database refused: the queue holds them, in memory only,
// and lists and uploads them once there is room (worker: a full disk is a
// wait). So does a window nobody is signed in to (keepPendingThen): it
// holds them in memory and queues them at the sign-in; and a window asked
// to upload them to another environment than its own (onHandoff): its
// question holds them, and a yes queues them. A later launch that handed
// them over is told so (answer), not that they were refused.
type waitingForRoomError struct {
	full  *storage.DiskFullError
	until heldUntil // what else the files wait for besides room
}

// heldUntil is what files held in a window's memory wait for before its
// queue has them.
type heldUntil int

const (
	heldForRoom   heldUntil = iota // only room: the queue has them
	heldForSignIn                  // a sign-in, then the queue
	heldForAnswer                  // the answer to the question about their environment
)

func (e *waitingForRoomError) Error() string {
	return "not saved yet, waiting for room: " + e.full.Error()
}

func (e *waitingForRoomError) Unwrap() error { return e.full }

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

// onCancelAll asks, then cancels every file not uploaded yet. It asks as
// Quit and Sign out do while uploading: nothing undoes it (Retry failed
// leaves canceled files alone), and its button sits beside Retry failed
// and Clear finished. A second press while the question is open asks no
// second time; files added while it is open make it ask again.
func (v *uploadView) onCancelAll() {
	if v.sess == nil {
		return
	}
	c := v.a.win.Canvas()
	if v.cancelQuestion != nil && slices.Contains(c.Overlays().List(), v.cancelQuestion) {
		return
	}
	s := v.sum
	n := s.Queued + s.Uploading + s.Waiting
	text := trn("{{.Count}} files not uploaded yet are canceled. To upload them after that, retry each one.", n)
	if s.Walking {
		text += " " + tr("Folders still being listed are not listed any further.")
	}
	v.a.confirm(tr("Cancel all uploads?"), text, tr("Cancel uploads"), tr("Keep uploading"), func() {
		// Files or folders added while it was open (another launch, a
		// drop) are not the ones it named: it asks again, naming them
		// all. Those of a folder it said was still being listed were.
		if now := v.sum; !s.Walking && (now.Walking || now.Total > s.Total) {
			v.onCancelAll()
			return
		}
		v.cancelAllNow()
	})
	v.cancelQuestion = c.Overlays().Top()
}

// cancelAllNow cancels every file not uploaded yet, without asking.
func (v *uploadView) cancelAllNow() {
	v.queueDo(func(q *worker.Queue) error { q.CancelAll(); return nil })
}

func (v *uploadView) onClearFinished() {
	v.queueDo(func(q *worker.Queue) error { q.ClearFinished(); return nil })
}

func (v *uploadView) onCancel(id string) {
	v.queueDo(func(q *worker.Queue) error { return q.Cancel(id) })
}

func (v *uploadView) onRetry(id string) {
	v.queueDo(func(q *worker.Queue) error { return q.Retry(id) })
}

// doubleClickTime is how long after a Remove another row's Remove is
// taken for the second click of a double-click and ignored: when a row
// goes, the rows below move up under the pointer, and that second click
// would remove the next one.
const doubleClickTime = 500 * time.Millisecond

// onRemove takes a canceled, failed or skipped job out of the queue and
// the database.
func (v *uploadView) onRemove(id string) {
	now := v.a.now()
	if id != v.removed && now.Sub(v.removedAt) < doubleClickTime {
		return
	}
	v.removed, v.removedAt = id, now
	v.queueDo(func(q *worker.Queue) error { return q.Remove(id) })
}

// onShowReason shows the whole reason job id failed, was skipped or is
// retried, which its row's detail line may cut short (in German at the
// window's first size, say), with the file's name.
func (v *uploadView) onShowReason(id string) {
	j, ok := v.jobByID(id)
	if !ok {
		return
	}
	if look := v.lookOf(j); look.reason != "" {
		v.a.showTextDialog(look.text, theme.InfoIcon(), nameText(j.Name), look.reason, dialogChoice{label: tr("OK")})
	}
}

// onUploadAgain sends a file found already uploaded once more.
func (v *uploadView) onUploadAgain(id string) {
	v.queueDo(func(q *worker.Queue) error { return q.UploadAgain(id) })
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
// where no native dialog exists, failure the title of an error. One
// chooser at a time: a press of Add files… or Add folder… (or their
// shortcuts) while one is open does nothing, so a hasty second press,
// made while the desktop's chooser takes its time to come up, does not
// ask again once the first is answered.
func (v *uploadView) pickAndAdd(pick func() ([]string, error), fyneDialog func() fyne.CanvasObject, failure string) {
	if v.a.sess == nil || v.chooserOpen() {
		return
	}
	a := v.a
	v.choosing = true
	a.goPicker(func() {
		paths, err := pick()
		a.do(func() {
			v.choosing = false
			switch {
			case err == errUseFyneDialog:
				v.fyneChooser = fyneDialog()
			case err != nil:
				a.showError(failure, err)
			default:
				a.addPaths(paths)
			}
		})
	})
}

// chooserOpen reports whether a chooser of Add files… or Add folder… is
// open: the desktop's, until it is answered, or Fyne's, while it is among
// the window's overlays (Escape takes it off without a callback).
func (v *uploadView) chooserOpen() bool {
	if v.choosing {
		return true
	}
	return v.fyneChooser != nil && slices.Contains(v.a.win.Canvas().Overlays().List(), v.fyneChooser)
}
