package testfs

import (
	"fmt"
	"os"
)

// MadeWithID makes a file or folder at path with create, again and again,
// until id says the one made has the file ID want (that of one removed
// just before), and reports whether one did in tries. Tests of a file or
// folder swapped for another that the file system gave the removed one's
// number need one, and file systems hand a freed number out again in
// their own time: ext4 to the next file made nearby, most often at once;
// tmpfs never (the test then skips). Each made that does not get the ID
// is moved aside (path-aside-N), so the next is not given its number
// again, and removed before MadeWithID returns. It calls no t method: it
// may run on a goroutine of the code under test.
func MadeWithID(path, want string, tries int, create func(path string) error, id func(path string) (string, error)) (bool, error) {
	var aside []string
	defer func() {
		for _, a := range aside {
			_ = os.RemoveAll(a)
		}
	}()
	for i := range tries {
		if err := create(path); err != nil {
			return false, err
		}
		got, err := id(path)
		if err != nil {
			return false, err
		}
		if got == want {
			return true, nil
		}
		a := fmt.Sprintf("%s-aside-%d", path, i)
		if err := os.Rename(path, a); err != nil {
			return false, err
		}
		aside = append(aside, a)
	}
	return false, nil
}
