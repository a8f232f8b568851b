package sandbox

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Fault makes the sandbox misbehave on purpose, so tests can check that the
// client retries, times out, reports and verifies as it should. Set at most
// one kind of answer (CutAfter, HTMLError, Malformed, Status, WrongHash);
// Delay and Stall combine with any of them.
type Fault struct {
	// Path limits the fault to one exact path, e.g. "/api/v0/add"; empty
	// means any request.
	Path string
	// Count is how many matching requests get the fault (0 means 1); -1
	// means every matching request until ClearFaults.
	Count int
	// Every, when positive, applies the fault to every Every-th matching
	// request instead (the 2nd, 4th, … for 2) until ClearFaults; Count is
	// then ignored.
	Every int
	// Status answers this status with a JSON error body.
	Status int
	// RetryAfter adds a Retry-After header (whole seconds, rounded up) to
	// a Status or HTMLError answer.
	RetryAfter time.Duration
	// Delay waits this long before handling the request (less if the
	// client goes away or the server closes).
	Delay time.Duration
	// CutAfter reads this many bytes of the request body, then closes the
	// connection without an answer, as a dropped network would.
	CutAfter int64
	// CutFraction, when in (0, 1], cuts like CutAfter after this fraction
	// of the request's Content-Length (0.5: half the body), so a test can
	// cut the middle of a file of any size. CutAfter wins when both are set.
	CutFraction float64
	// Stall sends nothing for this long after the request headers (less if
	// the client goes away or the server closes), then handles the request
	// normally: a hung server for client timeouts. ClearFaults ends a stall
	// in progress by closing its connection without an answer, so a request
	// its client gave up on is not stored later, in another test's time.
	Stall time.Duration
	// WrongHash handles an upload normally but answers a valid CIDv0 of
	// other bytes, so integrity checks can be tested.
	WrongHash bool
	// Malformed answers 200 (or Status when set) with broken JSON.
	Malformed bool
	// HTMLError answers Status (502 when unset) with an HTML page, like a
	// proxy such as nginx in front of the real service.
	HTMLError bool

	cleared <-chan struct{} // ClearFaults closes it: set by nextFault
}

// String describes the fault for the request log.
func (f Fault) String() string {
	var parts []string
	if f.Delay > 0 {
		parts = append(parts, "delay "+f.Delay.String())
	}
	if f.Stall > 0 {
		parts = append(parts, "stall "+f.Stall.String())
	}
	switch {
	case f.CutAfter > 0:
		parts = append(parts, fmt.Sprintf("cut after %d bytes", f.CutAfter))
	case f.CutFraction > 0:
		parts = append(parts, fmt.Sprintf("cut after %g%% of the body", f.CutFraction*100))
	case f.HTMLError:
		parts = append(parts, fmt.Sprintf("HTML %d", f.htmlStatus()))
	case f.Malformed:
		parts = append(parts, "malformed JSON")
	case f.Status != 0:
		parts = append(parts, "status "+strconv.Itoa(f.Status))
	}
	if f.WrongHash {
		parts = append(parts, "wrong hash")
	}
	if f.RetryAfter > 0 {
		parts = append(parts, "retry after "+f.RetryAfter.String())
	}
	return strings.Join(parts, ", ")
}

func (f Fault) htmlStatus() int {
	if f.Status == 0 {
		return http.StatusBadGateway
	}
	return f.Status
}

// faultState is an injected fault with its counters.
type faultState struct {
	Fault
	remaining int // for Count mode; -1 = unlimited
	seen      int // matching requests, for Every mode
}

// InjectFault queues a fault. Faults are checked in the order they were
// injected and the first that fires applies to the request.
func (s *Server) InjectFault(f Fault) {
	st := &faultState{Fault: f, remaining: f.Count}
	if st.remaining == 0 {
		st.remaining = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, st)
}

// ClearFaults removes every queued fault and ends the stalls in progress,
// so the server behaves again.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
	close(s.cleared)
	s.cleared = make(chan struct{})
}

// nextFault picks the fault for a request to path and updates the
// counters. The caller holds s.mu.
func (s *Server) nextFault(path string) *Fault {
	for i, st := range s.faults {
		if st.Path != "" && st.Path != path {
			continue
		}
		if st.Every > 0 {
			st.seen++
			if st.seen%st.Every != 0 {
				continue
			}
			f := st.Fault
			f.cleared = s.cleared
			return &f
		}
		f := st.Fault
		f.cleared = s.cleared
		if st.remaining > 0 {
			st.remaining--
			if st.remaining == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return &f
	}
	return nil
}

// applyFault carries out f. It reports true when it answered the request
// (or cut it) and false when the request should now be handled normally.
func (s *Server) applyFault(w *recorder, r *http.Request, f *Fault) bool {
	delayed := s.wait(r.Context(), f.Delay, nil)
	stalled := delayed && s.wait(r.Context(), f.Stall, f.cleared)
	if delayed && !stalled && isClosed(f.cleared) {
		panic(http.ErrAbortHandler) // the stall was cleared: close without an answer
	}
	if !stalled {
		if s.isClosing() {
			writeError(w, http.StatusServiceUnavailable, "closed", "the sandbox is shutting down")
		}
		return true // the client is gone or the server is closing
	}
	switch {
	case f.CutAfter > 0 || f.CutFraction > 0:
		cut(w, r, f)
		return true
	case f.HTMLError:
		s.drain(w, r)
		setRetryAfter(w, f.RetryAfter)
		writeProxyError(w, f.htmlStatus())
		return true
	case f.Malformed:
		s.drain(w, r)
		status := f.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		// Whole but not JSON: an answer cut short is another fault, which
		// the client tells apart.
		_, _ = io.WriteString(w, `{"Name":"file","Hash":Qm}`)
		return true
	case f.Status != 0:
		s.drain(w, r)
		setRetryAfter(w, f.RetryAfter)
		writeError(w, f.Status, "injected_fault", "injected fault: "+http.StatusText(f.Status))
		return true
	}
	return false
}

// cut reads the part of the request body f lets through (CutAfter bytes,
// or CutFraction of its length) and closes the connection without an
// answer.
func cut(w *recorder, r *http.Request, f *Fault) {
	n := f.CutAfter
	if n <= 0 {
		n = int64(float64(r.ContentLength) * min(f.CutFraction, 1))
	}
	if n > 0 {
		_, _ = io.CopyN(io.Discard, r.Body, n)
	}
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Cannot hijack (e.g. HTTP/2): make the answer unusable instead.
		panic(http.ErrAbortHandler)
	}
	w.hijacked = true
	_ = conn.Close()
}

// writeProxyError answers status with the HTML page a proxy in front of
// the API (nginx) would send, not the API's JSON.
func writeProxyError(w http.ResponseWriter, status int) {
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, "<html>\r\n<head><title>"+text+"</title></head>\r\n<body>\r\n<center><h1>"+
		text+"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n")
}

// drain reads (and drops) the request body, up to the upload limit, before
// an early answer, so the client reliably sees the answer rather than a
// connection reset in the middle of its upload.
func (s *Server) drain(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, s.maxUpload+multipartSlack))
}

func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	if d > 0 {
		secs := int64((d + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
	}
}

// wait sleeps for d unless ctx ends, the server closes or cleared is
// closed first; it reports whether the full time passed.
func (s *Server) wait(ctx context.Context, d time.Duration, cleared <-chan struct{}) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.closing:
		return false
	case <-cleared:
		return false
	}
}

// isClosed reports whether ch is closed (nil never is).
func isClosed(ch <-chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func (s *Server) isClosing() bool {
	select {
	case <-s.closing:
		return true
	default:
		return false
	}
}
