package storage

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// substDrive maps a drive letter no drive has to dir, as `subst` does,
// and returns it ("Q:") and a function that takes the letter away again,
// as pulling a USB stick does; a letter still mapped when the test ends is
// taken away then.
func substDrive(t *testing.T, dir string) (drive string, unplug, plugIn func()) {
	t.Helper()
	used, err := windows.GetLogicalDrives()
	require.NoError(t, err)
	letter := byte(0)
	for l := byte('Z'); l >= 'D' && letter == 0; l-- {
		if used&(1<<(l-'A')) == 0 {
			letter = l
		}
	}
	if letter == 0 {
		t.Skip("every drive letter from D: to Z: is taken")
	}
	drive = string(rune(letter)) + ":"
	mapLetter := defineDosDrive
	if unixName := wineUnixName(t, dir); unixName != "" {
		mapLetter = defineWineDrive
		dir = unixName
	}
	mapped := false
	plugIn = func() {
		require.NoError(t, mapLetter(letter, dir), "map %s to %s", drive, dir)
		mapped = true
		waitForVolume(t, drive)
	}
	unplug = func() {
		if mapped {
			mapped = false
			require.NoError(t, mapLetter(letter, ""), "take %s away", drive)
		}
	}
	t.Cleanup(unplug)
	plugIn()
	t.Logf("%s is %s", drive, dir)
	return drive, unplug, plugIn
}

// waitForVolume waits until a file opened on drive is said to be on
// drive's own volume (its serial number): just after Wine maps a letter, a
// file opened on it may be said to be on another volume, and looked at a
// moment later, to be another file (seen once: the history said
// "replaced" at its first check).
func waitForVolume(t *testing.T, drive string) {
	t.Helper()
	root, err := windows.UTF16PtrFromString(drive + `\`)
	require.NoError(t, err)
	var serial uint32
	require.NoError(t, windows.GetVolumeInformation(root, nil, 0, &serial, nil, nil, nil, 0))
	deadline := time.Now().Add(30 * time.Second)
	for {
		h, err := windows.CreateFile(root, windows.FILE_READ_ATTRIBUTES,
			windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
			nil, windows.OPEN_EXISTING, windows.FILE_FLAG_BACKUP_SEMANTICS, 0)
		require.NoError(t, err)
		id, err := handleID(h)
		_ = windows.CloseHandle(h)
		require.NoError(t, err)
		if id.volume == serial {
			return
		}
		require.True(t, time.Now().Before(deadline), "a file on %s is still said to be on volume %x, not %x", drive, id.volume, serial)
		time.Sleep(50 * time.Millisecond) // Wine's next look at its drives
	}
}

// defineDosDrive maps the drive letter to dir, as `subst` does; "" takes
// it away.
func defineDosDrive(letter byte, dir string) error {
	name, err := windows.UTF16PtrFromString(string(rune(letter)) + ":")
	if err != nil {
		return err
	}
	if dir == "" {
		return windows.DefineDosDevice(windows.DDD_REMOVE_DEFINITION, name, nil)
	}
	target, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return err
	}
	return windows.DefineDosDevice(0, name, target)
}

// wineUnixName is the Unix path of dir when the test runs under Wine, ""
// on Windows. Wine's DefineDosDevice (and so its subst) names the device,
// but its file system does not follow the name: a path on the letter is
// not found; its drive letters are its mount manager's.
func wineUnixName(t *testing.T, dir string) string {
	proc := windows.NewLazySystemDLL("kernel32.dll").NewProc("wine_get_unix_file_name")
	if proc.Find() != nil {
		return ""
	}
	p, err := windows.UTF16PtrFromString(dir)
	require.NoError(t, err)
	name, _, _ := proc.Call(uintptr(unsafe.Pointer(p)))
	require.NotZero(t, name, "the Unix path of %s", dir)
	// A string in the process heap (a few bytes, left to the test's end),
	// read through the word that holds its address, not a uintptr made a
	// pointer.
	return windows.BytePtrToString(*(**byte)(unsafe.Pointer(&name)))
}

// defineWineDrive maps the drive letter to the Unix folder dir as a
// removable drive, as winecfg does (Wine's mount manager's
// IOCTL_MOUNTMGR_DEFINE_UNIX_DRIVE); "" takes it away.
func defineWineDrive(letter byte, dir string) error {
	const (
		ioctlDefineUnixDrive = 0x6D<<16 | 3<<14 | 32<<2 // CTL_CODE('m', 32, METHOD_BUFFERED, FILE_READ_ACCESS|FILE_WRITE_ACCESS)
		headerSize           = 32                       // struct mountmgr_unix_drive
	)
	req := make([]byte, headerSize)
	driveType := uint32(windows.DRIVE_NO_ROOT_DIR)
	if dir != "" {
		req = append(append(req, dir...), 0)
		binary.LittleEndian.PutUint16(req[26:], headerSize) // mount_point_offset
		driveType = windows.DRIVE_REMOVABLE
	}
	binary.LittleEndian.PutUint32(req[0:], uint32(len(req)))
	binary.LittleEndian.PutUint32(req[4:], driveType)
	binary.LittleEndian.PutUint16(req[24:], uint16(letter|0x20)) // the mount manager takes "y", not "Y"
	name, err := windows.UTF16PtrFromString(`\\.\MountPointManager`)
	if err != nil {
		return err
	}
	h, err := windows.CreateFile(name, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return err
	}
	defer func() { _ = windows.CloseHandle(h) }()
	var n uint32
	return windows.DeviceIoControl(h, ioctlDefineUnixDrive, &req[0], uint32(len(req)), nil, 0, &n, nil)
}

// TestAHistoryOnADriveThatWentIsNotDeleted: a data folder on a USB stick,
// or a mapped or subst drive, whose letter goes away (the stick pulled)
// while the window runs. Every path on it is then not found, as a folder
// deleted is (ERROR_PATH_NOT_FOUND), but nothing was deleted: plugging the
// stick back in is the fix. CheckFile said the history was deleted or moved
// away, and the window stopped every upload and told the person to quit
// and start again, which makes a new, empty history. A look whose drive's
// root is not there tells nothing, as a share that dropped does, and once
// the stick is back the history is used as before; a folder or file not
// there on a drive that is still says the history is gone.
func TestAHistoryOnADriveThatWentIsNotDeleted(t *testing.T) {
	drive, unplug, plugIn := substDrive(t, t.TempDir())
	dir := drive + `\dstor`
	d, err := Open(dir)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.Close() }) // before the letter goes and the temp folder is removed
	require.NoError(t, d.CheckFile())
	path := filepath.Join(dir, DBFileName)

	_, err = d.file.isAt(filepath.Join(dir, "gone", DBFileName))
	require.ErrorIs(t, err, windows.ERROR_PATH_NOT_FOUND, "a folder not there on %s", drive)
	assert.True(t, lookSaysGone(err), "a folder not there on a drive that is: the history deleted or moved")
	other := filepath.Join(dir, "other.db")
	id := createdID(t, other)
	require.NoError(t, os.Remove(other))
	_, err = id.isAt(other)
	require.ErrorIs(t, err, windows.ERROR_FILE_NOT_FOUND, "a file deleted on %s", drive)
	assert.True(t, lookSaysGone(err), "a file deleted on a drive that is")

	unplug()
	_, err = d.file.isAt(path)
	require.Error(t, err, "%s taken away", drive)
	t.Logf("a look at %s with %s gone: %v (%d)", path, drive, err, errnoOf(err))
	assert.ErrorIs(t, err, windows.ERROR_PATH_NOT_FOUND, "what Windows says of a path on a drive letter not there")
	assert.NoError(t, d.CheckFile(), "the drive went: nothing was deleted")
	assert.False(t, lookSaysGone(err))

	for _, p := range []string{filepath.Join(drive+`\`, DBFileName), filepath.Join(missingDrive(t)+`\`, "dstor", DBFileName)} {
		_, err = d.file.isAt(p)
		require.Error(t, err, p)
		t.Logf("a look at %s: %v (%d)", p, err, errnoOf(err))
		assert.False(t, lookSaysGone(err), "%s: %v", p, err)
	}

	plugIn()
	assert.NoError(t, d.CheckFile(), "%s back", drive)
	assert.NoError(t, d.InsertJobs([]JobRow{{ID: "after", LocalPath: `C:\a`}}), "%s back", drive)
}

// TestAPathNotFoundOnAShareNotThereTellsNothing: a data folder on a
// network share (a UNC path) whose server is out of reach: a
// file or folder not found there tells nothing, as on a drive letter not
// there.
func TestAPathNotFoundOnAShareNotThereTellsNothing(t *testing.T) {
	const path = `\\dstor-nosuchhost.invalid\share\dstor\dstor-uploader.db`
	for _, errno := range []windows.Errno{windows.ERROR_PATH_NOT_FOUND, windows.ERROR_FILE_NOT_FOUND} {
		err := &os.PathError{Op: "open", Path: path, Err: errno}
		assert.Nil(t, replacedBy(path, false, err), "%v", errno)
	}
}

// errnoOf is the Windows error code in err, 0 when it has none.
func errnoOf(err error) uint32 {
	var errno windows.Errno
	if !errors.As(err, &errno) {
		return 0
	}
	return uint32(errno)
}
