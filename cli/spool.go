package cli

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"os"
	"sync"
)

// spoolMemory is how much of what a spool's writer wrote and its output
// has not taken yet it keeps in memory; the rest waits in a temporary
// file.
const spoolMemory = 256 << 10

// spoolFile is where a spool keeps what does not fit in memory: a new
// temporary file that none outlives this process (newSpoolFile; a
// variable, so a test can refuse one).
var spoolFile = newSpoolFile

// spoolWrites, when set (by a test), is called with what a spool's writer
// writes, in the writer's goroutine, before the spool keeps it: what the
// writer holds then is what it holds while writing its output.
var spoolWrites func(p []byte)

// spool passes what is written to it on to out from a goroutine of its
// own, keeping what out has not taken yet (up to spoolMemory bytes in
// memory, the rest in a temporary file), so its writer never waits for
// out: history reads the database in one read transaction, which a pager
// paused on its first page (`| less`) would otherwise hold open, and with
// it every write the window makes meanwhile in the database's journal
// (the WAL cannot be checkpointed past an open read). What out receives
// is byte for byte what was written, in order. Where no temporary file
// can be made or written (a full disk), the writer waits for out, as
// without a spool.
type spool struct {
	out   io.Writer
	mu    sync.Mutex
	more  *sync.Cond // something to pass on, or closed, or out failed
	taken *sync.Cond // out took something, or failed

	mem        bytes.Buffer // written, not taken: before anything in file
	file       *os.File     // what did not fit in mem, from read to written
	read, wrot int64        // file offsets: taken by out, written
	noFile     bool         // the file could not be made or written
	closed     bool
	err        error // out's first error
	done       chan struct{}
}

// newSpool starts passing what is written to the spool on to out.
func newSpool(out io.Writer) *spool {
	s := &spool{out: out, done: make(chan struct{})}
	s.more, s.taken = sync.NewCond(&s.mu), sync.NewCond(&s.mu)
	go s.pass()
	return s
}

// Write keeps p for out, without waiting for out (unless there is no
// temporary file to keep it in); it fails once out has failed, with that
// error.
func (s *spool) Write(p []byte) (int, error) {
	if spoolWrites != nil {
		spoolWrites(p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return 0, s.err
	}
	defer s.more.Signal()
	if s.read == s.wrot && s.mem.Len()+len(p) <= spoolMemory {
		return s.mem.Write(p)
	}
	if s.file == nil && !s.noFile {
		f, err := spoolFile()
		s.file, s.noFile = f, err != nil
	}
	if s.noFile {
		return s.writeWaiting(p, 0)
	}
	n, err := s.file.WriteAt(p, s.wrot)
	s.wrot += int64(n)
	if err != nil {
		s.noFile = true
		return s.writeWaiting(p[n:], n)
	}
	return n, nil
}

// writeWaiting keeps p in memory once out has taken all that waits before
// it, as a writer without a spool waits for out; wrote is how much of the
// write was kept before. Called with s.mu held.
func (s *spool) writeWaiting(p []byte, wrote int) (int, error) {
	for s.err == nil && (s.mem.Len() > 0 || s.read < s.wrot) {
		s.more.Signal()
		s.taken.Wait()
	}
	if s.err != nil {
		return wrote, s.err
	}
	n, _ := s.mem.Write(p)
	return wrote + n, nil
}

// Close waits until out has taken everything written, closes the
// temporary file (gone with it: newSpoolFile), and returns out's first
// error, if any.
func (s *spool) Close() error {
	s.mu.Lock()
	s.closed = true
	s.more.Signal()
	s.mu.Unlock()
	<-s.done
	if s.file != nil {
		_ = s.file.Close()
	}
	return s.err
}

// pass hands out what is written, in order, until closed with nothing
// left, or until out fails.
func (s *spool) pass() {
	defer close(s.done)
	buf := make([]byte, 64<<10)
	for {
		chunk, err := s.next(buf)
		if chunk == nil {
			return
		}
		if err == nil {
			_, err = s.out.Write(chunk)
		}
		if err != nil {
			s.mu.Lock()
			s.err = cmp.Or(s.err, err)
			s.taken.Broadcast()
			s.mu.Unlock()
			return
		}
	}
}

// next waits for what out is to take next (nil once closed with nothing
// left, or failed): all of mem, else the file's next part.
func (s *spool) next(buf []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.err == nil && s.mem.Len() == 0 && s.read == s.wrot && !s.closed {
		s.more.Wait()
	}
	switch {
	case s.err != nil:
		return nil, nil
	case s.mem.Len() > 0:
		chunk := bytes.Clone(s.mem.Bytes())
		s.mem.Reset()
		s.taken.Broadcast()
		return chunk, nil
	case s.read < s.wrot:
		want := int(min(int64(len(buf)), s.wrot-s.read))
		n, err := s.file.ReadAt(buf[:want], s.read)
		if n == want {
			err = nil // io.EOF with all of it: nothing is missing
		} else if err == nil {
			err = io.ErrUnexpectedEOF
		}
		s.read += int64(n)
		if s.read == s.wrot {
			s.read, s.wrot = 0, 0 // taken whole: written again from its start
			s.taken.Broadcast()
		}
		if err != nil {
			return buf[:n], fmt.Errorf("read back the list kept for the output: %w", err)
		}
		return buf[:n], nil
	}
	return nil, nil // closed, all taken
}
