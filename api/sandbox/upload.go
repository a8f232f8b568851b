package sandbox

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/filelock"
)

// Layout of the data directory.
const (
	blobDir    = "blobs" // content, one file per CID
	metaDir    = "meta"  // <cid>.json: name, content type, size of the last upload
	tmpDir     = "tmp"   // uploads being received
	tmpPattern = "upload-*"
)

// Upload is one accepted upload as the server saw it, so tests can check
// what the client sent (destination headers, comment) and for whom.
type Upload struct {
	AccountID  string
	Name       string
	Hash       string
	Size       int64
	FolderPath string // "" when x-dstor-folder-path was not sent
	ParentID   *int64 // nil when x-dstor-parent-id was not sent
	Comment    string
	At         time.Time
}

// Uploads lists the uploads of one account, oldest first; other accounts'
// uploads are never included. With Config.ForgetUploads it lists none.
func (s *Server) Uploads(accountID string) []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Upload
	for _, u := range s.uploads {
		if u.AccountID == accountID {
			if u.ParentID != nil {
				id := *u.ParentID
				u.ParentID = &id
			}
			out = append(out, u)
		}
	}
	return out
}

// addAnswer is the IPFS-add-style answer; Size is a string as in dStor's
// guide.
type addAnswer struct {
	Name string `json:"Name"`
	Hash string `json:"Hash"`
	Size string `json:"Size"`
}

// blobMeta is what the gateway needs to serve a CID back.
type blobMeta struct {
	Name        string    `json:"name"`
	ContentType string    `json:"content_type,omitempty"`
	Size        int64     `json:"size"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// destination is the parsed x-dstor-* headers of an upload.
type destination struct {
	folderPath string
	parentID   *int64
	comment    string
}

// parseDestination validates the optional upload headers.
func parseDestination(h http.Header) (destination, error) {
	var d destination
	parent := strings.TrimSpace(h.Get("x-dstor-parent-id"))
	folder := h.Get("x-dstor-folder-path")
	if parent != "" && folder != "" {
		return d, errors.New("send x-dstor-parent-id or x-dstor-folder-path, not both")
	}
	if parent != "" {
		if strings.Trim(parent, "0123456789") != "" {
			return d, fmt.Errorf("x-dstor-parent-id must be a non-negative integer, got %q", parent)
		}
		id, err := strconv.ParseInt(parent, 10, 64)
		if err != nil {
			return d, fmt.Errorf("x-dstor-parent-id %q is out of range", parent)
		}
		d.parentID = &id
	}
	if folder != "" {
		if err := checkText("x-dstor-folder-path", folder); err != nil {
			return d, err
		}
		if !strings.HasPrefix(folder, "/") {
			return d, fmt.Errorf("x-dstor-folder-path must be absolute (start with /), got %q", folder)
		}
		for _, seg := range strings.Split(folder, "/") {
			if seg == ".." {
				return d, errors.New("x-dstor-folder-path must not contain .. segments")
			}
		}
		d.folderPath = folder
	}
	if c := h.Get("x-dstor-comment"); c != "" {
		if err := checkText("x-dstor-comment", c); err != nil {
			return d, err
		}
		d.comment = c
	}
	return d, nil
}

// checkText refuses header values that are not UTF-8 or hold control
// characters (the client must never be able to inject headers).
func checkText(name, v string) error {
	if !utf8.ValidString(v) {
		return fmt.Errorf("%s is not valid UTF-8", name)
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return fmt.Errorf("%s must not contain control characters", name)
	}
	return nil
}

// errTooLarge marks an upload over the size limit.
var errTooLarge = errors.New("upload too large")

// handleAdd answers POST /api/v0/add: it streams the file part into a
// temporary file while computing its CIDv0, then moves it into the store.
// With wrongHash (a fault) it answers a valid but different CID.
func (s *Server) handleAdd(w http.ResponseWriter, r *http.Request, wrongHash bool) {
	accountID, terr := s.authenticate(r)
	if terr != nil {
		writeError(w, http.StatusUnauthorized, terr.code, terr.message)
		return
	}
	dest, err := parseDestination(r.Header)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_header", err.Error())
		return
	}
	st, ok := s.receiveUpload(w, r)
	if !ok {
		return
	}
	if st.name == "" {
		st.name = st.hash // like `ipfs add` of a stream without a name
	}
	if err := s.commit(st); err != nil {
		s.storeFailed(w, err)
		return
	}
	if !s.forget {
		s.mu.Lock()
		s.uploads = append(s.uploads, Upload{
			AccountID: accountID, Name: st.name, Hash: st.hash, Size: st.size,
			FolderPath: dest.folderPath, ParentID: dest.parentID, Comment: dest.comment,
			At: s.now(),
		})
		s.mu.Unlock()
	}

	hash := st.hash
	if wrongHash {
		if hash, err = differentCID(st.hash); err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "could not compute a wrong hash")
			return
		}
	}
	writeJSON(w, http.StatusOK, addAnswer{Name: st.name, Hash: hash, Size: strconv.FormatInt(st.size, 10)})
}

// receiveUpload streams the file part of r into a temporary file (staged,
// its CIDv0 computed on the way). When it cannot, it answers w — too
// large, not multipart, not stored — and returns false.
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request) (*staged, bool) {
	if r.ContentLength > s.maxUpload+multipartSlack {
		s.tooLarge(w)
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload+multipartSlack)
	mr, br, err := multipartReader(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_body", "send the file as multipart/form-data: "+err.Error())
		return nil, false
	}
	st, err := s.receive(mr)
	putBodyReader(br) // the file part is read: nothing else is
	if err == nil {
		return st, true
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.Is(err, errTooLarge) || errors.As(err, &mbe):
		s.tooLarge(w)
	case errors.Is(err, errStore):
		s.storeFailed(w, err)
	default:
		writeError(w, http.StatusBadRequest, "invalid_body", err.Error())
	}
	return nil, false
}

// storeFailed answers that the file could not be stored, and logs why.
func (s *Server) storeFailed(w http.ResponseWriter, err error) {
	writeError(w, http.StatusInternalServerError, "internal", "could not store the file")
	if s.logf != nil {
		s.logf("add: %v", err)
	}
}

func (s *Server) tooLarge(w http.ResponseWriter) {
	writeError(w, http.StatusRequestEntityTooLarge, "too_large",
		fmt.Sprintf("the file is larger than this server's limit of %d bytes", s.maxUpload))
}

// differentCID is a valid CIDv0 that is not cid: the CID of a few bytes
// derived from it.
func differentCID(cid string) (string, error) {
	return api.ComputeCID(strings.NewReader("sandbox wrong hash for " + cid))
}

// stageBufferSize is the size of the reads from the request body: one IPFS
// chunk, so the parser can fill the hasher's chunk buffer in one or two
// reads.
const stageBufferSize = api.ChunkSize

// multipartReader is r.MultipartReader over a large buffer. net/http's own
// puts a 4 KiB bufio.Reader under the multipart parser, so every Read of a
// part returned at most 4 KiB and a 1 GiB upload took 262,144 reads; with a stageBufferSize buffer the parser hands out up to
// that much at a time (multipart.NewReader keeps a large enough
// bufio.Reader as it is). The buffer comes from a pool: return it with
// putBodyReader once the parts are read.
func multipartReader(r *http.Request) (*multipart.Reader, *bufio.Reader, error) {
	v := r.Header.Get("Content-Type")
	if v == "" {
		return nil, nil, http.ErrNotMultipart
	}
	d, params, err := mime.ParseMediaType(v)
	if err != nil || (d != "multipart/form-data" && d != "multipart/mixed") {
		return nil, nil, http.ErrNotMultipart
	}
	boundary, ok := params["boundary"]
	if !ok {
		return nil, nil, http.ErrMissingBoundary
	}
	br := bodyReaderPool.Get().(*bufio.Reader)
	br.Reset(r.Body)
	return multipart.NewReader(br, boundary), br, nil
}

// bodyReaderPool recycles the request body buffers: small uploads come many
// at a time, and 260 KiB of garbage each would keep the collector busy.
var bodyReaderPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, stageBufferSize+4096) }}

func putBodyReader(br *bufio.Reader) {
	br.Reset(nil)
	bodyReaderPool.Put(br)
}

// errStore marks a server-side storage failure (500, not the client's fault).
var errStore = errors.New("storage failure")

// staged is a received file waiting in tmp/ to be committed, still open
// and locked (createTemp) until it is moved into the store or removed.
type staged struct {
	f       *os.File
	tmpPath string
	name    string
	hash    string
	size    int64
}

// drop removes a staged file that will not be committed.
func (st *staged) drop() {
	_ = st.f.Close()
	_ = os.Remove(st.tmpPath)
}

// receive reads the multipart body and stages the file: the first part
// with a filename, or else the first part. Parts after the file are not
// read.
func (s *Server) receive(mr *multipart.Reader) (*staged, error) {
	var cand *staged // a part without a filename, kept until a file part shows up
	discard := func() {
		if cand != nil {
			cand.drop()
			cand = nil
		}
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			discard()
			return nil, fmt.Errorf("read multipart body: %w", err)
		}
		name := partFileName(part)
		if name == "" && cand != nil {
			_ = part.Close()
			continue
		}
		st, err := s.stage(part)
		_ = part.Close()
		if err != nil {
			discard()
			return nil, err
		}
		st.name = cleanName(name)
		if name != "" {
			discard()
			return st, nil
		}
		cand = st
	}
	if cand == nil {
		return nil, errors.New("the form has no file part")
	}
	return cand, nil
}

// partFileName is the filename part's Content-Disposition gives, without
// the folders before its last "/" (RFC 7578 section 4.2), the same on
// every system: Part.FileName cuts it with filepath.Base, which on Windows
// takes a backslash for a folder's end, and a backslash is a character of
// a Linux file's name ("back\slash.txt" was recorded as "slash.txt").
func partFileName(part *multipart.Part) string {
	_, params, err := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
	if err != nil || params["filename"] == "" {
		return ""
	}
	return path.Base(params["filename"])
}

// stage copies one part into a new file in tmp/ while hashing it: one pass,
// constant memory. The file is removed on any error.
func (s *Server) stage(part io.Reader) (_ *staged, err error) {
	f, err := createTemp(filepath.Join(s.dataDir, tmpDir))
	if err != nil {
		return nil, fmt.Errorf("%w: create temporary file: %v", errStore, err)
	}
	// One core per upload, as dStor's IPFS node (kubo's `ipfs add`) hashes:
	// a server receiving several uploads has other work for its cores, and
	// handing each chunk to another core costs a wake-up per chunk.
	h := api.NewCIDHasher()
	h.LimitCores(1)
	defer func() {
		if err != nil {
			h.Abort()
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	n, err := copyStaged(f, h, io.LimitReader(part, s.maxUpload+1))
	if err != nil {
		return nil, err
	}
	if n > s.maxUpload {
		return nil, errTooLarge
	}
	hash, err := h.Sum()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errStore, err)
	}
	return &staged{f: f, tmpPath: f.Name(), hash: hash, size: n}, nil
}

// createTemp makes the temporary file an upload is received into in dir,
// locked (filelock) until it is committed or dropped, so that a sandbox
// started meanwhile on the same data directory (removeStaleTemps) leaves
// it alone. A file that sandbox's start removed between its creation and
// its lock is made again; on a file system without locks it is used
// unlocked.
func createTemp(dir string) (*os.File, error) {
	for try := 0; ; try++ {
		f, err := os.CreateTemp(dir, tmpPattern)
		if err != nil {
			return nil, err
		}
		err = filelock.TryLock(f)
		if err == nil && stillAt(f) || err != nil && !errors.Is(err, filelock.ErrLocked) {
			return f, nil
		}
		_ = f.Close() // another sandbox's start is removing it
		if try == 2 {
			return nil, fmt.Errorf("another sandbox starting on %s removes every file made there", dir)
		}
	}
}

// stillAt reports whether the open file f is still at its path.
func stillAt(f *os.File) bool {
	fi, err := f.Stat()
	if err != nil {
		return false
	}
	now, err := os.Stat(f.Name())
	return err == nil && os.SameFile(fi, now)
}

// removeStaleTemps removes the temporary files in dir of uploads that no
// sandbox receives any more (a run that ended mid-upload left them); a
// file another sandbox serving the same data directory is receiving an
// upload into is locked (createTemp), and left alone.
func removeStaleTemps(dir string) {
	stale, _ := filepath.Glob(filepath.Join(dir, tmpPattern))
	for _, p := range stale {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		inUse := errors.Is(filelock.TryLock(f), filelock.ErrLocked)
		_ = f.Close() // before the removal, which Windows refuses of an open file
		if !inUse {
			_ = os.Remove(p)
		}
	}
}

// copyStaged is the one pass over an upload: the hasher reads the part in
// whole chunks into its own buffers, each is written to the temporary file
// in one write and then hashed where it lies. A write error is a storage
// failure (500); anything else is the body's fault.
func copyStaged(f *os.File, h *api.CIDHasher, part io.Reader) (int64, error) {
	n, err := h.Copy(storeWriter{f}, part)
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, errStore):
		return n, err
	default: // a truncated body is io.ErrUnexpectedEOF: an error here
		return n, fmt.Errorf("read file part: %w", err)
	}
}

// storeWriter marks the temporary file's write errors as storage failures.
type storeWriter struct{ f *os.File }

func (w storeWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		err = fmt.Errorf("%w: write temporary file: %v", errStore, err)
	}
	return n, err
}

// cleanName keeps a part's filename for display and Content-Disposition,
// minus anything unsafe (control characters, path-only names).
func cleanName(name string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	switch name {
	case ".", "..", "/", "\\":
		return ""
	}
	return name
}

// commit moves a staged file to blobs/<cid> and records its metadata.
// Identical content is stored once.
func (s *Server) commit(st *staged) error {
	s.blobMu.Lock()
	defer s.blobMu.Unlock()
	blob := filepath.Join(s.dataDir, blobDir, st.hash)
	// Closed (and so unlocked) only now: Windows moves no open file.
	if err := st.f.Close(); err != nil {
		_ = os.Remove(st.tmpPath)
		return fmt.Errorf("%w: close temporary file: %v", errStore, err)
	}
	if fi, err := os.Stat(blob); err == nil && fi.Size() == st.size {
		_ = os.Remove(st.tmpPath)
	} else if err := os.Rename(st.tmpPath, blob); err != nil {
		_ = os.Remove(st.tmpPath)
		return fmt.Errorf("move upload into the store: %w", err)
	}
	meta, err := json.Marshal(blobMeta{
		Name:        st.name,
		ContentType: mime.TypeByExtension(filepath.Ext(st.name)),
		Size:        st.size,
		UploadedAt:  s.now().UTC(),
	})
	if err != nil {
		return fmt.Errorf("encode metadata: %w", err)
	}
	return writeFileAtomic(filepath.Join(s.dataDir, metaDir, st.hash+".json"), meta)
}

// writeFileAtomic writes data to a temporary file and renames it over path,
// so a reader never sees a half-written file.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".meta-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return nil
}
