package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/dstor-uploader/dstor-uploader/internal/linkchain"
	"github.com/dstor-uploader/dstor-uploader/internal/offlocal"
	"github.com/dstor-uploader/dstor-uploader/storage"
)

// saveFile is the one way the window saves a file the person chose (an
// export, a QR code's PNG): saveReplacing, refused where it could write
// a file of dStor Uploader's data folder (storage.DB.InDataFolder). It is
// called on a goroutine (it reads and writes the disk) and reports whether
// the file was saved; when it was not, it has shown why, titled title: the
// sentence of refusals that says where the file would have been, or the
// error.
func (a *App) saveFile(path string, perm os.FileMode, title string, refusals saveRefusals, write func(io.Writer) error) bool {
	err := a.saveOffLocal(path, perm, a.saveRefusal(refusals), write)
	var refused *saveRefusedError
	switch {
	case errors.Is(err, errClosed):
		return false // the window is gone: nothing to say it to
	case errors.As(err, &refused):
		a.do(func() { a.showMessage(title, refused.why) })
	case err != nil:
		a.do(func() { a.showError(title, err) })
	}
	return err == nil
}

// saveOffLocal is saveReplacing with the file opened and written off the
// calling goroutine (offlocal.Until), and errClosed when Close came first
// and the save had stopped moving. On a network share that stopped
// answering, the save's system calls block for good, and Close, which
// waits for the caller, would wait for them. write runs here, on a
// goroutine the caller waits for, and hands its bytes to the save
// through a pipe. Close waits for a save whose bytes still move, a read
// of the pipe at most saveStallAtClose after the last (a big export to a
// slow USB stick: the quit ends the process, and a save left behind with
// it); one stopped longer is given up (giveUpStalledAtClose): the pipe is
// closed, so write ends at its next write (an export does not read the
// history after Close), and the save left behind fails at its next read
// once its system call returns, and puts nothing in place of the file
// chosen (saveReplacing renames a whole part only).
func (a *App) saveOffLocal(path string, perm os.FileMode, refuse func(saveTarget) error, write func(io.Writer) error) error {
	pr, pw := io.Pipe()
	wrote := make(chan struct{})
	go func() { // waited for below
		defer close(wrote)
		_ = pw.CloseWithError(write(pw)) // nil: the save reads to its end
	}()
	moved := make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	watched := make(chan struct{})
	go func() { // ended by cancel, waited for below
		defer close(watched)
		a.giveUpStalledAtClose(ctx, cancel, moved)
	}()
	err, ok := offlocal.Until(ctx, nil, func() error {
		return saveReplacing(path, perm, refuse, func(w io.Writer) error {
			_, err := io.Copy(w, movingReader{r: pr, moved: moved})
			return err
		})
	})
	cancel()
	<-watched
	_ = pr.CloseWithError(errClosed) // the save is over, or left behind
	<-wrote
	if !ok {
		return errClosed
	}
	return err
}

// saveStallAtClose is how long Close waits for a save that has stopped
// moving (saveOffLocal): longer than a slow stick takes for a write, and
// a quit from a share that stopped answering is held that long. A
// variable so that a test of such a share need not wait it.
var saveStallAtClose = 10 * time.Second

// giveUpStalledAtClose calls cancel once Close has come and no value came
// on moved for saveStallAtClose; it returns then, or when ctx is done.
func (a *App) giveUpStalledAtClose(ctx context.Context, cancel context.CancelFunc, moved <-chan struct{}) {
	select {
	case <-a.stop:
	case <-ctx.Done():
		return
	}
	stall := time.NewTimer(saveStallAtClose)
	defer stall.Stop()
	for {
		select {
		case <-moved:
			stall.Reset(saveStallAtClose)
		case <-stall.C:
			cancel()
			return
		case <-ctx.Done():
			return
		}
	}
}

// movingReader is r, telling moved (without waiting) each time a read
// returns: the save it feeds still moves.
type movingReader struct {
	r     io.Reader
	moved chan<- struct{}
}

func (m movingReader) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	select {
	case m.moved <- struct{}{}:
	default:
	}
	return n, err
}

// saveRefusals are the sentences of a save refused because it could
// write a file of dStor Uploader's data folder, one for each place
// storage.DB.InDataFolder tells apart: the folder picked is that folder
// (inside), the file picked elsewhere is the same file as one there
// (link), a symbolic link to a new file there (newFile), or a new file
// named as the history's journal where the history really is (journal).
type saveRefusals struct {
	inside, link, newFile, journal string
}

// saveRefusedError is a save refused; why says why, in the window's
// language.
type saveRefusedError struct {
	why string
}

func (e *saveRefusedError) Error() string { return e.why }

// saveTarget is what a save writes: chosen is the path picked, in its
// folder where that really is; dest the file it writes, the one a
// symbolic link at chosen leads to, else chosen.
type saveTarget struct {
	chosen, dest string
}

// saveRefusal is the check of a save's target: a *saveRefusedError with
// the sentence of refusals that says where it is when writing dest could
// write a file of dStor Uploader's data folder (storage.DB.InDataFolder).
func (a *App) saveRefusal(refusals saveRefusals) func(saveTarget) error {
	return func(t saveTarget) error {
		why := refusals.of(a.db.InDataFolder(t.dest), t)
		if why == "" {
			return nil
		}
		return &saveRefusedError{why: why}
	}
}

// of is the sentence of a save to t refused at place, "" for none. A
// symbolic link chosen elsewhere that leads into the data folder is said
// to be a link there (to a file there, or to a new file).
func (r saveRefusals) of(place storage.DataFolderPlace, t saveTarget) string {
	viaLink := t.dest != t.chosen && filepath.Dir(t.dest) != filepath.Dir(t.chosen)
	_, err := os.Lstat(t.dest)
	switch {
	case place == storage.OutsideDataFolder:
		return ""
	case place == storage.LinkIntoDataFolder || viaLink && err == nil:
		return r.link
	case place == storage.LinkToNewFileInDataFolder || viaLink:
		return r.newFile
	case place == storage.InsideDataFolder:
		return r.inside
	}
	return r.journal
}

// saveReplacing writes a file at path through write, into a new file
// beside it that is renamed over path once whole: a save that fails
// part-way (a full disk, a drive unplugged, the file size limit, the
// history unreadable) leaves no half-written file, and the file it would
// have replaced as it was. The file gets the mode of the one it replaces,
// as a write in place kept it, else perm (under the umask). A symbolic
// link at path is followed, as opening it would: the file it leads to is
// replaced, or made (saveDestination), and the link stays.
//
// refuse checks what is written, found once: the file a link leads to, in
// its folder, which the save holds open from before the check and writes
// in; a link put in that file's place after the check is replaced, not
// followed, and that folder moved away or replaced meanwhile stops the
// save (a *folderChangedError). Every save the window makes goes through
// it (App.saveFile).
func saveReplacing(path string, perm os.FileMode, refuse func(saveTarget) error, write func(io.Writer) error) error {
	target, err := saveDestination(path)
	if err != nil {
		return fmt.Errorf("save: %w", err)
	}
	dir, err := os.OpenRoot(filepath.Dir(target.dest))
	if err != nil {
		return fmt.Errorf("save %s: %w", target.dest, err)
	}
	defer func() { _ = dir.Close() }()
	if err := refuse(target); err != nil {
		return err
	}
	if err := saveIn(dir, target.dest, perm, write); err != nil {
		return fmt.Errorf("save %s: %w", target.dest, err)
	}
	return nil
}

// saveIn writes dest through write: into a part made in dir, the folder
// dest is in, held open, once that folder is still the one at dest's path
// (heldFolderThere), then renamed over dest in dir. A part that is not
// put in place is removed.
func saveIn(dir *os.Root, dest string, perm os.FileMode, write func(io.Writer) error) error {
	part, name, err := createPart(dir, perm)
	if err != nil {
		return err
	}
	err = heldFolderThere(part, filepath.Join(filepath.Dir(dest), name))
	if err == nil {
		err = fillPart(dir, part, filepath.Base(dest), write)
	}
	if cerr := part.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = dir.Rename(name, filepath.Base(dest))
	}
	if err != nil {
		_ = dir.Remove(name)
	}
	return partNamedAsDest(err, dest)
}

// partNamedAsDest is err with the part's path, where an error of the part
// names it (its write, its sync), made dest: the person chose dest and
// never sees the part, so a sentence naming it would point at a file that
// is not there.
func partNamedAsDest(err error, dest string) error {
	var pe *fs.PathError
	if errors.As(err, &pe) && isPartName(filepath.Base(pe.Path)) {
		pe.Path = dest
	}
	return err
}

// heldFolderThere returns a *folderChangedError unless part, just made in
// the folder the save holds open, is the file at path, its name in the
// folder at dest's path: else that folder was moved away or replaced
// since it was opened, and the check may have looked at another.
func heldFolderThere(part *os.File, path string) error {
	held, err := part.Stat()
	if err != nil {
		return err
	}
	if there, err := os.Lstat(path); err != nil || !os.SameFile(held, there) {
		return &folderChangedError{Dir: filepath.Dir(path)}
	}
	return nil
}

// folderChangedError: the folder Dir a save was writing in was moved away
// or replaced while it did; nothing was saved.
type folderChangedError struct {
	Dir string
}

func (e *folderChangedError) Error() string {
	return fmt.Sprintf("the folder %s was moved or replaced while the file was being saved in it", e.Dir)
}

// fillPart writes part through write, once dir's stale parts are removed,
// with the mode of the file it is to replace, name in dir, if any, and
// makes its bytes durable (syncPart) before the rename puts it in place.
func fillPart(dir *os.Root, part *os.File, name string, write func(io.Writer) error) error {
	removeStaleParts(dir)
	if old, err := dir.Lstat(name); err == nil && old.Mode().IsRegular() {
		if err := part.Chmod(old.Mode().Perm()); err != nil {
			return err
		}
	}
	if err := write(partWriter(part)); err != nil {
		return err
	}
	return syncPart(part)
}

// partWriter is what a save's bytes are written to: its part. A variable
// so that a test can make the writes wait, as writes to a network share
// that stopped answering do.
var partWriter = func(part *os.File) io.Writer { return part }

// syncPart writes a part's bytes through to its drive. A drive reports
// some failures only then (a failing or unplugged stick, a disk that
// fills as its cache is written), and without it a power loss just after
// the rename could leave an empty file where the old one was, though the
// window said saved. A variable so that a test can fail it as such a
// drive does.
var syncPart = (*os.File).Sync

// saveDestination is what a save to path writes: path in its folder
// where that really is (chosen), and when path is a symbolic link (or a
// chain of them), the file it leads to, there or not yet, as opening path
// with O_CREATE would write (dest). A link into a folder that is not there
// is a *linkchain.MissingFolderError.
func saveDestination(path string) (saveTarget, error) {
	t, err := linkchain.Follow(path)
	return saveTarget{chosen: t.Chosen, dest: t.Dest}, err
}

// The name of the file a save writes before it is put in place:
// partPrefix, a number new for each save, partSuffix.
const (
	partPrefix = ".dstor-uploader-"
	partSuffix = ".part"
)

// partStaleAfter is how long a save's part is not written to before a
// later save takes it for one a kill or a crash left: a save under way
// writes to it all along (an export of a million uploads takes seconds).
const partStaleAfter = time.Hour

// removeStaleParts removes from dir the parts of earlier saves that were
// not put in place (the app was killed mid-save) and are stale: regular
// files named as createPart names them, not written to for partStaleAfter.
// Any other file is left alone, and so is a part it cannot remove.
func removeStaleParts(dir *os.Root) {
	f, err := dir.Open(".")
	if err != nil {
		return // the save says what is wrong with dir
	}
	entries, _ := f.ReadDir(-1)
	_ = f.Close()
	for _, e := range entries {
		if !e.Type().IsRegular() || !isPartName(e.Name()) {
			continue
		}
		if fi, err := dir.Lstat(e.Name()); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > partStaleAfter {
			_ = dir.Remove(e.Name())
		}
	}
}

// isPartName reports whether name is one createPart gives.
func isPartName(name string) bool {
	n, ok := strings.CutPrefix(name, partPrefix)
	if !ok {
		return false
	}
	if n, ok = strings.CutSuffix(n, partSuffix); !ok {
		return false
	}
	_, err := strconv.ParseUint(n, 10, 64) // digits only: no sign, no _
	return err == nil
}

// createPart creates a new file in dir, named .dstor-uploader-N.part, with
// mode perm under the umask (os.CreateTemp's is always 0600), and returns
// it with its name.
func createPart(dir *os.Root, perm os.FileMode) (*os.File, string, error) {
	for {
		name := partPrefix + strconv.FormatUint(rand.Uint64(), 10) + partSuffix
		f, err := dir.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, name, err
		}
	}
}
