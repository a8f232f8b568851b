package storage

// fileSizeLimitReached is "": Windows sets no file size limit on a process.
func fileSizeLimitReached(string) (file string, limit int64) { return "", 0 }
