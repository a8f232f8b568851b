package testutil

import (
	"os"

	"github.com/dstor-uploader/dstor-uploader/storage"
)

// IsolateDataFolder gives a test binary a fresh data folder when its
// environment names none, for TestMain to call before the tests (and the
// child processes, which inherit it) run: a test that forgets
// t.Setenv(storage.HomeEnv, …) must not open the person's own data
// folder, where a database left by another version or another test run
// would decide it, or be changed by it. The returned func removes the
// folder it made.
func IsolateDataFolder() (remove func()) {
	if os.Getenv(storage.HomeEnv) != "" {
		return func() {}
	}
	home, err := os.MkdirTemp("", "test-data-folder-")
	if err != nil {
		panic(err)
	}
	if err := os.Setenv(storage.HomeEnv, home); err != nil {
		panic(err)
	}
	return func() { os.RemoveAll(home) }
}
