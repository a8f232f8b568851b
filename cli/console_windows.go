package cli

import (
	"os"

	"golang.org/x/sys/windows"
)

// attachParentProcess is ATTACH_PARENT_PROCESS: AttachConsole's way to name
// the console of the process that started this one.
const attachParentProcess = ^uint32(0)

var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachParentConsole: the .exe is built for the GUI subsystem, so a
// double-click opens no console window. Started from cmd.exe or PowerShell
// it still talks to that console: it attaches to the parent's console and
// points the standard streams that were not redirected at it. Redirected
// streams (a file, a pipe) are kept as they are.
func attachParentConsole() {
	in, out, errOut := usable(os.Stdin), usable(os.Stdout), usable(os.Stderr)
	if in && out && errOut {
		return
	}
	if r, _, _ := procAttachConsole.Call(uintptr(attachParentProcess)); r == 0 {
		return // no parent console: started from Explorer, a shortcut or "Send to"
	}
	if !out {
		os.Stdout = openConsole("CONOUT$", windows.STD_OUTPUT_HANDLE, "/dev/stdout", os.Stdout)
	}
	if !errOut {
		os.Stderr = openConsole("CONOUT$", windows.STD_ERROR_HANDLE, "/dev/stderr", os.Stderr)
	}
	if !in {
		os.Stdin = openConsole("CONIN$", windows.STD_INPUT_HANDLE, "/dev/stdin", os.Stdin)
	}
}

// usable reports whether a standard stream leads somewhere: a GUI process
// started without redirection gets no handle, or one of unknown type.
func usable(f *os.File) bool {
	if f == nil {
		return false
	}
	h := windows.Handle(f.Fd())
	if h == 0 || h == windows.InvalidHandle {
		return false
	}
	t, err := windows.GetFileType(h)
	return err == nil && t != windows.FILE_TYPE_UNKNOWN
}

// openConsole opens the attached console's input or output and makes it the
// process's standard handle (for anything that asks Windows for it); on
// failure it keeps old.
func openConsole(name string, std uint32, fileName string, old *os.File) *os.File {
	p, err := windows.UTF16PtrFromString(name)
	if err != nil {
		return old
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		return old
	}
	_ = windows.SetStdHandle(std, h)
	return os.NewFile(uintptr(h), fileName)
}
