package ui

import (
	"errors"
	"slices"

	"fyne.io/fyne/v2"
	"github.com/google/uuid"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/api/worker"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// Files and folders added before sign-in ("Open with", a later launch's
// hand-off, a drop, a pick) wait for whoever signs in. They are kept in the
// database (storage.DB.WalksBeforeSignIn: walks of no account) before a
// launch is told they are taken, so a crash or a kill before the sign-in
// loses none of them: the next start shows them waiting again. So are the
// files a launch opened for another environment than the one signed in
// to, until the question about them is answered (onHandoff).

// pendingFile is one file or folder added before sign-in.
type pendingFile struct {
	path string
	env  string // the environment its launch named (session.ParseKey), "" for none
	id   string // its walk row
}

// restorePending takes back what was added before sign-in and not queued
// when the window last ran (it quit, crashed or was killed first), and
// returns the environment the first of it was opened for ("" for none).
func (a *App) restorePending() (string, error) {
	rows, err := a.db.WalksBeforeSignIn()
	if err != nil {
		return "", err
	}
	env := ""
	for _, r := range rows {
		a.pending = append(a.pending, pendingFile{path: r.Path, env: r.Env, id: r.ID})
		if env == "" {
			env = r.Env
		}
	}
	if len(a.pending) > 0 {
		a.signin.showPending(len(a.pending))
	}
	return env, nil
}

// pendingSave is one write of files kept until sign-in (keepWaiting).
type pendingSave struct {
	done chan struct{} // closed once written, or once writing failed
	err  error         // why it failed; read once done is closed
}

// keepPending keeps paths until sign-in, for env's account when env is
// not "". They are written to the database on a goroutine; a.pendingSaved
// is done once they are (see whenSaved).
func (a *App) keepPending(paths []string, env string) {
	if len(paths) == 0 {
		return
	}
	_, rows := a.keepWaiting(paths, env)
	for _, r := range rows {
		a.pending = append(a.pending, pendingFile{path: r.Path, env: env, id: r.ID})
	}
	a.signin.showPending(len(a.pending))
}

// keepPendingThen is keepPending; then, when not nil, runs on a goroutine
// once they are saved (whenSaved), with nil or why not. A full disk's
// refusal is a *waitingForRoomError: a.pending holds them all the same,
// and queuePending queues them at the sign-in.
func (a *App) keepPendingThen(paths []string, env string, then func(error)) {
	a.keepPending(paths, env)
	a.whenSaved(a.pendingSaved, heldWhenFull(then, heldForSignIn))
}

// heldWhenFull is then (nil when then is), told of a save that the full
// disk refused as a *waitingForRoomError held until the window's memory
// lets them go on: the files are not lost, only not saved yet.
func heldWhenFull(then func(error), until heldUntil) func(error) {
	if then == nil {
		return nil
	}
	return func(err error) {
		if full, ok := errors.AsType[*storage.DiskFullError](err); ok {
			err = &waitingForRoomError{full: full, until: until}
		}
		then(err)
	}
}

// keepWaiting writes paths to the database on a goroutine as files that
// wait for a sign-in to env's account ("" for any), after the writes
// before it, and returns that write (also a.pendingSaved) and their rows.
// A failure is shown.
func (a *App) keepWaiting(paths []string, env string) (*pendingSave, []storage.WalkRow) {
	batch := uuid.NewString()
	rows := make([]storage.WalkRow, len(paths))
	for i, p := range paths {
		if abs, err := api.AbsPath(p); err == nil {
			p = abs // the next start may have another working directory
		}
		rows[i] = storage.WalkRow{ID: uuid.NewString(), BatchID: batch, Env: env, Path: p}
	}
	prev := a.pendingSaved
	save := &pendingSave{done: make(chan struct{})}
	a.pendingSaved = save
	written := slices.Clone(rows) // InsertWalks fills in its rows' times: not in those returned
	if !a.goBg(func() {
		defer close(save.done)
		if prev != nil {
			<-prev.done // in the order added
		}
		reqs := make([]worker.Request, len(written))
		for i, r := range written {
			reqs[i] = worker.Request{Path: r.Path}
		}
		// The folder's latest upload from now on, listed or not
		// (storage.WalkRow.Folder); forgotten with its row. Given up
		// once the window quits (a drive that stopped answering): its
		// listing makes it then.
		written = worker.ShareFoldersUntil(a.quitLooks, written, reqs)
		if save.err = a.db.InsertWalks(written); save.err != nil {
			a.do(func() { a.showError(tr("Cannot keep the files for later"), save.err) })
		}
	}) {
		save.err = errClosed
		close(save.done)
	}
	return save, rows
}

// whenSaved runs f, when not nil, on a goroutine once the write saved is
// done (at once when saved is nil), with its error. It does nothing once
// the window is closed.
func (a *App) whenSaved(saved *pendingSave, f func(error)) {
	if f == nil {
		return
	}
	a.goBg(func() {
		var err error
		if saved != nil {
			<-saved.done
			err = saved.err
		}
		f(err)
	})
}

// forgetWaiting is what forgets the files kept waiting in the rows ids
// (written by saved) once they are queued, or once nothing is to become of
// them (nil: the question about them was answered no): never before they
// are written. Files the queue could not save stay, for the next start;
// files the destination refused go, as the Upload tab says nothing was
// added.
func (a *App) forgetWaiting(saved *pendingSave, ids []string) func(error) {
	return func(err error) {
		if _, refused := errors.AsType[*destinationError](err); err != nil && !refused {
			return
		}
		if saved != nil {
			<-saved.done
		}
		if _, err := a.db.DeleteWalks(ids...); err != nil {
			// They come back at the next start; the queue adds
			// nothing it holds already.
			fyne.LogError("forget the files kept waiting", err)
		}
	}
}

// queuePending queues what was added before sign-in for the account just
// signed in to, and forgets it in the database once the queue has it.
// Files a launch opened for another environment are asked about first, as
// when the window is signed in already; the answer forgets them too.
func (a *App) queuePending() {
	if len(a.pending) == 0 {
		return
	}
	files := a.pending
	a.pending = nil
	a.signin.pending.Hide()
	saved := a.pendingSaved
	var order []string // environments, in the order first added
	paths := map[string][]string{}
	ids := map[string][]string{}
	for _, f := range files {
		env := f.env
		if env == a.sess.EnvKey {
			env = ""
		}
		if _, ok := paths[env]; !ok {
			order = append(order, env)
		}
		paths[env] = append(paths[env], f.path)
		ids[env] = append(ids[env], f.id)
	}
	for _, env := range order {
		if env == "" {
			a.addPathsThen(paths[env], a.forgetWaiting(saved, ids[env]))
		} else {
			a.askOtherEnv(paths[env], env, a.forgetWaiting(saved, ids[env]))
		}
	}
}

// rowIDs are the ids of rows.
func rowIDs(rows []storage.WalkRow) []string {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}
