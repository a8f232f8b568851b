package thumbnail

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// Cache keeps thumbnails in a folder, one file each, so each is made once:
// at most max bytes on disk (counted in whole blocks), the least recently used going first when a new one
// would pass it. An empty file records that its key has no thumbnail
// (not a picture, too large), so that is not tried again either.
type Cache struct {
	dir string
	max int64

	mu      sync.Mutex
	scanned bool  // used was counted from the folder
	used    int64 // bytes of the thumbnails in the folder
}

// fileExt ends every thumbnail's file name in the folder.
const fileExt = ".png"

// NewCache keeps thumbnails in dir (made when the first is put), up to
// max bytes.
func NewCache(dir string, max int64) *Cache {
	return &Cache{dir: dir, max: max}
}

// path is where key's thumbnail is kept: a hash of the key, so any key
// (a CID from a server) makes a plain file name.
func (c *Cache) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:16])+fileExt)
}

// Get returns key's thumbnail and true when it is kept; a kept empty
// thumbnail means key has none. Reading marks it recently used.
func (c *Cache) Get(key string) ([]byte, bool) {
	p := c.path(key)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	now := time.Now()
	_ = os.Chtimes(p, now, now) // its age orders what goes first; a failure only makes it look older
	return data, true
}

// Put keeps data as key's thumbnail (empty: key has none), then removes
// the least recently used ones while the folder is over its size.
func (c *Cache) Put(key string, data []byte) error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return fmt.Errorf("cannot keep the thumbnail: %w", err)
	}
	tmp, err := os.CreateTemp(c.dir, "put-*.tmp")
	if err != nil {
		return fmt.Errorf("cannot keep the thumbnail: %w", err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	p := c.path(key)
	var old int64
	if info, serr := os.Stat(p); serr == nil {
		old = onDisk(info.Size())
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("cannot keep the thumbnail: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.scanned {
		return c.trimLocked() // counts the folder, this file included
	}
	c.used += onDisk(int64(len(data))) - old
	if c.used > c.max {
		return c.trimLocked()
	}
	return nil
}

// block is the unit a file takes on disk.
const block = 4096

// onDisk is the room a file of size bytes takes: whole blocks, one even
// when empty, so the records of keys without a thumbnail count too.
func onDisk(size int64) int64 {
	return max(1, (size+block-1)/block) * block
}

// trimLocked counts the folder's thumbnails and, when they pass max,
// removes the least recently used until they take three quarters of it,
// so the next few puts do not each walk the folder.
func (c *Cache) trimLocked() error {
	type kept struct {
		path string
		size int64
		used time.Time
	}
	var files []kept
	var total int64
	err := filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != c.dir {
				return fs.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil || !strings.HasSuffix(p, fileExt) {
			return nil // a file gone meanwhile, or not a thumbnail
		}
		files = append(files, kept{p, onDisk(info.Size()), info.ModTime()})
		total += onDisk(info.Size())
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot count the thumbnails: %w", err)
	}
	c.scanned = true
	c.used = total
	if total <= c.max {
		return nil
	}
	slices.SortFunc(files, func(a, b kept) int { return a.used.Compare(b.used) })
	for _, f := range files {
		if c.used <= c.max*3/4 {
			break
		}
		if err := os.Remove(f.path); err == nil || errors.Is(err, fs.ErrNotExist) {
			c.used -= f.size
		}
	}
	return nil
}
