package cli

import "golang.org/x/sys/windows"

// showErrorBox shows text in a Windows message box: a GUI-subsystem program
// started from Explorer has nowhere else to say it.
func showErrorBox(title, text string) {
	t, err1 := windows.UTF16PtrFromString(text)
	c, err2 := windows.UTF16PtrFromString(title)
	if err1 != nil || err2 != nil {
		return
	}
	_, _ = windows.MessageBox(0, t, c, windows.MB_OK|windows.MB_ICONERROR|windows.MB_SETFOREGROUND)
}
