package filelock

// Owner is "" on Windows: no sudo leaves files to another user there, and
// a file's access list, not its owner, says who may write it.
func Owner(string) string { return "" }
