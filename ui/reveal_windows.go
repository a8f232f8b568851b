package ui

import (
	"os/exec"
	"syscall"
)

// setCmdLine has cmd run as cmdLine, written out whole, when it is set.
func setCmdLine(cmd *exec.Cmd, cmdLine string) {
	if cmdLine != "" {
		cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: cmdLine}
	}
}
