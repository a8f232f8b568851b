package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/multiformats/go-multibase"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dstor-uploader/dstor-uploader/internal/cidtext"
	"github.com/dstor-uploader/dstor-uploader/internal/readhook"
	"github.com/dstor-uploader/dstor-uploader/internal/testfs"
)

// TestUploadReceiptMatchesSha256sum: the SHA-256 an upload reports is the
// one sha256sum prints, for every size class, and HashFile gives the same
// CID and checksum from one read, with the file's identity.
func TestUploadReceiptMatchesSha256sum(t *testing.T) {
	f := newFakeDStor(t)
	c := f.client(nil)
	tok := validToken(t)
	for _, n := range []int{0, 1, ChunkSize - 1, ChunkSize, ChunkSize + 1, 3*ChunkSize + 17} {
		path := testfs.WriteTemp(t, "data.bin", patterned(n))
		want := testfs.Sha256sum(t, path)

		res, err := c.Upload(t.Context(), tok, UploadRequest{Path: path})
		require.NoError(t, err, "%d bytes", n)
		assert.Equal(t, want, res.SHA256, "%d bytes", n)

		d, err := HashFile(t.Context(), path)
		require.NoError(t, err)
		id, err := ValidateFile(path) // the identity an upload records
		require.NoError(t, err)
		assert.Equal(t, FileDigests{CID: res.LocalCID, SHA256: want, Size: int64(n), ID: id.ID}, d, "%d bytes", n)
	}
}

func TestHashFileErrors(t *testing.T) {
	_, err := HashFile(t.Context(), t.TempDir())
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Message, "is a folder, not a file — name the files inside it")
	assert.NotContains(t, ve.Message, "upload", "cid and verify hash; they do not upload")

	_, err = HashFile(t.Context(), "/no/such/file")
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, ve.Message, "does not exist")

	path := testfs.WriteTemp(t, "big.bin", patterned(4*ChunkSize))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = HashFile(ctx, path)
	assert.ErrorIs(t, err, ctx.Err())
}

// TestUploadExpectSHA256: a file whose checksum differs fails before any
// byte is sent (the server sees no request); the right checksum, in either
// case, uploads.
func TestUploadExpectSHA256(t *testing.T) {
	f := newFakeDStor(t)
	c := f.client(nil)
	tok := validToken(t)
	data := patterned(2*ChunkSize + 5)
	path := testfs.WriteTemp(t, "report.pdf", data)
	sum := sha256.Sum256(data)
	right := hex.EncodeToString(sum[:])
	wrong := strings.Repeat("ab", 32)

	_, err := c.Upload(t.Context(), tok, UploadRequest{Path: path, ExpectSHA256: wrong})
	var cm *ChecksumMismatchError
	require.ErrorAs(t, err, &cm)
	assert.ErrorIs(t, err, ErrChecksumMismatch)
	assert.Equal(t, right, cm.Actual)
	assert.Equal(t, wrong, cm.Expected)
	assert.False(t, Retryable(err))
	assert.Contains(t, Human(err), "nothing was sent")
	assert.Contains(t, Human(err), right)
	assert.Equal(t, 0, f.uploadCount(), "not one byte may reach dStor")
	assert.Equal(t, int32(0), f.conns.Load(), "not even a connection")

	res, err := c.Upload(t.Context(), tok, UploadRequest{Path: path, ExpectSHA256: " " + strings.ToUpper(right) + "\n"})
	require.NoError(t, err)
	assert.Equal(t, right, res.SHA256)
	assert.Equal(t, 1, f.uploadCount())
}

func TestNormalizeSHA256(t *testing.T) {
	good := strings.Repeat("0f", 32)
	tests := []struct {
		name, in, want, errPart string
	}{
		{"lowercase", good, good, ""},
		{"uppercase and spaces", "  " + strings.ToUpper(good) + "\t", good, ""},
		{"too short", good[:63], "", "64 hex digits; this one has 63"},
		{"too long", good + "0", "", "has 65"},
		{"not hex", strings.Repeat("zz", 32), "", "only the hex digits"},
		{"empty", "", "", "has 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := NormalizeSHA256(tt.in)
			if tt.errPart != "" {
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Contains(t, ve.Message, tt.errPart)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	err := UploadRequest{Path: "x", ExpectSHA256: "nope"}.Validate()
	assert.Error(t, err, "Validate checks the expected checksum")
}

// TestUploadExpectSHA256FileChangedAfterCheck: a file swapped between the
// checksum check and the upload is never sent as if it were checked.
func TestUploadExpectSHA256FileChangedAfterCheck(t *testing.T) {
	data := patterned(ChunkSize)
	path := testfs.WriteTemp(t, "a.bin", data)
	sum := sha256.Sum256(data)
	req := UploadRequest{Path: path, ExpectSHA256: hex.EncodeToString(sum[:])}
	id, err := checkExpectedSHA256(t.Context(), req)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, patterned(ChunkSize+1), 0o600))

	f := newFakeDStor(t)
	_, err = f.client(nil).send(t.Context(), validToken(t), req, &id, true)
	assert.ErrorIs(t, err, ErrFileChanged)
	assert.Contains(t, err.Error(), "after its checksum was checked")
	assert.Equal(t, 0, f.uploadCount())
	assert.False(t, errors.Is(err, ErrChecksumMismatch))
}

// TestCIDForms: each form cidtext.Forms gives names the content checkAnswer
// compares, and is recorded as answered.
func TestCIDForms(t *testing.T) {
	forms := cidtext.Forms(helloCID)
	require.Len(t, forms, 4)
	assert.Equal(t, helloCID, forms[0])
	assert.True(t, strings.HasPrefix(forms[1], "bafybei"), forms[1])
	assert.True(t, strings.HasPrefix(forms[2], "k"), forms[2])
	assert.True(t, strings.HasPrefix(forms[3], "z"), forms[3])
	for _, f := range forms[1:] {
		got, err := checkAnswer(f, helloCID)
		require.NoError(t, err, "%s names the same content", f)
		assert.Equal(t, f, got, "and is recorded as answered, so a lookup by it finds the entry")
	}
	assert.Nil(t, cidtext.Forms("not a cid"))
	assert.Nil(t, cidtext.Forms(forms[1]), "only a CIDv0 has these forms")
}

// TestVerifiedHashIsOneOfCIDForms: whatever multibase dStor answers a CIDv1
// of the same content in (base16 "f0170…", base2, base64 "mAXA…", base32
// upper case…), the hash a verified upload records is one of cidtext.Forms, the
// values `verify` looks the content up by: else `verify` said "not
// uploaded" of a file the history holds as verified.
func TestVerifiedHashIsOneOfCIDForms(t *testing.T) {
	v1 := cidV1Of(t, helloCID)
	forms := cidtext.Forms(helloCID)
	for base, name := range multibase.EncodingToStr {
		t.Run(name, func(t *testing.T) {
			answered, err := v1.StringOfBase(base)
			require.NoError(t, err)
			got, err := checkAnswer(answered, helloCID)
			require.NoError(t, err, "%q names the same content", answered)
			assert.Contains(t, forms, got, "answered %q", answered)
		})
	}
}

// A file written, truncated, moved or replaced while `cid` or `verify`
// reads it gives no hash: what was read is bytes the file never held all
// at once, or no longer the file at its path. readWhole is the check after
// the read; each case changes the file the way another program would,
// between the open and the check (cli's tests change it mid-read).
func TestHashOfAFileChangedWhileReadIsRefused(t *testing.T) {
	const changed = "changed while it was read"
	tests := []struct {
		name   string
		change func(t *testing.T, path string)
		read   func(size int64) int64 // the bytes the read got
		want   string
	}{
		{"unchanged", func(*testing.T, string) {}, func(n int64) int64 { return n }, ""},
		{"truncated", func(t *testing.T, p string) { require.NoError(t, os.Truncate(p, 100)) }, func(int64) int64 { return 100 }, changed},
		{"grew", func(t *testing.T, p string) { appendBytes(t, p, "more") }, func(n int64) int64 { return n }, changed},
		{"short read, same version", func(*testing.T, string) {}, func(n int64) int64 { return n - 1 }, changed},
		{"moved", func(t *testing.T, p string) { require.NoError(t, os.Rename(p, p+".moved")) },
			func(n int64) int64 { return n }, "was deleted or moved while it was read"},
		{"replaced", func(t *testing.T, p string) {
			other := testfs.WriteTemp(t, "other.bin", make([]byte, 5000))
			if err := os.Rename(other, p); err != nil && runtime.GOOS == "windows" {
				t.Skipf("Windows does not rename a file over one that is open (here by the hash) unless the renaming program asks for POSIX semantics; Wine neither: %v", err)
			} else {
				require.NoError(t, err)
			}
		}, func(n int64) int64 { return n }, "it was replaced by another file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testfs.WriteTemp(t, "f.bin", make([]byte, 5000))
			f, opened, err := OpenRegularFile(p)
			require.NoError(t, err)
			defer func() { _ = f.Close() }()
			tt.change(t, p)
			err = readWhole(f, UploadRequest{Path: p}, opened, tt.read(opened.Size))
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrFileChanged)
			assert.Contains(t, Human(err), tt.want)
			assert.Contains(t, Human(err), "so no hash is given for it")
			if tt.want == changed {
				assert.Contains(t, Human(err), "run this again once nothing is writing to it")
			}
		})
	}
}

// TestHashListedFileNamesTheFolderItWasOpenedThrough: HashListedFile
// gives the ID of the folder it opened the file through, as FolderID
// names it, also with the error of a file opened but not read whole, and
// that of another folder put at the folder's path since: `verify DIR`
// compares it with the folder it began verifying. HashFile gives none.
func TestHashListedFileNamesTheFolderItWasOpenedThrough(t *testing.T) {
	skipWithoutFileIDs(t)
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "pick")
	require.NoError(t, os.Mkdir(dir, 0o755))
	file := filepath.Join(dir, "a.txt")
	require.NoError(t, os.WriteFile(file, []byte("mine\n"), 0o600))
	began, err := FolderID(dir)
	require.NoError(t, err)
	require.NotEmpty(t, began)

	d, err := HashListedFile(ctx, dir, file)
	require.NoError(t, err)
	assert.Equal(t, began, d.Folder, "opened through the folder verify began in")
	d, err = HashFile(ctx, file)
	require.NoError(t, err)
	assert.Empty(t, d.Folder, "no folder named: none opened through")

	require.NoError(t, os.Rename(dir, dir+"-moved"))
	require.NoError(t, os.Mkdir(dir, 0o755))
	require.NoError(t, os.WriteFile(file, []byte("someone else's\n"), 0o600))
	other, err := FolderID(dir)
	require.NoError(t, err)
	d, err = HashListedFile(ctx, dir, file)
	require.NoError(t, err)
	assert.Equal(t, other, d.Folder, "opened through the folder at the path now")
	assert.NotEqual(t, began, d.Folder)

	grown := false
	t.Cleanup(readhook.Set(func(p string, _ int64) {
		if p == file && !grown {
			grown = true
			f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
			if err == nil {
				_, _ = f.WriteString("more\n")
				_ = f.Close()
			}
		}
	}))
	d, err = HashListedFile(ctx, dir, file)
	require.True(t, grown, "the hook ran")
	require.ErrorIs(t, err, ErrFileChanged)
	assert.Equal(t, other, d.Folder, "named with the error of a file not read whole")
}
