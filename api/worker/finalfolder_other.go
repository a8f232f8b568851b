//go:build !windows

package worker

// finalFolder is path: filepath.EvalSymlinks has followed every link on it.
func finalFolder(path string) string { return path }
