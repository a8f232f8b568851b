package storage

import (
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/windows"
)

// systemSID is the well-known SID of the SYSTEM account.
const systemSID = "S-1-5-18"

// assertPrivate checks that path's access list lets in only the current
// user and SYSTEM: nothing from a shared parent (Users, Everyone). Wine does
// not report a DACL's protected flag back, so the entries are what is checked.
func assertPrivate(t *testing.T, path string) {
	t.Helper()
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	require.NoError(t, err, path)
	dacl, _, err := sd.DACL()
	require.NoError(t, err, path)
	require.NotNil(t, dacl, "%s has no access list, so everyone may use it", path)
	var sids []string
	for i := uint32(0); i < uint32(dacl.AceCount); i++ {
		var ace *windows.ACCESS_ALLOWED_ACE
		require.NoError(t, windows.GetAce(dacl, i, &ace))
		assert.Equal(t, uint8(windows.ACCESS_ALLOWED_ACE_TYPE), ace.Header.AceType, "%s: entry %d", path, i)
		sids = append(sids, (*windows.SID)(unsafe.Pointer(&ace.SidStart)).String())
	}
	user, err := windows.GetCurrentProcessToken().GetTokenUser()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{user.User.Sid.String(), systemSID}, sids, path)
}

// TestOpenTightensExistingLooseFile: a database file that another program
// left readable by everyone gets the private access list back.
func TestOpenTightensExistingLooseFile(t *testing.T) {
	if underWine() {
		t.Skip("Wine keeps a file's access list as its Unix mode and does not take Everyone's read access away again; checked on Windows only")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, DBFileName)
	require.NoError(t, os.WriteFile(path, nil, 0o644))
	everyone, err := windows.SecurityDescriptorFromString("D:(A;;FA;;;WD)")
	require.NoError(t, err)
	dacl, _, err := everyone.DACL()
	require.NoError(t, err)
	require.NoError(t, windows.SetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil))
	d, err := Open(dir)
	require.NoError(t, err)
	defer d.Close()
	assertPrivate(t, path)
}

// underWine reports whether this test runs under Wine rather than Windows:
// Wine's ntdll exports wine_get_version.
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}
