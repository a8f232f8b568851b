package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/assets"
	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/internal/startsig"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// AppID is the application id, the same as FyneApp.toml's, so preferences,
// notifications and the desktop file all refer to one app.
const AppID = "cloud.dstor.uploader"

// Options are what the command line gives the window, so `dstor-uploader
// --env sandbox file…` and a double-click share one entry point.
type Options struct {
	// Env preselects an environment and signs in straight away when it can:
	// "sandbox", "production", "testnet", a base URL, or "" for the last one.
	Env string
	// Home is the data directory; "" means storage.DataDir().
	Home string
	// Files are paths to upload once signed in ("Open with", %F); those
	// not there are not queued, but named in a notice (api.SplitNotThere).
	Files []string
	// Typed are the Files as the launch was given them (Typed[i] for
	// Files[i]), so the notice says of one typed starting with a ~ no
	// shell replaced what the command line says; nil when not known.
	Typed []string
	// Handoffs are the files (and --env) of later launches, handed over
	// because this window is the one of its data folder
	// (instance.Claim); nil when it is not. Each is marked Done once
	// queued, which answers its launch.
	Handoffs <-chan instance.Handoff
	// PickFiles opens "Add files…" once signed in (--add-files).
	PickFiles bool
	// Claimed, when set, waits for this window's claim of its data
	// folder, which waits for a command updating the upload history:
	// meanwhile Run shows a window that says so, with a way to quit
	// (ctx then ends). It returns the later launches' files (as
	// Handoffs) when the window opens, or open false: the files went to
	// another window (nil), or why not, which Run shows and returns.
	Claimed func(ctx context.Context) (handoffs <-chan instance.Handoff, open bool, err error)
}

// Deps are what an App is built from. They are explicit so tests can give a
// temporary database and an in-memory secret store instead of the real ones.
type Deps struct {
	// DB holds the history, the queue and the settings. Required.
	DB *storage.DB
	// Secrets is where API keys, tokens and remembered passwords go; nil
	// means storage.NewSecretStore with the default timeout.
	Secrets *storage.SecretStore
	// Home is the data directory; the Local sandbox keeps its files in
	// Home/sandbox.
	Home string
	// Env, Files, Typed, Handoffs and PickFiles are as in Options.
	Env       string
	Files     []string
	Typed     []string
	Handoffs  <-chan instance.Handoff
	PickFiles bool
	// NoAutoSignIn keeps the sign-in screen up even when a remembered
	// account or --env sandbox could sign in by itself (screenshots, tests).
	NoAutoSignIn bool
	// Theme, when set, is used instead of the saved theme without saving
	// it (screenshots).
	Theme string
	// NoTray leaves out the tray icon and its menu. Run sets it where no
	// tray icon can show: on Linux and the BSDs without a D-Bus session
	// bus (storage.AvoidBusAutolaunch), where Fyne would still make the
	// tray's hidden OpenGL window, the longest step before the window
	// itself showed.
	NoTray bool
}

// Run opens the window and returns when the person quits. It is what main
// calls when there is no subcommand. While it updates the history an older
// version left (seconds on a large one) it shows a window that says so
// (runWhileUpdating).
func Run(opts Options) error {
	if err := CheckDisplay(); err != nil {
		return err
	}
	home, err := runHome(opts.Home)
	if err != nil {
		return err
	}
	// Fyne's tray icon and notifications would autolaunch a D-Bus session
	// bus, left running after the window, when there is none; without one
	// no tray icon can show either.
	noBus := storage.AvoidBusAutolaunch()
	a, db, err := runClaimed(opts, home, noBus)
	if err != nil || a == nil {
		return err
	}
	a.Close()
	return errors.Join(a.notTaken(), closeHistory(db, a.Unrecorded(), a.NotListed()))
}

// runClaimed runs the window on the data folder home until the person
// quits, saying meanwhile what its start waits for: another process's
// update of the history (opts.Claimed), its own. It returns the App and
// its history, or why there is none (a nil App and error when the files
// went to another window, or the person quit first).
func runClaimed(opts Options, home string, noTray bool) (*App, *storage.DB, error) {
	if opts.Claimed != nil {
		fa := newFyneApp()
		return runAfterAnotherUpdate(fa, home, opts.Files, opts.Claimed, func(db *storage.DB, handoffs <-chan instance.Handoff) *App {
			opts.Handoffs = handoffs
			return startApp(fa, db, home, opts, noTray)
		}, noTray)
	}
	// Opened first: the window claimed its data folder, and another new
	// process that finds the history to update waits for it meanwhile.
	opened, updating := openHistory(home)
	fa := newFyneApp()
	start := func(db *storage.DB) *App { return startApp(fa, db, home, opts, noTray) }
	select {
	case r := <-opened:
		if r.err != nil {
			return nil, nil, openFailed(fa, home, r.err)
		}
		a := start(r.db)
		fa.Run()
		return a, r.db, nil
	case <-updating:
		return runWhileUpdating(fa, home, opts.Files, opened, start, noTray)
	}
}

// newFyneApp is the Fyne app of the window, with its id and icon.
func newFyneApp() fyne.App {
	fa := app.NewWithID(AppID)
	fa.SetIcon(assets.Icon)
	return fa
}

// runHome is the window's data folder: home made absolute and private, or
// the platform's when "".
func runHome(home string) (string, error) {
	if home == "" {
		return storage.DataDir()
	}
	abs, err := filepath.Abs(home)
	if err != nil {
		return "", err
	}
	if err := storage.MakeDataDir(abs); err != nil {
		return "", err
	}
	return abs, nil
}

// openedHistory is what opening the upload history gave: the history, or
// why not; said when err is a claim's, to be said as it is.
type openedHistory struct {
	db   *storage.DB
	err  error
	said bool
}

// openHistory opens the upload history in home on a goroutine of its
// own: its result comes on opened. updating is closed before that when it
// updates a history an older version left to this version's format, which
// takes seconds on a large history, so that the window says so meanwhile.
func openHistory(home string) (opened <-chan openedHistory, updating <-chan struct{}) {
	o, u := make(chan openedHistory, 1), make(chan struct{})
	go func() {
		db, err := storage.OpenWith(home, storage.OpenOptions{BeforeUpgrade: func() { close(u) }})
		o <- openedHistory{db: db, err: err}
	}()
	return o, u
}

// openFailed is the error of a history that could not be opened; an older
// version still using the data folder is said in a window first.
func openFailed(fa fyne.App, home string, err error) error {
	if refused(err) {
		newRefusalWindow(fa, err).ShowAndRun()
	}
	return openError(home, err)
}

// refused reports whether err is a history this version may not open now
// (an older version still uses the data folder, or another process has
// been updating it longer than this one waits), which the window says in
// a window of its own (newRefusalWindow) before it exits.
func refused(err error) bool {
	return errors.Is(err, storage.ErrOlderVersionRunning) || errors.Is(err, storage.ErrUpdateTooLong)
}

// openError is what Run returns for a history that could not be opened:
// a refusal as it is (the command line says its sentence, and exits 1).
func openError(home string, err error) error {
	if refused(err) {
		return err
	}
	return fmt.Errorf("cannot open the upload history in %s: %w", home, err)
}

// startApp builds the window on the history db and shows it (showAndRun
// without the event loop, which runs already or is started next).
func startApp(fa fyne.App, db *storage.DB, home string, opts Options, noTray bool) *App {
	shot := screenshotFromEnv()
	a := NewApp(fa, Deps{
		DB:           db,
		Secrets:      storage.NewSecretStore(0),
		Home:         home,
		Env:          opts.Env,
		Files:        opts.Files,
		Typed:        opts.Typed,
		Handoffs:     opts.Handoffs,
		PickFiles:    opts.PickFiles,
		NoAutoSignIn: strings.HasPrefix(shot.state, "signin"),
		Theme:        shot.theme(),
		NoTray:       noTray,
	})
	if shot.state != "" {
		a.startScreenshot(shot)
	}
	a.quitOnSignals()
	a.show()
	return a
}

// runWhileUpdating runs the event loop with a window that says the
// history is being updated (newUpdatingWindow) until opened brings it,
// then start's window in its place, until the person quits (runWaiting).
func runWhileUpdating(fa fyne.App, home string, files []string, opened <-chan openedHistory, start func(*storage.DB) *App, noTray bool) (*App, *storage.DB, error) {
	return runWaiting(fa, home, newUpdatingWindow(fa, files), func(context.Context) openedHistory { return <-opened }, start, noTray)
}

// runAfterAnotherUpdate runs the event loop with a window that says
// another process is updating the history in home (newWaitingWindow)
// while claimed waits for that update, then opens the history, saying
// when this process updates it in turn, and start's window takes their
// place, until the person quits (runWaiting). A claim that does not open
// ends the loop: said in a window first when it says why.
func runAfterAnotherUpdate(fa fyne.App, home string, files []string, claimed func(context.Context) (<-chan instance.Handoff, bool, error),
	start func(*storage.DB, <-chan instance.Handoff) *App, noTray bool) (*App, *storage.DB, error) {
	w := newWaitingWindow(fa, home, files)
	var handoffs <-chan instance.Handoff
	ready := func(ctx context.Context) openedHistory {
		h, open, err := claimed(ctx)
		if !open {
			return openedHistory{err: err, said: err != nil}
		}
		handoffs = h
		opened, updating := openHistory(home)
		select {
		case r := <-opened:
			return r
		case <-updating:
			if ctx.Err() == nil { // else the loop has ended: no window to change
				giveLoop(w.updating) // the loop may end meanwhile: Fyne then drops, loses or refuses it
			}
			return <-opened
		}
	}
	return runWaiting(fa, home, w, ready, func(db *storage.DB) *App { return start(db, handoffs) }, noTray)
}

// runWaiting runs the event loop with w, which says what the start waits
// for, while ready (on a goroutine of its own; its ctx ends with the
// loop) brings the history; start's window then takes w's place, until
// the person quits. It returns that App and the history, or why the
// history could not be opened (a refusal, or a claim's sentence, said in
// a window first, in w's place); a nil App and error when the loop ended
// first (a signal, Quit: the history ready brings then is closed, no window
// started) or there is nothing to open; when the loop ended first and the
// launch named files, a *filesNotQueuedError that names them (joined after
// the refusal when one came meanwhile).
func runWaiting(fa fyne.App, home string, w *waitWindow, ready func(context.Context) openedHistory, start func(*storage.DB) *App, noTray bool) (*App, *storage.DB, error) {
	w.Show()
	if desk, ok := fa.(desktop.App); ok && !noTray {
		// Fyne 2.8 starts a tray only when it is set up before the loop
		// runs (showAndRun): this one's menu is the window's once it shows.
		// Its Quit is w's: Fyne's own would end the loop without asking,
		// before w.end says so.
		quit := fyne.NewMenuItem(tr("Quit"), w.onQuit)
		quit.IsQuit = true
		desk.SetSystemTrayMenu(fyne.NewMenu("dStor Uploader", quit))
	}
	// A signal ends the wait as quit (w.end), and the loop with it: Fyne's
	// own handler ends it at SIGINT and SIGTERM, quitLoopAtSignal at a
	// hang-up too, which ended the process at once (the files not named,
	// the update in flight cut off). The App's handler (quitOnSignals)
	// takes over once its window has started.
	watched := quitSignals(startsig.Ignored)
	signal.Notify(w.end.signals, watched...)
	defer signal.Stop(w.end.signals)
	stopQuitting := quitLoopAtSignal(fa, watched)
	defer stopQuitting()
	ctx, cancel := context.WithCancel(context.Background())
	var a *App
	var r openedHistory
	done := make(chan struct{})
	go func() {
		defer close(done)
		r = ready(ctx)
		if ctx.Err() != nil {
			return // the loop has ended, and w.end with it (a history opened meanwhile is closed below)
		}
		// Fyne runs this on the loop, or, once the loop has ended, in
		// place, on this goroutine: w.end.open then says no. Not
		// DoAndWait: a function given as Fyne 2.8.1's loop closes its
		// queue is never run nor released (giveLoop).
		opened := make(chan struct{})
		giveLoop(func() {
			defer close(opened)
			if !w.end.open() {
				fa.Driver().Quit() // a signal only this process's handler heard; else the loop ends already
				return
			}
			switch {
			case r.db != nil:
				a = start(r.db)
				stopQuitting()
			case r.said || refused(r.err): // said "Updating…" (another was at it), then refused
				newRefusalWindow(fa, r.err).Show()
			}
			w.Close() // the window is in its place; else none is left, and the loop ends
		})
		select {
		case <-opened:
		case <-ctx.Done(): // the loop ended without it
		}
	}()
	fa.Run()
	quit := w.end.quit() // however the loop ended: nothing opens from now on
	cancel()
	<-done
	var err error
	switch {
	case r.said:
		err = r.err
	case r.err != nil:
		err = openError(home, r.err)
	case r.db != nil && a == nil:
		err = r.db.Close()
	case !quit:
		return a, r.db, nil
	}
	if notQueued := w.notQueued(); quit && notQueued != nil { // the person was told they are not added: named, after a refusal too
		err = errors.Join(err, notQueued)
	}
	return nil, nil, err
}

// quitLoopAtSignal ends fa's loop at the first of sigs, as Fyne's own
// handler does at SIGINT and SIGTERM (the driver's Quit, given to the
// loop): a waiting window (runWaiting) has no App whose handler
// (quitOnSignals) would, and a hang-up, which Fyne leaves alone, ended the
// process at once. stop ends the watch, and its goroutine, once the App's
// handler has taken over or the loop has ended; it may be called again.
func quitLoopAtSignal(fa fyne.App, sigs []os.Signal) (stop func()) {
	c := make(chan os.Signal, 1)
	signal.Notify(c, sigs...)
	done, ended := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ended)
		select {
		case <-c:
			giveLoop(fa.Driver().Quit)
		case <-done:
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			signal.Stop(c)
			close(done)
			<-ended
		})
	}
}

// waitEnd is how a waitWindow's wait ends, decided once whatever the
// order: the person quits (or a signal), or start's window takes its
// place. Fyne may run a function given to its loop after a Quit (as its
// loop ends, or in place once it has ended, off the main goroutine): the
// window would then open with the files the person was told would not be
// added.
type waitEnd struct {
	mu        sync.Mutex
	wasQuit   bool
	wasOpened bool
	// signals gets the signals that quit the window (quitSignals) while
	// the wait lasts (runWaiting): one that came first ends it as quit.
	// Fyne's own handler (or quitLoopAtSignal) ends the loop on it without
	// a word to w, and the start may then run in place.
	signals chan os.Signal
}

// quit ends the wait as quit, unless the window opened first, and
// reports whether it did.
func (e *waitEnd) quit() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.wasQuit = e.wasQuit || !e.wasOpened
	return e.wasQuit
}

// open ends the wait as opened, unless it was quit first, and reports
// whether it did.
func (e *waitEnd) open() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.wasQuit = e.wasQuit || (!e.wasOpened && e.signalled())
	e.wasOpened = e.wasOpened || !e.wasQuit
	return e.wasOpened
}

// signalled stops e.signals and reports whether a signal came: once
// signal.Stop returns, a signal that reached Fyne's handler (and so may
// have ended the loop) has reached e.signals too. The window's own
// handler (quitOnSignals) takes later ones.
func (e *waitEnd) signalled() bool {
	signal.Stop(e.signals)
	select {
	case <-e.signals:
		return true
	default:
		return false
	}
}

// giveLoop gives f to Fyne's loop (fyne.Do), which runs it, drops it as
// the loop ends, or runs it in place once the loop has ended. Fyne 2.8.1
// closes its queue as the loop ends: f given just before that is lost
// (a fyne.DoAndWait would never return), and given as it closes, the send
// panics, which giveLoop takes as the loop's end (f not run).
func giveLoop(f func()) {
	defer func() {
		if p := recover(); p != nil {
			if err, ok := p.(runtime.Error); !ok || err.Error() != "send on closed channel" {
				panic(p)
			}
		}
	}()
	fyne.Do(f)
}

// waitWindow is the window a start shows while it waits for the upload
// history, rather than none, which looks hung: what it waits for, and
// how long it takes.
type waitWindow struct {
	fyne.Window
	app   fyne.App
	what  *widget.Label
	quit  *widget.Button
	main  fyne.CanvasObject // what it waits for, in place of the question of onQuit
	files []string          // the launch's files (Options.Files), not queued if it quits
	end   waitEnd
}

// newUpdatingWindow is the window shown while the history an older
// version left is updated to this version's format (seconds on a large
// history, once). It cannot be closed: the update goes on, and the window
// takes its place.
func newUpdatingWindow(fa fyne.App, files []string) *waitWindow {
	w := &waitWindow{Window: fa.NewWindow("dStor Uploader"), app: fa, what: widget.NewLabel(""), files: files, end: waitEnd{signals: make(chan os.Signal, 1)}}
	w.what.Wrapping = fyne.TextWrapWord
	w.quit = widget.NewButton(tr("Quit"), w.onQuit)
	w.main = container.NewVBox(w.what, widget.NewProgressBarInfinite(), container.NewCenter(w.quit))
	w.SetContent(w.main)
	w.updating()
	w.Resize(fyne.NewSize(460, 120))
	return w
}

// newWaitingWindow is the window shown while another process updates the
// history in the data folder home, up to storage.UpgradeWait: this one's
// window opens when it is done, or the person quits (its button, or
// closing it).
func newWaitingWindow(fa fyne.App, home string, files []string) *waitWindow {
	w := newUpdatingWindow(fa, files)
	w.what.SetText(tr("Another dStor Uploader is updating the upload history in {{.Dir}}. This window opens when it is done.",
		map[string]any{"Dir": inert.Line(home)}))
	w.quit.Show()
	w.SetCloseIntercept(w.onQuit)
	return w
}

// onQuit quits (Quit, or closing the window) when the launch named no
// files; else it asks first, in the window's place, as the app's window
// asks before it quits with files still to upload: if it quits, the files
// are not added to the queue (runWaiting then names them).
func (w *waitWindow) onQuit() {
	if len(w.files) == 0 {
		w.doQuit()
		return
	}
	title := widget.NewLabelWithStyle(tr("Quit without the files?"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	text := widget.NewLabel(quitWaitingText(len(w.files)))
	text.Wrapping = fyne.TextWrapWord
	keep := widget.NewButtonWithIcon(tr("Keep waiting"), theme.CancelIcon(), func() { w.SetContent(w.main) })
	quit := widget.NewButtonWithIcon(tr("Quit"), theme.ConfirmIcon(), w.doQuit)
	quit.Importance = widget.HighImportance
	w.SetContent(container.NewVBox(title, text, container.NewCenter(container.NewHBox(keep, quit))))
}

// doQuit ends the loop, unless start's window has taken w's place: the
// wait ends as quit (w.end) before the loop does.
func (w *waitWindow) doQuit() {
	if w.end.quit() {
		w.app.Quit()
	}
}

// quitWaitingText is onQuit's question for a launch that named n files.
func quitWaitingText(n int) string {
	return trn("{{.Count}} files you opened are not in the queue yet. If you quit now, they are not added: open them again once dStor Uploader is open.", n)
}

// notQueued is what runWaiting returns when its loop ended before the
// window opened: a *filesNotQueuedError naming the launch's files, or nil
// when it named none.
func (w *waitWindow) notQueued() error {
	if len(w.files) == 0 {
		return nil
	}
	return &filesNotQueuedError{paths: w.files}
}

// notTaken is, once the App is closed, a *filesNotQueuedError naming the
// paths it was launched with when it closed before it took them (their
// stats had not returned: receiveLaunches), else nil.
func (a *App) notTaken() error {
	a.uiMu.Lock()
	defer a.uiMu.Unlock()
	if len(a.launchLeft) == 0 {
		return nil
	}
	return &filesNotQueuedError{paths: a.launchLeft, unlooked: true}
}

// filesNotQueuedError is what Run returns when it ended (Quit, a signal)
// before it added the files it was launched with to the queue: while it
// waited for the upload history, before the window opened, or (unlooked)
// while it looked at whether they are there. The command line says it,
// naming each, and exits 1, so that the person who launched it (or a
// script) learns which to open again.
type filesNotQueuedError struct {
	paths    []string
	unlooked bool
}

func (e *filesNotQueuedError) Error() string {
	which, them, they := fmt.Sprintf("the %d files and folders it was opened with", len(e.paths)), "them", "they answer"
	if len(e.paths) == 1 {
		which, them, they = "the file or folder it was opened with", "it", "it answers"
	}
	var b strings.Builder
	if e.unlooked {
		b.WriteString("the window was quit before it could look at " + which + " (a stat of a path on a network share that does not answer can wait for minutes), " +
			"so nothing was added to the queue for " + them + "; open " + them + " again once " + they + ":")
	} else {
		b.WriteString("the window was quit while it waited for the upload history, before it opened, so nothing was added to the queue for " +
			which + "; open " + them + " again once dStor Uploader is open:")
	}
	for _, p := range e.paths {
		b.WriteString("\n  " + inert.Line(p))
	}
	return b.String()
}

// updating makes w say that this process updates the history now, which
// goes on even when the window closes: it cannot be closed meanwhile.
func (w *waitWindow) updating() {
	w.SetContent(w.main) // no question of onQuit: it cannot quit now
	w.what.SetText(tr("Updating the upload history to this version's format (once; a large history takes a while)…"))
	w.quit.Hide()
	w.SetCloseIntercept(func() {})
}

// newRefusalWindow is the window shown instead of dStor Uploader's when
// it cannot open (an older version still uses the data folder, whose
// history this one would have to migrate): why, in the window's
// language, and a button that closes it.
func newRefusalWindow(fa fyne.App, err error) fyne.Window {
	w := fa.NewWindow("dStor Uploader")
	why := widget.NewLabel(humanError(err))
	why.Wrapping = fyne.TextWrapWord
	closeButton := widget.NewButton(tr("Close"), w.Close)
	w.SetContent(container.NewBorder(nil, container.NewCenter(closeButton), nil, nil, why))
	w.Resize(fyne.NewSize(460, 160))
	return w
}

// closeHistory closes db once the window has closed. A history deleted or
// replaced while the window ran: the links it could not record (lost), the
// files not uploaded and those added since (added) go into the database at
// the path now, for the next start (storage.DB.CloseCarryingOver). When
// even that fails they are kept in a file of the data folder, which the
// next start puts into the history (carryUnrecorded): the error, in the
// window's language, names that file, and each of those uploads by its CID
// and file name, so its link is in the window's output too; when that file
// could not be written either, the links are recorded nowhere else, and
// each file or folder added since is named, to add again.
func closeHistory(db *storage.DB, lost []storage.JobFinish, added []storage.WalkRow) error {
	_, err := db.CloseCarryingOver(lost, added)
	if err == nil {
		return nil
	}
	var nc *storage.NotCarriedError
	if !errors.As(err, &nc) {
		var gone *storage.ReplacedError
		errors.As(db.CheckFile(), &gone)
		return &closeError{text: quitReasonText(db.Path(), gone) + " " + causeText(err), err: err}
	}
	return &closeError{text: notCarriedText(nc), err: err}
}

// quitOnSignals makes SIGINT, SIGTERM and a hang-up (quitSignals: Ctrl+C
// in the terminal that started the window, a logout, kill, that terminal
// closed) quit the window: the window stops
// taking updates at once (stopUI), the event loop ends through fyne.Do,
// and Close then stops the queue, whose uploads in flight stay queued for
// the next start. Fyne's own handler ends the loop too, but without the
// first step the queue's updates went on reaching widgets after the loop,
// off its goroutine. The loop is ended as Fyne's handler ends it, by the
// driver's Quit, not the app's: when Fyne's handler has ended the loop
// first, fyne.Do runs the function on this goroutine, where the app's
// Quit closed the windows after GLFW had ended (a panic, exit status 2).
// A second signal ends the process at once (the queue then resumes as
// after a crash).
func (a *App) quitOnSignals() {
	watched := quitSignals(startsig.Ignored)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, watched...)
	a.goBg(func() {
		defer signal.Stop(sigs)
		select {
		case <-sigs:
			a.stopUI()
			signal.Reset(watched...) // Fyne's handler too: the next one is the default
			fyne.Do(a.fyne.Driver().Quit)
		case <-a.stop:
		}
	})
}

// quitSignals are the signals that quit the window (quitOnSignals):
// SIGINT and SIGTERM, which Fyne takes as well whatever this process was
// started with, and SIGHUP (the terminal that started the window closed,
// an ssh connection dropped), which Fyne leaves to end the process at
// once, as a kill does: the settings still being saved, a keyring write a
// sign-in or sign-out gave up waiting for and the queue's close were
// lost. SIGHUP is left alone when ignored (startsig.Ignored) says this
// process was started ignoring it: under nohup the window goes on.
func quitSignals(ignored func(os.Signal) bool) []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// App is the desktop window and everything it drives. Widgets live in the
// view structs so tests can tap and type into them; handlers are onXxx
// methods so tests can call them too.
type App struct {
	fyne    fyne.App
	win     fyne.Window
	db      *storage.DB
	secrets *storage.SecretStore
	home    string
	noTray  bool // Deps.NoTray

	*lifecycle  // the App's goroutines and its closing (lifecycle.go)
	appSettings // the person's settings, saved in the background (settings.go)
	appSession  // who is signed in, and the Local sandbox (session.go)
	appViews    // the screens and the frame around them

	lastLink string
	now      func() time.Time
	// httpClient is given to api.NewClient; nil means its default.
	httpClient *http.Client

	// pickFiles and pickFolder ask the person for paths; they run on a
	// background goroutine (native dialogs block). Tests replace them.
	pickFiles  func() ([]string, error)
	pickFolder func() (string, error)
	// quit ends the app; tests replace it.
	quit func()
	// quitQuestion is the overlay of the last "Quit while uploading?";
	// the question is open while it is among the window's overlays.
	quitQuestion fyne.CanvasObject
	// notThereNotice is the overlay of the last "Not found" notice, and
	// notThere the paths it names: while it is open, a later launch's
	// paths not there are named in it too (sayNotThere).
	notThereNotice fyne.CanvasObject
	notThere       []*api.NotThereError
	// launchLeft are the paths the window was launched with until it
	// takes them, once their stats return (receiveLaunches): a window
	// closed before that names them (notTaken). Under uiMu.
	launchLeft []string
}

// appViews are the App's screens (one view per screen) and the frame of
// the signed-in window: the header, the tabs and the toast. UI goroutine
// only.
type appViews struct {
	signin  *signInView
	upload  *uploadView
	history *historyView
	prefs   *settingsView

	header       *fyne.Container
	accountLabel *widget.Label
	account      *accountLayout // the header's account, shortened to its room
	accountBox   *fyne.Container
	envLabel     *widget.Label
	signOut      *widget.Button
	tabs         *container.AppTabs
	uploadTab    *container.TabItem
	historyTab   *container.TabItem
	settingsTab  *container.TabItem
	toast        *widget.Label
	toastIcon    *widget.Icon // the toast's kind: a tick, an "i" or a "!"
	toastBox     *themedBox
	toastLayer   *fyne.Container
	heldLayer    *fyne.Container // History's sign that uploads are held (historyView.heldSlot)
	toastGen     int
	toastStays   bool // a screenshot keeps it up
	mainView     fyne.CanvasObject
}

// NewApp builds the window (without showing it) on fa. Tests call it with
// test.NewTempApp; Run calls it with the real app. Call Close when done.
func NewApp(fa fyne.App, d Deps) *App {
	if d.DB == nil {
		panic("ui.NewApp: Deps.DB is required")
	}
	ensureCatalogs()
	secrets := d.Secrets
	if secrets == nil {
		secrets = storage.NewSecretStore(0)
	}
	a := &App{
		lifecycle: newLifecycle(),
		fyne:      fa,
		db:        d.DB,
		secrets:   secrets,
		home:      d.Home,
		noTray:    d.NoTray,
		now:       time.Now,
	}
	if a.home == "" {
		a.home = filepath.Dir(d.DB.Path())
	}
	a.pickFiles = a.nativePickFiles
	a.pickFolder = a.nativePickFolder
	a.quit = fa.Quit
	s, err := d.DB.LoadSettings()
	if keyringOutOfReach(secrets) {
		a.outOfReach = map[string]bool{}
		for _, ra := range s.RememberedAccounts {
			a.outOfReach[accountKey(ra.Env, ra.Account)] = true
		}
	}
	a.useSettings(s)
	a.saver = newSettingsSaver(d.DB)
	a.carryOverCustom()
	a.buildWindow(d.Theme)
	a.carryUnrecorded() // before the queue resumes: it puts files back in it
	if err != nil {
		a.signin.setError(tr("Your settings could not be read, so the defaults are used.") + " " + humanError(err))
	}

	env := d.Env
	restoredEnv, err := a.restorePending()
	if err != nil {
		a.signin.setError(tr("The files waiting for you to sign in could not be read.") + " " + humanError(err))
	}
	if env == "" {
		env = restoredEnv // the environment their launch named
	}
	a.pendingPick = d.PickFiles
	a.signin.prepare(env)
	if !d.NoAutoSignIn {
		a.signin.autoSignIn(env)
	}
	a.launchLeft = d.Files
	if len(d.Files) > 0 || d.Handoffs != nil {
		a.goBg(func() { a.receiveLaunches(instance.Request{Env: d.Env, Paths: d.Files, Typed: d.Typed}, d.Handoffs) })
	}
	return a
}

// useSettings takes the saved settings s as the window's, switching the
// catalogs to their language when it is not the one in use.
func (a *App) useSettings(s storage.Settings) {
	a.settings = s
	if s.Language != activeLanguage() {
		if err := useLanguage(s.Language); err != nil {
			fyne.LogError("window language", err)
		}
	}
	a.language = s.Language
}

// buildWindow makes the window and its views, in theme (the saved
// one when theme is ""), showing the sign-in view.
func (a *App) buildWindow(theme string) {
	a.win = a.fyne.NewWindow("dStor Uploader")
	a.win.SetIcon(assets.Icon)
	a.win.Resize(fyne.NewSize(980, 680))

	a.signin = newSignInView(a)
	a.upload = newUploadView(a)
	a.history = newHistoryView(a)
	a.prefs = newSettingsView(a)
	a.buildMain()
	if theme != "" {
		a.applyTheme(theme)
	} else {
		a.applyTheme(a.settings.Theme)
	}

	a.win.SetContent(a.signin.content)
	a.win.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { a.onDropped(uris) })
	a.win.SetCloseIntercept(a.onCloseRequested)
	a.addShortcuts()
}

// showAndRun shows the window, then sets up the tray, then runs Fyne's
// event loop until the app quits. Fyne makes a hidden OpenGL window for
// the tray icon: set up before the window, it came first, and with it
// Mesa's first OpenGL context, which the window then waited for. Fyne
// 2.8 starts a tray only when one is set up before its event loop runs,
// so this is as late as it can come.
func (a *App) showAndRun() {
	a.show()
	a.fyne.Run()
}

// show shows the window, then sets up the tray, on the goroutine that runs
// (or is to run) the event loop.
func (a *App) show() {
	a.win.Show()
	a.uiMu.Lock() // a sign-in may be changing the window (see do)
	a.setupTray()
	a.uiMu.Unlock()
	a.runLoopHere() // Run panics unless this is the main goroutine, where the loop runs
}

// Window is the app's main window, for tests and for showAndRun.
func (a *App) Window() fyne.Window { return a.win }

// Close stops every goroutine the App started, closes the upload queue and
// the Local sandbox, and saves the settings. It is safe to call twice.
func (a *App) Close() {
	a.bgMu.Lock()
	if a.closing {
		a.bgMu.Unlock()
		return
	}
	a.closing = true
	a.closed.Store(true)
	a.endLife()
	a.bgMu.Unlock()
	giveUp := time.AfterFunc(worker.ShareLookGrace, func() { close(a.quitLooks) })
	defer giveUp.Stop()

	// Wait for a UI update that may be running (after the event loop has
	// ended, fyne.Do runs them on the calling goroutine), so a.sess is read
	// after the last one; no other starts once closed is set.
	a.uiMu.Lock()
	sess := a.sess
	a.uiMu.Unlock()

	a.history.stopTimer()
	if sess != nil {
		a.closeSession(sess)
	}
	a.wg.Wait()
	// Sessions whose sign-in finished while the window closed never
	// reached the UI; stop their queues too.
	a.retMu.Lock()
	left := make([]*activeSession, 0, len(a.sessions))
	for s := range a.sessions {
		left = append(left, s)
	}
	a.retMu.Unlock()
	for _, s := range left {
		a.closeSession(s)
	}
	_ = a.settleKeyring()
	a.saver.close()
	a.sandboxMu.Lock()
	if a.sandbox != nil {
		_ = a.sandbox.Close()
		a.sandbox = nil
	}
	a.sandboxMu.Unlock()
}

// settleKeyring waits, at most the keyring's own timeout, for the keyring
// calls a sign-in or sign-out gave up waiting for (a token written late,
// and a sign-out's delete queued after it): the process ends next, and a
// call still running would then never run, or land with nothing left to
// undo it. Its error (ErrKeyringTimeout) is a keyring that has still
// not answered.
func (a *App) settleKeyring() error {
	ctx, cancel := context.WithTimeout(context.Background(), storage.DefaultKeyringTimeout)
	defer cancel()
	return a.secrets.Settle(ctx)
}

// showAccount shows who is signed in in the header, whole or shortened
// to the room the header leaves (accountLayout).
func (a *App) showAccount(s string) {
	a.account.full = s
	a.accountLabel.SetText(s)
	a.accountBox.Refresh()
}

func (a *App) buildMain() {
	logo := canvas.NewImageFromResource(assets.Icon)
	logo.FillMode = canvas.ImageFillContain
	logo.SetMinSize(fyne.NewSquareSize(28))
	title := widget.NewLabelWithStyle("dStor Uploader", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})

	a.accountLabel = widget.NewLabelWithStyle("", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	a.account = &accountLayout{label: a.accountLabel}
	a.accountBox = container.New(a.account, widget.NewIcon(theme.AccountIcon()), a.accountLabel)
	a.envLabel = widget.NewLabel("")
	a.signOut = widget.NewButtonWithIcon(tr("Sign out"), theme.LogoutIcon(), a.onSignOut)
	a.signOut.Importance = widget.LowImportance

	a.header = container.NewBorder(nil, nil,
		container.NewHBox(logo, title),
		container.NewHBox(a.envLabel, a.signOut),
		a.accountBox)

	a.uploadTab = container.NewTabItemWithIcon(tr("Upload"), theme.UploadIcon(), a.upload.content)
	a.historyTab = container.NewTabItemWithIcon(tr("History"), theme.HistoryIcon(), a.history.content)
	a.settingsTab = container.NewTabItemWithIcon(tr("Settings"), theme.SettingsIcon(), a.prefs.content)
	a.tabs = container.NewAppTabs(a.uploadTab, a.historyTab, a.settingsTab)
	a.tabs.OnSelected = func(t *container.TabItem) {
		if t == a.historyTab {
			a.history.reload()
		}
		a.history.showHeld() // History's sign, on its tab only
	}

	a.toast = widget.NewLabel("")
	a.toast.Truncation = fyne.TextTruncateEllipsis
	a.toastIcon = widget.NewIcon(nil)
	a.toastBox = newToastBox(container.NewBorder(nil, nil, a.toastIcon, nil, a.toast))
	a.toastBox.Hide()
	a.toastLayer = container.New(&tabBarEndLayout{tabs: a.tabs, want: func() float32 {
		return fyne.MeasureText(a.toast.Text, theme.TextSize(), fyne.TextStyle{}).Width + theme.IconInlineSize() + 2*theme.InnerPadding() + 4*theme.Padding()
	}}, a.toastBox)

	// The toast sits in the empty end of the tab bar: it never covers a
	// queue or history row, and nothing moves when it comes and goes.
	// History's sign that uploads are held is there too, under it.
	a.heldLayer = a.history.heldSlot(a.tabs)
	a.mainView = container.NewBorder(
		container.NewVBox(container.NewPadded(a.header), widget.NewSeparator()),
		nil, nil, nil,
		container.NewStack(a.tabs, a.heldLayer, a.toastLayer))
}

// showMain switches the window to the signed-in view.
func (a *App) showMain() {
	a.win.SetContent(a.mainView)
}

// toastKind is what a toast tells: a tick in green belongs to what was
// done, and would tell the person a check passed that did not.
type toastKind int

const (
	toastDone    toastKind = iota // done as asked: "Link copied"
	toastNote                     // nothing wrong, nothing done: "already in the queue"
	toastProblem                  // not done, or not so: "not reachable yet"
)

// showToast shows a short confirmation ("Link copied") for a few seconds
// at the right end of the tab bar. A file name in msg is shown inert.
func (a *App) showToast(msg string) { a.showToastOf(toastDone, msg) }

// showNote shows, as showToast does, a toast saying why nothing was done
// where nothing is wrong.
func (a *App) showNote(msg string) { a.showToastOf(toastNote, msg) }

// showProblem shows, as showToast does, a toast saying what was not done
// or is not so.
func (a *App) showProblem(msg string) { a.showToastOf(toastProblem, msg) }

// showToastOf shows msg as a toast of kind k: its icon, colour and outline.
func (a *App) showToastOf(k toastKind, msg string) {
	a.toastGen++
	gen := a.toastGen
	icon, importance, stroke := toastLook(k)
	a.toastIcon.SetResource(icon)
	a.toast.Importance = importance
	a.toastBox.stroke = stroke
	a.toastBox.Refresh()
	a.toast.SetText(inert.Line(msg))
	a.toastBox.Show()
	a.toastLayer.Refresh() // placed for its new text
	a.history.showHeld()   // the toast has the tab bar's end
	if a.toastStays {
		return
	}
	a.goBg(func() {
		if !a.sleep(toastShownFor(msg)) {
			return
		}
		a.do(func() {
			if a.toastGen == gen {
				a.hideToast()
			}
		})
	})
}

// toastLook is the icon, the text's importance and the outline's colour of
// a toast of kind k.
func toastLook(k toastKind) (fyne.Resource, widget.Importance, fyne.ThemeColorName) {
	switch k {
	case toastNote:
		return theme.InfoIcon(), widget.MediumImportance, theme.ColorNameForeground
	case toastProblem:
		return theme.NewWarningThemedResource(theme.WarningIcon()), widget.WarningImportance, theme.ColorNameWarning
	default:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon()), widget.SuccessImportance, theme.ColorNameSuccess
	}
}

// How long a toast stays up: toastShortest for a few words ("Link copied
// to the clipboard"), else as long as its text takes to read, at about 14
// characters a second (toastPerChar), up to toastLongest.
const (
	toastShortest = 3 * time.Second
	toastPerChar  = 70 * time.Millisecond
	toastLongest  = 10 * time.Second
)

// toastShownFor is how long a toast saying msg stays up: a sentence read
// for the first time ("Still waiting for the drive … that holds “…”.")
// needs longer than a confirmation one glances at.
func toastShownFor(msg string) time.Duration {
	d := time.Duration(utf8.RuneCountInString(msg)) * toastPerChar
	return min(max(d, toastShortest), toastLongest)
}

// hideToast ends the toast, and gives the tab bar's end back to History's
// sign that uploads are held.
func (a *App) hideToast() {
	a.toastBox.Hide()
	a.history.showHeld()
}

// copyText puts s on the clipboard and says so; what is "Link", "CID",
// "Markdown link" or "HTML link" (copiedWhat).
func (a *App) copyText(s, what string) {
	a.fyne.Clipboard().SetContent(s)
	switch what {
	case "CID":
		a.showToast(tr("CID copied to the clipboard"))
	case "Markdown link":
		a.showToast(tr("Markdown link copied to the clipboard"))
	case "HTML link":
		a.showToast(tr("HTML link copied to the clipboard"))
	default:
		a.showToast(tr("Link copied to the clipboard"))
	}
}

// openURL opens a link in the person's browser. Where none can be started
// (no xdg-open, say) the link goes to the clipboard and a sentence says so.
func (a *App) openURL(link string) {
	u, err := url.Parse(link)
	if err != nil {
		a.showError(tr("Cannot open the link"), err)
		return
	}
	if err := a.fyne.OpenURL(u); err != nil {
		a.fyne.Clipboard().SetContent(link)
		a.showMessage(tr("Cannot open a browser"), inert.Line(openFailedText(err)))
	}
}

// openFailedText says why no browser opened and what to do instead.
func openFailedText(err error) string {
	why := tr("This computer did not open a web browser.")
	if errors.Is(err, exec.ErrNotFound) {
		why = tr("This computer has no program to open web links (such as xdg-open).")
	}
	return why + " " + tr("The link is copied to the clipboard: paste it into your browser's address bar.")
}

// showError shows a dialog with a sentence made from err.
func (a *App) showError(title string, err error) {
	a.showMessage(title, inert.Line(errorText(err)))
}

// onDropped adds what was dropped on the window (any tab) to the queue; it is
// also what command-line files go through, so tests call it directly.
func (a *App) onDropped(uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u == nil {
			continue
		}
		if u.Scheme() != "file" {
			continue
		}
		paths = append(paths, u.Path())
	}
	a.addPaths(paths)
}

// addPaths hands paths to the queue with the destination and comment now
// chosen on the Upload tab, or keeps them until sign-in.
func (a *App) addPaths(paths []string) { a.addPathsThen(paths, nil) }

// addPathsThen is addPaths; then, when not nil, runs on a goroutine once
// the paths are saved in the database (by the queue, or see saveForLater
// and keepPendingThen), with nil, or as soon as it is clear that they are not
// added, with why not: nothing to add is nil, a destination that is not
// valid a *destinationError, a full disk (held in memory until there is
// room) a *waitingForRoomError, and a write the database refused its error.
func (a *App) addPathsThen(paths []string, then func(error)) {
	switch {
	case len(paths) == 0:
		a.goThen(then, nil)
	case a.sess == nil:
		a.keepPendingThen(paths, "", then)
	case a.upload.sess == nil: // another process runs the account's queue
		a.tabs.Select(a.uploadTab)
		a.saveForLater(paths, then)
	default:
		a.tabs.Select(a.uploadTab)
		a.upload.add(paths, then)
	}
}

// goThen runs then(err), when then is not nil, on a goroutine.
func (a *App) goThen(then func(error), err error) {
	if then != nil {
		a.goBg(func() { then(err) })
	}
}

// onCopyLastLink is Ctrl+Shift+C: it copies the link of the last upload of
// this session, else that of the newest history entry.
func (a *App) onCopyLastLink() {
	if a.sess == nil {
		return // signed out: the history shown is the previous account's
	}
	if a.lastLink != "" {
		a.copyText(a.lastLink, "Link")
		return
	}
	a.history.copyNewest()
}

func (a *App) addShortcuts() {
	c := a.win.Canvas()
	mod := fyne.KeyModifierShortcutDefault
	c.SetOnTypedKey(a.onTypedKey)
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: mod}, func(fyne.Shortcut) { a.upload.onAddFiles() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: mod | fyne.KeyModifierShift}, func(fyne.Shortcut) { a.upload.onAddFolder() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: mod}, func(fyne.Shortcut) { a.onFind() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyC, Modifier: mod | fyne.KeyModifierShift}, func(fyne.Shortcut) { a.onCopyLastLink() })
	// Ctrl+A outside a text field selects every listed upload in History.
	c.AddShortcut(&fyne.ShortcutSelectAll{}, func(fyne.Shortcut) { a.onSelectAll() })
}

// onSelectAll selects every listed upload while History is shown.
func (a *App) onSelectAll() {
	if a.tabs != nil && a.tabs.Selected() == a.historyTab {
		a.history.selectAll()
	}
}

// onFind switches to History and puts the cursor in its search field.
func (a *App) onFind() {
	if a.sess == nil {
		return
	}
	a.tabs.Select(a.historyTab)
	a.win.Canvas().Focus(a.history.search)
}

func (a *App) setupTray() {
	desk, ok := a.fyne.(desktop.App)
	if !ok || a.noTray {
		return
	}
	show := fyne.NewMenuItem(tr("Show dStor Uploader"), func() { a.win.Show(); a.win.RequestFocus() })
	add := fyne.NewMenuItem(tr("Add files…"), func() { a.win.Show(); a.upload.onAddFiles() })
	pause := fyne.NewMenuItem(trayPauseLabel(a.upload.sum.Paused), nil)
	pause.Action = func() { a.upload.onPauseResume() }
	a.upload.trayPause = pause
	quit := fyne.NewMenuItem(tr("Quit"), a.onCloseRequested)
	quit.IsQuit = true
	menu := fyne.NewMenu("dStor Uploader", show, add, fyne.NewMenuItemSeparator(), pause, fyne.NewMenuItemSeparator(), quit)
	a.upload.trayMenu = menu
	desk.SetSystemTrayMenu(menu)
	desk.SetSystemTrayIcon(assets.Icon)
}

// onCloseRequested asks before quitting while uploads still run; the queue
// is persisted, so what is left resumes on the next start.
func (a *App) onCloseRequested() {
	if a.sess == nil || !a.upload.busy() {
		a.doQuit()
		return
	}
	if a.quitQuestion != nil && slices.Contains(a.win.Canvas().Overlays().List(), a.quitQuestion) {
		// Asked already (the close button clicked twice): bring that
		// question forward rather than stack a second one on it.
		a.win.Show()
		a.win.RequestFocus()
		return
	}
	a.confirm(tr("Quit while uploading?"), quitText(a.upload.sum.Queued+a.upload.sum.Uploading),
		tr("Quit"), tr("Keep uploading"),
		a.doQuit)
	a.quitQuestion = a.win.Canvas().Overlays().Top()
}

// quitText is the question before quitting with n files still to upload.
func quitText(n int) string {
	return trn("{{.Count}} files are still to upload. If you quit now, they are uploaded the next time you open dStor Uploader.", n)
}

func (a *App) doQuit() {
	a.win.Hide()
	a.stopUI() // before the event loop ends: see stopUI
	a.quit()
}

// sentence makes a message from the api package (which writes lower-case
// clauses for composition) look like a sentence on screen.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	if !strings.HasPrefix(s, "dStor") { // the name is spelt "dStor" even first
		r, n := utf8.DecodeRuneInString(s)
		s = string(unicode.ToUpper(r)) + s[n:]
	}
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") && !strings.HasSuffix(s, ")") {
		s += "."
	}
	return s
}

// humanError is err as a sentence in the window's language where the
// window knows it (errorText); "" for nil.
func humanError(err error) string {
	return errorText(err)
}
