// Package instance keeps one dStor Uploader window per person and data
// folder. The first window to start claims the data folder; a later launch
// (a double-click, "Open with", the .desktop file's %F) finds it, hands it
// its files and --env over a local channel only the same user can open,
// and exits, so the files join the running window's queue instead of a
// second window that cannot run the same account's queue. A window that
// crashed leaves nothing that stops the next one from claiming the folder.
package instance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// HandoffTimeout bounds a second launch's hand-off: it has found a running
// window, so it either delivers within this time or gives up (and opens a
// window of its own). A busy window is slow, not gone: an idle one answers
// in a millisecond, but one whose goroutines keep the CPU busy, on a loaded
// machine, answers once the Go scheduler runs its accepting goroutine,
// which under Wine took seconds (README, "Windows": the hand-off under
// load). A window that truly hangs costs its launch this wait once.
const HandoffTimeout = 10 * time.Second

// SaveTimeout bounds a launch's wait, once the window has said it holds
// the launch's request, for the answer that its files are saved. A window
// that says it holds them is alive: a slow answer means a busy window or
// database, so the launch waits this much longer, rather than opening a
// second window for files the first one is already queuing.
const SaveTimeout = 2 * time.Minute

// handoffWait, saveWait and updateWait are HandoffTimeout, SaveTimeout
// and storage.UpgradeWait; tests shorten them.
var handoffWait, saveWait, updateWait = HandoffTimeout, SaveTimeout, storage.UpgradeWait

// maxRequestBytes caps one hand-off: thousands of paths fit, a stray
// client cannot make the window read without end.
const maxRequestBytes = 8 << 20

// connTimeout bounds reading one request and writing its answer (not the
// window's queuing of it in between, which the launch's HandoffTimeout
// bounds).
const connTimeout = 5 * time.Second

// backlog is how many hand-offs wait for a window still starting (or
// busy); their launches get their answer once the window has taken them.
const backlog = 64

// Request is what a second launch hands to the running window.
type Request struct {
	// Env is the --env it was given ("" when none).
	Env string `json:"env,omitempty"`
	// Paths are the files and folders it was given, absolute.
	Paths []string `json:"paths,omitempty"`
	// Typed are those paths as the launch was given them (Typed[i] for
	// Paths[i]), so the window says of one typed starting with a ~ no
	// shell replaced what the command line says (api.SplitNotThere); nil
	// from a launch of an older version.
	Typed []string `json:"typed,omitempty"`
	// Pick asks the window to let the person choose files to upload (the
	// desktop entry's "Upload files…" action).
	Pick bool `json:"pick,omitempty"`
}

// wireRequest is a Request as it crosses the channel. JSON strings hold
// only valid UTF-8 (encoding/json writes any other byte as U+FFFD), but a
// Unix file name is any bytes: RawPaths carries every path's bytes when
// one of them is not valid UTF-8, so the window gets the file that was
// chosen, never another whose name holds U+FFFD. Paths stays for a window
// of an older version, which reads only that. Typed goes as text: a
// spelling not valid UTF-8 then no longer ends its path, and gives the
// window no ~ to speak of (api.SplitNotThere), never a wrong one.
type wireRequest struct {
	Env      string   `json:"env,omitempty"`
	Paths    []string `json:"paths,omitempty"`
	RawPaths [][]byte `json:"raw_paths,omitempty"`
	Typed    []string `json:"typed,omitempty"`
	Pick     bool     `json:"pick,omitempty"`
	Acks     bool     `json:"acks,omitempty"` // see acksField
}

// MarshalJSON writes r with its paths' bytes when JSON text cannot hold them.
func (r Request) MarshalJSON() ([]byte, error) {
	w := wireRequest{Env: r.Env, Paths: r.Paths, Typed: r.Typed, Pick: r.Pick, Acks: true}
	for _, p := range r.Paths {
		if !utf8.ValidString(p) {
			w.RawPaths = make([][]byte, len(r.Paths))
			for i, p := range r.Paths {
				w.RawPaths[i] = []byte(p)
			}
			break
		}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads what MarshalJSON wrote: the paths' bytes when they
// were sent.
func (r *Request) UnmarshalJSON(b []byte) error {
	var w wireRequest
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*r = Request{Env: w.Env, Paths: w.Paths, Typed: w.Typed, Pick: w.Pick}
	if len(w.RawPaths) > 0 {
		if len(w.RawPaths) != len(w.Paths) {
			return errors.New("raw_paths and paths differ in length")
		}
		for i, p := range w.RawPaths {
			r.Paths[i] = string(p)
		}
	}
	return nil
}

// reply is the window's answer: it has taken the request (OK), or it
// refuses it, saying why (Error). A launch of an older version reads only
// OK.
type reply struct {
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Received comes first, alone, as soon as the window holds the
	// request, to a launch that asked for it (ackRequest): the launch then
	// waits up to SaveTimeout for the answer.
	Received bool `json:"received,omitempty"`
}

// acksField is read from a request apart from it: its Acks says that the
// launch reads a first reply saying the request was received (every
// Request marshalled here says so). A launch of an older version does not,
// and gets the answer alone.
type acksField struct {
	Acks bool `json:"acks,omitempty"`
}

// ErrUnconfirmed means the window said it held the files but did not say
// within SaveTimeout that they were saved: they may be in its queue, or not.
var ErrUnconfirmed = errors.New("the running dStor Uploader window received the files but did not confirm in time that it saved them; " +
	"look on its Upload tab, and if they are not listed there, open them again (files it holds already are not added twice)")

// ErrRefused matches a *RefusedError.
var ErrRefused = errors.New("the running dStor Uploader window did not take the files")

// RefusedError is the answer of a window that did not take a launch's
// files (they could not be saved, or there was nowhere valid to add them
// to), or that keeps them but cannot upload them now (its history file
// was deleted or replaced: they wait for its next start): the launch must
// not exit as if they were queued, nor open a window of its own.
type RefusedError struct {
	// Reason is the window's sentence: what went wrong and what to do.
	Reason string
}

func (e *RefusedError) Error() string { return e.Reason }

// Is makes errors.Is(err, ErrRefused) hold.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// ErrNotAnswering means another window holds the data folder but did not
// take the hand-off in time (it hangs, or is shutting down).
var ErrNotAnswering = errors.New("another dStor Uploader window is running on this data folder but did not answer")

// unreachableError is ErrNotAnswering when the launch could not even
// connect to the window that holds the data folder, with what it found.
type unreachableError struct{ found string }

func (e *unreachableError) Error() string {
	return "another dStor Uploader window holds this data folder, but it could not be reached: " + e.found
}

func (e *unreachableError) Is(target error) bool { return target == ErrNotAnswering }

// Server is the running window's end of the channel. Requests arrive on
// Requests until Close.
type Server struct {
	ln       listener
	requests chan Handoff
	stop     chan struct{}
	wg       sync.WaitGroup
	once     sync.Once
}

// Claim makes this process the window of data folder dir, or hands req to
// the window that already is. It returns a Server when this process is the
// window now (a window that crashed does not stand in the way), or
// handed=true when req was delivered: the caller exits. ErrNotAnswering
// means a window is there but did not take req within HandoffTimeout; a
// *RefusedError (ErrRefused) that the window answered it did not take the
// files, and why.
//
// A command updating the history of an older version holds the window's
// lock while it does (storage.UpdateUnderWay): Claim waits for the update,
// up to storage.UpgradeWait, and the hand-off's time starts after it. An
// update still under way then is a *storage.UpdateTooLongError
// (storage.ErrUpdateTooLong), which says what to do.
func Claim(ctx context.Context, dir string, req Request) (srv *Server, handed bool, err error) {
	return ClaimWaiting(ctx, dir, req, nil)
}

// ClaimWaiting is Claim, calling waiting (when not nil) once, on Claim's
// goroutine, when it finds a command updating the history and waits for
// it: a window launched then shows meanwhile that it waits, and why,
// rather than nothing for up to storage.UpgradeWait. It calls waiting
// only when the update is still under way after a first wait
// (updateRetry): another launch's look at the upgrade lock
// (storage.UpdateUnderWay holds it a moment) is no update to show.
func ClaimWaiting(ctx context.Context, dir string, req Request, waiting func()) (srv *Server, handed bool, err error) {
	waitUntil := time.Now().Add(updateWait)
	for found := false; ; found = true {
		srv, handed, err = claim(ctx, dir, req)
		if !errors.Is(err, errUpdating) {
			return srv, handed, err
		}
		if !time.Now().Before(waitUntil) {
			return nil, false, &storage.UpdateTooLongError{Dir: dir, For: updateWait}
		}
		if found && waiting != nil {
			waiting()
			waiting = nil
		}
		if err := waitForUpdate(ctx); err != nil {
			return nil, false, err
		}
	}
}

// HandOff hands req to the window already running on the data folder dir
// without claiming dir or making anything in it: for a launch that cannot
// open a window of its own (no display), whose files still go to the
// window that runs. handed is false, with no error, when no window listens
// there (or there is no such folder); a window that does not take req says
// why as Claim's does (ErrRefused, ErrUnconfirmed, ErrNotAnswering).
func HandOff(ctx context.Context, dir string, req Request) (handed bool, err error) {
	outer := ctx
	ctx, cancel := context.WithTimeout(ctx, handoffWait)
	defer cancel()
	conn, err := dialChannel(ctx, dir)
	switch {
	case errors.Is(err, errNoWindow):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("%w (%v)", ErrNotAnswering, err)
	}
	if err := exchange(ctx, outer, conn, req); err != nil {
		return false, err
	}
	return true, nil
}

// errUpdating is claim's: the data folder's lock is held by a process
// updating the history, not by a window.
var errUpdating = errors.New("another dStor Uploader is updating the upload history in this data folder")

// claim is Claim's one try, errUpdating for a lock held by a process
// updating the history.
func claim(ctx context.Context, dir string, req Request) (srv *Server, handed bool, err error) {
	outer := ctx
	ctx, cancel := context.WithTimeout(ctx, handoffWait)
	defer cancel()
	for {
		ln, err := listen(dir)
		if err == nil {
			return serve(ln), false, nil
		}
		if !errors.Is(err, errRunning) {
			return nil, false, err
		}
		if storage.UpdateUnderWay(dir) {
			return nil, false, errUpdating
		}
		err = send(ctx, outer, dir, req)
		switch {
		case err == nil:
			return nil, true, nil
		case errors.Is(err, ErrRefused), errors.Is(err, ErrUnconfirmed):
			return nil, false, err
		case errors.Is(err, errNoWindow) && ctx.Err() == nil:
			// It ended between the two steps: claim the folder again.
			continue
		case errors.Is(err, ErrNotAnswering) && ctx.Err() == nil:
			// It hung up without taking the request: it is quitting.
			// Try again: the next window, maybe this launch, takes it.
			select {
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
			continue
		case ctx.Err() != nil:
			if ce, ok := errors.AsType[*channelError](err); ok && errors.Is(err, errBusy) {
				return nil, false, &unreachableError{found: ce.found}
			}
			return nil, false, fmt.Errorf("%w (%v)", ErrNotAnswering, err)
		}
		return nil, false, err
	}
}

// waitForUpdate waits a moment (updateRetry) for an update of the history
// under way, within ctx.
func waitForUpdate(ctx context.Context) error {
	if onUpdateWait != nil {
		onUpdateWait()
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(updateRetry):
		return nil
	}
}

// updateRetry is how often a window waiting for an update of the history
// looks whether it is over.
const updateRetry = 50 * time.Millisecond

// send delivers req to the running window and waits for its answer. The
// window may hold the claim but not listen yet (it is starting), so a
// busy channel is tried again until ctx ends; once the window says it
// holds req, its answer is waited for up to saveWait within outer.
func send(ctx, outer context.Context, dir string, req Request) error {
	var busy error // what the last try found
	for {
		conn, err := dial(ctx, dir)
		if err == nil {
			return exchange(ctx, outer, conn, req)
		}
		if busy != nil && ctx.Err() != nil {
			return busy // this try failed for want of time
		}
		if !errors.Is(err, errBusy) {
			return err
		}
		busy = err
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// exchange writes req on conn and reads the window's answer: within ctx,
// or, once the window has said it received req, within saveWait of outer.
func exchange(ctx, outer context.Context, conn io.ReadWriteCloser, req Request) error {
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer func() { stop() }()
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return fmt.Errorf("hand the files to the running window: %w", err)
	}
	dec := json.NewDecoder(bufio.NewReader(conn))
	var r reply
	err := dec.Decode(&r)
	if err == nil && r.Received && stop() {
		saving, cancel := context.WithTimeout(outer, saveWait)
		defer cancel()
		stop = context.AfterFunc(saving, func() { conn.Close() })
		r = reply{}
		err = dec.Decode(&r)
		if err != nil && saving.Err() != nil && outer.Err() == nil {
			return ErrUnconfirmed
		}
	}
	switch {
	case err == nil && !r.OK && r.Error != "":
		return &RefusedError{Reason: r.Error}
	case err != nil || !r.OK:
		return fmt.Errorf("%w: no answer (%v)", ErrNotAnswering, err)
	}
	return nil
}

// serve starts accepting hand-offs on ln.
func serve(ln listener) *Server {
	s := &Server{ln: ln, requests: make(chan Handoff, backlog), stop: make(chan struct{})}
	s.wg.Add(1)
	go s.acceptLoop()
	return s
}

// Handoff is a later launch's request as the window receives it. The
// launch is answered (and exits) only once the window calls Done, having
// queued what it asked for, or Fail: a window that quits before it takes
// a request never tells its launch that it did, so the launch tries again
// and becomes the next window rather than losing its files.
type Handoff struct {
	Request
	answer func(reply)
}

// Done tells the launch that its request was taken. Safe to call more than
// once (only the first Done or Fail counts); a Handoff made by hand (a
// test's) has nothing to tell.
func (h Handoff) Done() {
	if h.answer != nil {
		h.answer(reply{OK: true})
	}
}

// Fail tells the launch that its files were not taken (or are not
// uploaded now), and why: reason is
// the sentence its Claim returns (a *RefusedError), which says what to do.
// Only the first Done or Fail counts.
func (h Handoff) Fail(reason string) {
	if reason == "" {
		reason = ErrRefused.Error()
	}
	if h.answer != nil {
		h.answer(reply{Error: reason})
	}
}

// Requests delivers the hand-offs of later launches, in order; it is closed
// by Close. The channel holds a backlog for a window still starting.
func (s *Server) Requests() <-chan Handoff { return s.requests }

// Close stops listening, ends the connections being served and releases
// the data folder, so the next launch becomes the window. Safe to call
// twice.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		close(s.stop)
		err = s.ln.Close()
		s.wg.Wait()
		close(s.requests)
	})
	return err
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			select {
			case <-s.stop:
				return
			default:
			}
			// A failed accept of one client (it hung up at once, or is
			// another user's) does not end the window's channel.
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(conn)
		}()
	}
}

// handle reads one request from conn, hands it on, and answers.
func (s *Server) handle(conn io.ReadWriteCloser) {
	defer conn.Close()
	timer := time.AfterFunc(connTimeout, func() { conn.Close() })
	defer timer.Stop()
	done := make(chan struct{})
	defer close(done)
	go func() { // Close ends a connection still being read
		select {
		case <-s.stop:
			conn.Close()
		case <-done:
		}
	}()
	var raw json.RawMessage
	var req Request
	var acks acksField
	if json.NewDecoder(io.LimitReader(conn, maxRequestBytes)).Decode(&raw) != nil ||
		json.Unmarshal(raw, &req) != nil || json.Unmarshal(raw, &acks) != nil {
		return
	}
	// Read: from now on the launch waits for the window (up to its
	// HandoffTimeout, or SaveTimeout once told it was received). Hanging
	// up on it while the window still holds its request made it hand the
	// same files again.
	timer.Stop()
	answered := make(chan reply, 1)
	var once sync.Once
	answer := func(r reply) { once.Do(func() { answered <- r }) }
	select {
	case s.requests <- Handoff{Request: req, answer: answer}:
	case <-s.stop:
		return
	}
	if acks.Acks && !tell(conn, timer, reply{Received: true}) {
		return
	}
	var r reply
	select { // no answer, so the launch tries again, when the window quits first
	case r = <-answered:
	case <-s.stop:
		return
	}
	if tell(conn, timer, r) {
		// Wait for the launch to read the answer and hang up: a named
		// pipe drops what its reader has not read when it is closed.
		timer.Reset(connTimeout)
		_, _ = io.Copy(io.Discard, io.LimitReader(conn, 1))
	}
}

// tell writes r on conn within connTimeout (timer closes conn then), and
// reports whether it was written.
func tell(conn io.Writer, timer *time.Timer, r reply) bool {
	timer.Reset(connTimeout)
	err := json.NewEncoder(conn).Encode(r)
	timer.Stop()
	return err == nil
}

// onUpdateWait, when set (by a test), runs each time Claim waits for an
// update of the history to end.
var onUpdateWait func()
