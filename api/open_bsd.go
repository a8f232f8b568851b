//go:build unix && !linux

package api

import "os"

// openBeneath opens root/rel for reading without following a symbolic link
// at any component of rel (see openNoFollowWalk); links in root's own path
// are followed: the person chose root.
func openBeneath(root, rel string) (*os.File, error) {
	return openNoFollowWalk(root, rel)
}
