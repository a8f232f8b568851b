//go:build !windows

package ui

import "os/exec"

// setCmdLine does nothing: outside Windows a program gets its arguments
// one by one, as exec gives them.
func setCmdLine(*exec.Cmd, string) {}
