//go:build !windows

package api

// platformFileSentence has nothing to add outside Windows: the portable
// sentences in fileAccessError cover what these systems report.
func platformFileSentence(string, error) (Problem, string) { return "", "" }

// reservedNameSentence: only Windows keeps file names for devices.
func reservedNameSentence(string, string) string { return "" }
