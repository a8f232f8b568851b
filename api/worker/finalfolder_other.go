//go:build !windows

package worker

// finalFolder is path: filepath.EvalSymlinks has followed every link on it.
func finalFolder(path string) string { return path }

// substFollowed is path: only Windows has subst drives.
func substFollowed(path string) string { return path }
