package sandbox

import (
	"encoding/json"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"

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
	h := w.Header()
	if meta.ContentType != "" {
		h.Set("Content-Type", meta.ContentType)
	} // else ServeContent sniffs the first bytes, falling back to application/octet-stream
	disposition := "inline"
	if meta.Name != "" && meta.Name != hash {
		if d := mime.FormatMediaType("inline", map[string]string{"filename": meta.Name}); d != "" {
			disposition = d
		}
	}
	h.Set("Content-Disposition", disposition)
	h.Set("Etag", `"`+hash+`"`)
	h.Set("Cache-Control", "public, max-age=29030400, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	modTime := meta.UploadedAt
	if modTime.IsZero() {
		modTime = fi.ModTime()
	}
	// The name is passed without its extension so ServeContent's own guess
	// cannot override the stored type; it only matters when sniffing.
	http.ServeContent(w, r, "", modTime, f)
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
