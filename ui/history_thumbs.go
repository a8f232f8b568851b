package ui

import (
	"container/list"
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"github.com/dstor-uploader/dstor-uploader/api"
	"github.com/dstor-uploader/dstor-uploader/internal/thumbnail"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// History shows a small picture of each JPEG, PNG or GIF upload whose
// file is still on disk with the bytes uploaded (package thumbnail makes
// it). One goroutine makes them, the rows in view first, and hands each to
// its row on the UI goroutine; until then, and for any file that makes
// none, the row shows its kind's icon. Each is made once: kept by CID in
// memory and under the data folder's thumbnails, both bounded.

const (
	// thumbSide is the room, in points, a row gives its thumbnail.
	thumbSide = 40
	// thumbDiskSize bounds the thumbnails folder.
	thumbDiskSize = 32 << 20
	// thumbMemEntries bounds the thumbnails kept in memory (each at most
	// thumbnail.Size² pixels).
	thumbMemEntries = 256
	// thumbQueue bounds the rows waiting for a thumbnail: after a long
	// scroll only the last rows shown are still worth one.
	thumbQueue = 64
	// thumbTimeout is the longest one thumbnail may take (a 12-megapixel
	// JPEG takes about half a second on a busy machine).
	thumbTimeout = 5 * time.Second
)

// makeThumbnail is thumbnail.Make of the person's picture, opened as an
// upload opens its file (api.OpenRegularFile): a named pipe, a device or
// another file that is not a regular one is refused without waiting for a
// writer. Tests see when it starts, and make it wait as a read on a drive
// that stopped answering does.
var makeThumbnail = func(ctx context.Context, src thumbnail.Source) ([]byte, error) {
	return thumbnail.Make(ctx, openPicture, src)
}

// openPicture opens a picture for its thumbnail (api.OpenRegularFile).
func openPicture(path string) (*os.File, error) {
	f, _, err := api.OpenRegularFile(path)
	return f, err
}

// hasThumbnail reports whether entry e may have a thumbnail: a picture
// uploaded from this machine.
func hasThumbnail(e storage.HistoryEntry) bool {
	return thumbnail.ForName(e.Name) && e.LocalPath != "" && e.Hash != ""
}

// thumbnails makes and keeps History's thumbnails.
type thumbnails struct {
	a    *App
	disk *thumbnail.Cache

	mu      sync.Mutex
	made    map[string]*list.Element // of recent, by CID
	recent  *list.List               // thumbMade, most recently used first
	pending []thumbRequest           // the newest last, made first
	running bool                     // the goroutine that makes them runs
	wake    chan struct{}
}

// thumbMade is a thumbnail made (or found) for a CID; res is nil when the
// file makes none.
type thumbMade struct {
	key string
	res fyne.Resource
}

// thumbRequest asks for the thumbnail of one entry for one row.
type thumbRequest struct {
	key    string
	src    thumbnail.Source
	wanted func() bool             // the row still shows the entry (any goroutine)
	done   func(res fyne.Resource) // on the UI goroutine; res nil: none
}

func newThumbnails(a *App) *thumbnails {
	return &thumbnails{
		a:      a,
		disk:   thumbnail.NewCache(filepath.Join(filepath.Dir(a.db.Path()), storage.ThumbnailsFolder), thumbDiskSize),
		made:   map[string]*list.Element{},
		recent: list.New(),
		wake:   make(chan struct{}, 1),
	}
}

// cached returns e's thumbnail when it is in memory (known: it was looked
// for; res nil: there is none). It never reads the disk.
func (t *thumbnails) cached(e storage.HistoryEntry) (res fyne.Resource, known bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	el, ok := t.made[e.Hash]
	if !ok {
		return nil, false
	}
	t.recent.MoveToFront(el)
	return el.Value.(thumbMade).res, true
}

// request asks for e's thumbnail in the background; done gets it on the
// UI goroutine unless the row moved on to another entry (wanted false).
func (t *thumbnails) request(e storage.HistoryEntry, wanted func() bool, done func(fyne.Resource)) {
	req := thumbRequest{key: e.Hash, src: thumbnail.Source{Path: e.LocalPath, Size: e.Size, SHA256: e.SHA256},
		wanted: wanted, done: done}
	t.mu.Lock()
	t.pending = append(t.pending, req)
	if len(t.pending) > thumbQueue {
		t.pending = t.pending[len(t.pending)-thumbQueue:]
	}
	start := !t.running
	t.running = true
	t.mu.Unlock()
	if start && !t.a.goBg(t.run) {
		return // closing
	}
	select {
	case t.wake <- struct{}{}:
	default: // already woken
	}
}

// next takes the newest request still wanted.
func (t *thumbnails) next() (thumbRequest, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for len(t.pending) > 0 {
		req := t.pending[len(t.pending)-1]
		t.pending = t.pending[:len(t.pending)-1]
		if req.wanted() {
			return req, true
		}
	}
	return thumbRequest{}, false
}

// run makes the thumbnails asked for until the App closes.
func (t *thumbnails) run() {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // Close stops a thumbnail being made
		select {
		case <-t.a.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		req, ok := t.next()
		if !ok {
			select {
			case <-t.wake:
				continue
			case <-t.a.stop:
				return
			}
		}
		res, ok := t.cached(storage.HistoryEntry{Hash: req.key})
		if !ok {
			if res, ok = t.make(ctx, req); !ok || ctx.Err() != nil {
				return
			}
			t.keep(req.key, res)
		}
		t.a.do(func() { req.done(res) })
	}
}

// make returns req's thumbnail from the folder, or makes it and keeps it
// there; nil when the file makes none. That a file's content makes none
// (not a picture, too large) is kept too; a file missing, changed or too
// slow to read is tried again after a restart. The picture is read off
// this goroutine (offLocal): a read on a drive that stopped answering
// ignores ctx, so it is given up after thumbTimeout (no thumbnail, and the
// next rows get theirs) and left behind, and what it brings is dropped;
// ok false says Close came first.
func (t *thumbnails) make(ctx context.Context, req thumbRequest) (res fyne.Resource, ok bool) {
	if data, ok := t.disk.Get(req.key); ok {
		return thumbResource(req.key, data), true
	}
	bounded, cancel := context.WithTimeout(ctx, thumbTimeout)
	defer cancel()
	type made struct {
		data []byte
		err  error
	}
	m, ok := offLocal(bounded, t.a.lifecycle, func() made {
		data, err := makeThumbnail(bounded, req.src)
		return made{data, err}
	})
	if !ok {
		select {
		case <-t.a.stop:
			return nil, false
		default:
			return nil, true // given up after thumbTimeout
		}
	}
	switch {
	case m.err == nil:
		// A thumbnail that cannot be kept on disk is made again after a
		// restart; this run shows it all the same.
		_ = t.disk.Put(req.key, m.data)
	case errors.Is(m.err, thumbnail.ErrNotPicture), errors.Is(m.err, thumbnail.ErrTooLarge):
		_ = t.disk.Put(req.key, nil)
	}
	return thumbResource(req.key, m.data), true
}

// thumbResource is data as a resource for an image, nil when empty. Its
// name is the CID's, as Fyne caches what it drew by name.
func thumbResource(key string, data []byte) fyne.Resource {
	if len(data) == 0 {
		return nil
	}
	return fyne.NewStaticResource("thumbnail-"+key+".png", data)
}

// keep remembers key's thumbnail in memory, forgetting the least recently
// used past thumbMemEntries.
func (t *thumbnails) keep(key string, res fyne.Resource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if el, ok := t.made[key]; ok {
		el.Value = thumbMade{key, res}
		t.recent.MoveToFront(el)
		return
	}
	t.made[key] = t.recent.PushFront(thumbMade{key, res})
	for t.recent.Len() > thumbMemEntries {
		old := t.recent.Back()
		t.recent.Remove(old)
		delete(t.made, old.Value.(thumbMade).key)
	}
}
