package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/dstor-uploader/dstor-uploader/api"
)

// handleGateway answers GET and HEAD /ipfs/{hash}: the stored bytes, with
// the original name's Content-Type and Content-Disposition, and Range
// support through http.ServeContent.
func (s *Server) handleGateway(w http.ResponseWriter, r *http.Request, hash string) {
	// Only a well-formed CIDv0 reaches the file system, so no path tricks.
	if !api.IsCIDv0(hash) {
		writeError(w, http.StatusBadRequest, "invalid_hash", "not a CIDv0 hash (Qm…, 46 characters)")
		return
	}
	f, err := os.Open(filepath.Join(s.dataDir, blobDir, hash))
	if errors.Is(err, fs.ErrNotExist) {
		writeError(w, http.StatusNotFound, "not_found", "no content with this hash on this server")
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "could not open the content")
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal", "could not read the content")
		return
	}

	meta := s.readMeta(hash)
	if meta.ContentType == "" {
		if meta.ContentType, err = sniffType(f); err != nil {
			writeError(w, http.StatusInternalServerError, "internal", "could not read the content")
			return
		}
	}
	setContentHeaders(w.Header(), r, hash, meta)
	modTime := meta.UploadedAt
	if modTime.IsZero() {
		modTime = fi.ModTime()
	}
	if h := r.Header.Get("Range"); h != "" {
		r.Header.Set("Range", withoutEmptySuffixes(h, fi.Size()))
	}
	http.ServeContent(w, r, "", modTime, f)
}

// sniffType is the type of content f starts with (as ServeContent would
// sniff it), leaving f at its start, so the gateway knows every answer's
// type before it chooses its headers.
func sniffType(f io.ReadSeeker) (string, error) {
	head := make([]byte, 512) // what http.DetectContentType reads at most
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", fmt.Errorf("sniff content type: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", fmt.Errorf("sniff content type: %w", err)
	}
	return http.DetectContentType(head[:n]), nil
}

// runsScript reports whether a browser may run script in content of
// contentType (a page, an SVG drawing, XML with XHTML or a stylesheet in
// it): such content would run on the sandbox's own origin, which its
// Origin check lets sign in and upload.
func runsScript(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return true // a type the browser may read more leniently: no chance taken
	}
	switch mediaType {
	case "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml", "text/xsl":
		return true
	}
	return strings.HasSuffix(mediaType, "+xml")
}

// withoutEmptySuffixes is the Range header h of content of size bytes
// without its suffix ranges of 0 bytes ("-0"), which select nothing and
// are unsatisfiable (RFC 9110 §14.1.1), but which net/http's ServeContent
// answers 206 with a Content-Range such as "bytes 20-19/20"
// (golang/go#81262). A header of nothing else becomes one whose range
// starts at the end, unsatisfiable too, so ServeContent answers 416 with
// "bytes */SIZE" as for any range past the end (and still ignores the
// Range an If-Range does not match). Any other header is h.
func withoutEmptySuffixes(h string, size int64) string {
	specs, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return h
	}
	var kept []string
	for spec := range strings.SplitSeq(specs, ",") {
		spec = strings.TrimSpace(spec)
		if digits, suffix := strings.CutPrefix(spec, "-"); !suffix || digits == "" || strings.Trim(digits, "0") != "" {
			kept = append(kept, spec)
		}
	}
	switch {
	case len(kept) == 0:
		return "bytes=" + strconv.FormatInt(size, 10) + "-"
	case strings.Count(specs, ",")+1 == len(kept):
		return h
	}
	return "bytes=" + strings.Join(kept, ",")
}

// setContentHeaders sets what a gateway says of stored content: its type
// and name (?filename= renames it, ?download=true asks the browser to save
// it rather than show it), and that it never changes. Content a browser
// may run script in is put in a CSP sandbox: an opaque origin without
// script, so a page the person uploaded cannot use the sandbox's API from
// its own origin (see origin.go).
func setContentHeaders(h http.Header, r *http.Request, hash string, meta blobMeta) {
	h.Set("Content-Type", meta.ContentType)
	if runsScript(meta.ContentType) {
		h.Set("Content-Security-Policy", "sandbox")
	}
	name := meta.Name
	if name == hash {
		name = ""
	}
	if q := r.URL.Query().Get("filename"); q != "" {
		name = q
	}
	kind := "inline"
	if r.URL.Query().Get("download") == "true" {
		kind = "attachment"
	}
	h.Set("Content-Disposition", contentDisposition(kind, name))
	h.Set("Etag", `"`+hash+`"`)
	h.Set("Cache-Control", "public, max-age=29030400, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
}

// readMeta loads a CID's metadata; missing or damaged metadata just means
// the content is served without a name.
func (s *Server) readMeta(hash string) blobMeta {
	var m blobMeta
	data, err := os.ReadFile(filepath.Join(s.dataDir, metaDir, hash+".json"))
	if err == nil {
		_ = json.Unmarshal(data, &m)
	}
	return m
}

// maxDispositionName caps the bytes of a download's name: a file name
// longer than any file system takes is not a name.
const maxDispositionName = 255

// contentDisposition is the Content-Disposition header (RFC 6266) of a
// download of kind ("inline" or "attachment") named name, which may come
// from the request's query: filename="…" holds a plain ASCII stand-in
// (every other character, quote and backslash as "_") that any client
// reads, and when that is not the name itself, filename* (RFC 5987,
// UTF-8) holds the whole name, percent-encoded. Control characters become
// "_" in both, so no name can end the header or add another, and names
// are cut to maxDispositionName bytes at a character boundary.
func contentDisposition(kind, name string) string {
	name = strings.ToValidUTF8(name, "\uFFFD")
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '_'
		}
		return r
	}, name)
	for len(name) > maxDispositionName {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" {
		return kind
	}
	// The stand-in: one "_" for each character a plain quoted string
	// cannot hold.
	stand := strings.Map(func(r rune) rune {
		if r >= 0x80 || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	d := kind + `; filename="` + stand + `"`
	if stand != name {
		d += "; filename*=UTF-8''" + rfc5987Escape(name)
	}
	return d
}

// rfc5987Escape percent-encodes every byte of s outside RFC 5987's
// attr-char set.
func rfc5987Escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// isAttrChar reports RFC 5987's attr-char: letters, digits and
// !#$&+-.^_`|~.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
