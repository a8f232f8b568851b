package ui

import (
	"context"
	"errors"
	"time"

	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/instance"
	"github.com/dstor-uploader/dstor-uploader/internal/inert"
	"github.com/dstor-uploader/dstor-uploader/session"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// queueLockPoll is how often a window whose account's queue another
// process runs (a command-line upload) checks whether it has finished.
const queueLockPoll = time.Second

// receiveLaunches takes the files this window was launched with (own:
// "Open with", %F, and its --env), then, when reqs is not nil, what later
// launches hand over (receiveHandoffs), in that order, until Close; paths
// not there are not queued, but named in a notice (api.SplitNotThere),
// looked at off the UI goroutine (splitOffUI), so that the window shows,
// and answers, while a stat of a path on a network mount that does not
// answer blocks.
func (a *App) receiveLaunches(own instance.Request, reqs <-chan instance.Handoff) {
	if len(own.Paths) > 0 {
		paths, notThere, ok := a.splitOffUI(own)
		if !ok {
			return
		}
		a.do(func() {
			a.launchLeft = nil
			a.takeLaunched(paths, session.ParseKey(own.Env), nil)
			a.sayNotThere(notThere)
		})
	}
	if reqs != nil {
		a.receiveHandoffs(reqs)
	}
}

// receiveHandoffs applies what later launches hand over (their files and
// --env: "Open with", a double-click, %F) until Close; paths not there are
// not queued, but named in a notice (splitOffUI). A launch is answered
// (Done) only once its files are saved, or told why they are not (Fail):
// one that reaches a window already quitting gets no answer, tries again
// and becomes the next window, so its files are not dropped.
func (a *App) receiveHandoffs(reqs <-chan instance.Handoff) {
	for {
		select {
		case h, ok := <-reqs:
			if !ok {
				return
			}
			req := h.Request
			paths, notThere, ok := a.splitOffUI(req)
			if !ok {
				return
			}
			req.Paths, req.Typed = paths, nil // Typed named the paths before the split
			a.do(func() {
				a.onHandoff(req, answer(h))
				a.sayNotThere(notThere)
			})
		case <-a.stop:
			return
		}
	}
}

// splitOffUI is splitPaths of launch's paths, off the UI goroutine and
// not waited for by Close (offLocal): a stat of a path on a network mount
// that does not answer can block for minutes, and a window closed
// meanwhile does not wait for it (ok is then false).
func (a *App) splitOffUI(launch instance.Request) (there []string, notThere []*api.NotThereError, ok bool) {
	if len(launch.Paths) == 0 {
		return nil, nil, true
	}
	type split struct {
		there    []string
		notThere []*api.NotThereError
	}
	s, ok := offLocal(context.Background(), a.lifecycle, func() split {
		there, notThere := splitPaths(launch.Paths, launch.Typed)
		return split{there, notThere}
	})
	return s.there, s.notThere, ok
}

// answer tells h's launch what became of its files (see onHandoff): taken
// (nil), kept for the next start but not uploaded now (a history file
// deleted or replaced: a *notListedError), held until the full disk has
// room (a *waitingForRoomError), or not, with a sentence in English (the command line's language,
// which the launch prints) that says what to do. A window that is closing
// does not answer.
func answer(h instance.Handoff) func(error) {
	return func(err error) {
		_, refused := errors.AsType[*destinationError](err)
		notListed, kept := errors.AsType[*notListedError](err)
		waiting, held := errors.AsType[*waitingForRoomError](err)
		switch {
		case err == nil:
			h.Done()
		case errors.Is(err, errClosed):
		case kept:
			// Kept as a drop is (see uploadView.add), not uploaded: the
			// launch exits 1 with this, not as if they were queued. They
			// live in the window's memory only until it quits.
			h.Fail("the files are not uploaded now: the upload history " + inert.Line(notListed.gone.Path) +
				" was deleted, moved away or replaced while the dStor Uploader window was using it, so it uploads nothing more. " +
				"The window keeps them and, as it quits, writes them into the history there: they are added to the queue and uploaded when dStor Uploader starts again, " +
				"so quit it and start it again. Until it quits they are kept only in its memory: if it crashes or is killed first, open them again after the next start")
		case held:
			// Held by the queue, which lists them once there is room: not
			// refused, but not saved either, so the launch exits 1.
			h.Fail(waiting.launchText())
		case refused:
			h.Fail("nothing was added: the destination on the Upload tab of the dStor Uploader window is not valid (" +
				api.Human(err) + "); correct it there, then open the files again")
		default:
			// The window may still hold them, and its queue may list them
			// (see worker.Queue.Add): not saved, so not safe.
			h.Fail("the dStor Uploader window could not save the files in its database, so they may not be uploaded: " +
				api.Human(err) + "; once that is fixed, open them again (files its queue holds already are not added twice)")
		}
	}
}

// onHandoff raises the window and queues what a later launch handed over,
// as if it had been dropped here. An --env naming another environment
// than the one signed in to is asked about, never switched silently.
// taken, when not nil, runs on a goroutine once the files are saved in the
// database (queued, kept until sign-in, or, for files asked about, kept
// until the question is answered), so a kill from then on loses none of
// them; or once it is clear that they are not (see addPathsThen), with
// why not.
func (a *App) onHandoff(req instance.Request, taken func(error)) {
	a.win.Show()
	a.win.RequestFocus()
	key := session.ParseKey(req.Env)
	if a.sess == nil && key != "" && !a.signin.busy && a.signin.reuse == nil {
		a.signin.prepare(req.Env)
		if key == api.SandboxKey {
			a.signin.autoSignIn(req.Env)
		}
	}
	a.takeLaunched(req.Paths, key, taken)
	if req.Pick {
		a.askForFiles()
	}
}

// takeLaunched queues paths a launch named for the environment key ("" for
// any), as if they had been dropped here: kept until a sign-in when nobody
// is signed in, and asked about when the window is signed in to another
// environment than key. taken is as in onHandoff.
func (a *App) takeLaunched(paths []string, key string, taken func(error)) {
	switch {
	case len(paths) == 0:
		a.goThen(taken, nil)
	case a.sess == nil:
		a.keepPendingThen(paths, key, taken)
	case key == "" || key == a.sess.EnvKey:
		a.addPathsThen(paths, taken)
	default:
		// Kept as files waiting for a sign-in to key's environment until
		// the question is answered: a kill before that loses none, and the
		// next start shows them waiting again.
		saved, rows := a.keepWaiting(paths, key)
		a.whenSaved(saved, heldWhenFull(taken, heldForAnswer))
		a.askOtherEnv(paths, key, a.forgetWaiting(saved, rowIDs(rows)))
	}
}

// askForFiles opens "Add files…" now when signed in, else once signed in.
func (a *App) askForFiles() {
	if a.sess == nil {
		a.pendingPick = true
		return
	}
	a.pendingPick = false
	a.upload.onAddFiles()
}

// askOtherEnv asks whether files opened for another environment go to the
// one this window is signed in to; then, when not nil, runs on a goroutine
// once they are added (see addPathsThen) or the answer is no (nil).
func (a *App) askOtherEnv(paths []string, key string, then func(error)) {
	choice, base := choiceForEnvKey(key)
	other := choiceLabel(choice)
	if choice == choiceCustom {
		other = base
	}
	here := a.sess.envLabel
	a.showTextDialog(tr("Upload to {{.Here}}?", map[string]any{"Here": here}), theme.QuestionIcon(), "",
		trn("{{.Count}} files were opened for {{.Other}}, but this window is signed in to {{.Here}}. Upload them to {{.Here}}, or sign out first to upload to {{.Other}}.",
			len(paths), map[string]any{"Other": other, "Here": here}),
		dialogChoice{label: tr("Don't upload"), icon: theme.CancelIcon(), chosen: func() { a.goThen(then, nil) }},
		dialogChoice{label: tr("Upload to {{.Here}}", map[string]any{"Here": here}), icon: theme.ConfirmIcon(),
			imp: widget.HighImportance, chosen: func() { a.addPathsThen(paths, then) }},
	)
}

// stallNotice is how long an upload may make no progress before its row
// says so (0: worker.DefaultStallNotice); tests make it short.
var stallNotice time.Duration

// newQueue opens the upload queue of a signed-in account, paused when it
// was paused as the account signed out of this window; it fails with
// storage.ErrQueueInUse while another process runs that queue.
func (a *App) newQueue(s *session.Session) (*worker.Queue, error) {
	paused := a.wasPaused(s.EnvKey, s.Account)
	q, err := worker.New(worker.Config{
		Client:      s.Client,
		DB:          a.db,
		Tokens:      s.Tokens,
		Env:         s.EnvKey,
		Account:     s.Account,
		AccountID:   s.AccountID(),
		Concurrency: a.currentSettings().Concurrency,
		UploadLimit: a.currentSettings().UploadLimit,
		LiveLink:    a.liveLink(s),
		Paused:      paused,
		StallNotice: stallNotice,
		// The window shows its links only on screen: once the history is
		// deleted or replaced, nothing more is uploaded (see Unrecorded).
		StopWhenHistoryGone: true,
	})
	if err == nil {
		a.forgetPause(s.EnvKey, s.Account)
	}
	return q, err
}

// liveLink is the link the queue checks after each upload (the gateway
// link, on the override when one is set), or "" while the person has the
// live check turned off in Settings. It runs on the queue's goroutines.
func (a *App) liveLink(s *session.Session) func(hash, name string) string {
	return func(hash, name string) string {
		st := a.currentSettings()
		if !st.LiveCheck {
			return ""
		}
		return session.Links(st, s.Env).GatewayLink(s.EnvKey, hash, name)
	}
}

// waitForQueue runs while another process (a command-line upload or
// resume) runs the queue of the account just signed in to: the window
// says so, saves what is added meanwhile for that queue (so nothing is
// dropped, even if the window is closed first), and takes the queue over
// as soon as the other process lets it go.
func (a *App) waitForQueue(s *activeSession) {
	a.upload.showLocked(0)
	a.goBg(func() {
		for a.sleep(queueLockPoll) {
			if s.isClosed() {
				return
			}
			q, err := a.newQueue(s.Session)
			if errors.Is(err, storage.ErrQueueInUse) {
				continue
			}
			if err == nil && !s.queueOpened(q) {
				_ = q.Close() // signed out meanwhile
				return
			}
			a.do(func() {
				if a.sess != s {
					return
				}
				if err != nil {
					a.upload.setNotice(tr("The upload queue could not be opened:") + " " + humanError(err))
					return
				}
				s.useQueue()
				a.upload.locked = 0
				a.upload.setNotice("")
				a.upload.attach(s)
			})
			return
		}
	})
}

// saveForLater keeps paths for the account's queue while another process
// runs it (see waitForQueue); then, when not nil, runs on a goroutine once
// they are saved, or once they are not, with why (see addPathsThen).
func (a *App) saveForLater(paths []string, then func(error)) {
	reqs, err := a.upload.requests(paths)
	if err != nil || len(reqs) == 0 {
		a.goThen(then, err)
		return
	}
	s := a.sess
	a.goBg(func() {
		err := worker.SaveForLater(a.db, s.EnvKey, s.Account, reqs...)
		if then != nil {
			then(err)
		}
		a.do(func() {
			if a.sess != s {
				return
			}
			if err != nil {
				a.showError(tr("Cannot keep the files for later"), err)
				return
			}
			a.upload.showLocked(len(reqs))
		})
	})
}

// launchText is what answer tells a launch whose files e held: the window
// has them, what it waits for before it uploads them (room, and a sign-in
// when nobody is signed in), not to open them again, and that until then
// only its memory holds them.
func (e *waitingForRoomError) launchText() string {
	when := "lists and uploads them once there is room"
	switch e.until {
	case heldForSignIn:
		when = "uploads them once someone signs in to it and there is room"
	case heldForAnswer:
		when = "asks whether to upload them to the environment it is signed in to and, on a yes, lists and uploads them once there is room"
	}
	return "the dStor Uploader window has the files but could not save them yet: the disk holding " + inert.Line(e.full.Dir) +
		" is full. Free some space there: the window " + when + ", so do not open them again. " +
		"Until then they are kept only in its memory: if it quits, crashes or is killed first, open them again after it starts again"
}
