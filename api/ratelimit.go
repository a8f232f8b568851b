package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// A bandwidth limit is given in curl's --limit-rate syntax: bytes per
// second, with an optional suffix K, M or G (either case) counting 1024,
// 1024² or 1024³ bytes, and an optional "/s" (either case too): "500K",
// "2M", "1.5m", "8M/s". 0 means no limit.

// rateUnits are the suffixes of the syntax, largest first.
var rateUnits = []struct {
	suffix string
	bytes  int64
}{{"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}}

// maxRate is the largest limit accepted (1 TiB/s): far above any uplink,
// and safe from overflow.
const maxRate = 1 << 40

// ParseRate reads a bandwidth limit (see the syntax above) and returns it
// in bytes per second; 0 means no limit. An error is a sentence that says
// how to write one, without s: a command line's --limit-rate may hold a
// secret typed in the wrong place.
func ParseRate(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if len(t) >= 2 && strings.EqualFold(t[len(t)-2:], "/s") {
		t = t[:len(t)-2]
	}
	unit := int64(1)
	for _, u := range rateUnits {
		if len(t) > 0 && strings.EqualFold(t[len(t)-1:], u.suffix) {
			t, unit = t[:len(t)-1], u.bytes
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || t == "" || strings.ContainsAny(t, "eEnNxX_+") || v < 0 || math.IsInf(v, 0) {
		return 0, errors.New("not a rate: write bytes per second, with K, M or G for 1024, 1024² or 1024³ bytes (500K, 2M, 1.5G), or 0 for no limit")
	}
	bps := v * float64(unit)
	if bps > maxRate {
		return 0, fmt.Errorf("more than the largest limit, %s/s", FormatRate(maxRate))
	}
	if bps > 0 && bps < 1 {
		return 0, errors.New("less than one byte per second: write 0 for no limit")
	}
	return int64(bps), nil
}

// FormatRate writes bytesPerSecond in the syntax ParseRate reads, so that
// it reads back as the same limit (Settings shows it so and saves the
// field again when it is left): in the largest unit that gives a whole
// number ("8M", "1536K"), else with one decimal where that is exact
// ("1.3M" for a limit typed so), else in bytes ("1000000", not "976.6K",
// which reads back as 1000038); 0 is "0" (no limit).
func FormatRate(bytesPerSecond int64) string {
	for _, u := range rateUnits {
		if bytesPerSecond >= u.bytes && bytesPerSecond%u.bytes == 0 {
			return strconv.FormatInt(bytesPerSecond/u.bytes, 10) + u.suffix
		}
	}
	for _, u := range rateUnits {
		if bytesPerSecond >= u.bytes {
			s := strconv.FormatFloat(float64(bytesPerSecond)/float64(u.bytes), 'f', 1, 64) + u.suffix
			if back, err := ParseRate(s); err == nil && back == bytesPerSecond {
				return s
			}
		}
	}
	return strconv.FormatInt(bytesPerSecond, 10)
}

// The bucket holds an eighth of a second's worth of bytes (rateBurstPart),
// at most maxRateBurst: no second carries more than about 1.13 × the
// limit, and uploads that fell behind (their goroutines waited for a busy
// core) may catch up by that much. With a bucket of one read (64 KiB, an
// earlier choice) a late wake-up of more than 8 ms at 8 MiB/s was lost
// for good, and a limited upload on busy cores averaged below its limit.
const (
	rateBurstPart = 8
	maxRateBurst  = 16 << 20
)

// rateLimit is the bandwidth limit of one Client, shared by all its
// uploads (a token bucket: golang.org/x/time/rate), and changeable while
// they run.
type rateLimit struct {
	bps atomic.Int64 // 0: no limit
	lim *rate.Limiter
}

func newRateLimit() *rateLimit {
	return &rateLimit{lim: rate.NewLimiter(rate.Inf, maxRateBurst)}
}

// set changes the limit (0: none); uploads in flight follow it from their
// next read.
func (l *rateLimit) set(bytesPerSecond int64) {
	bytesPerSecond = max(0, min(bytesPerSecond, maxRate))
	l.bps.Store(bytesPerSecond)
	if bytesPerSecond == 0 {
		l.lim.SetLimit(rate.Inf)
		return
	}
	l.lim.SetBurst(int(max(1, min(maxRateBurst, bytesPerSecond/rateBurstPart))))
	l.lim.SetLimit(rate.Limit(bytesPerSecond))
	// The bucket starts empty: a limit holds from the moment it is set,
	// with no burst at the start; the bucket fills only while the uploads
	// fall behind.
	if t := l.lim.Tokens(); t >= 1 {
		l.lim.AllowN(time.Now(), int(t))
	}
}

// get is the limit in bytes per second (0: none).
func (l *rateLimit) get() int64 { return l.bps.Load() }

// wait returns once n more bytes may be sent, or when ctx ends.
func (l *rateLimit) wait(ctx context.Context, n int) error {
	for n > 0 && l.bps.Load() > 0 {
		k := min(n, l.lim.Burst())
		if err := l.lim.WaitN(ctx, k); err != nil {
			switch {
			case k > l.lim.Burst():
				continue // the burst shrank meanwhile (set): ask again
			case ctx.Err() != nil:
				return context.Cause(ctx)
			}
			return fmt.Errorf("wait for the bandwidth limit: %w", err)
		}
		n -= k
	}
	return nil
}

// portion is how many of n bytes to hand out at once: all of them with no
// limit, else at most the bucket, so each wait for the limit is at most
// an eighth of a second, and progress told before it runs ahead of the
// bytes the limit let go by no more than that.
func (l *rateLimit) portion(n int) int {
	if l.bps.Load() == 0 {
		return n
	}
	return min(n, l.lim.Burst())
}

// SetUploadRate limits what all of the client's uploads send together to
// bytesPerSecond (0: no limit). It applies at once, to the uploads in
// flight too.
func (c *Client) SetUploadRate(bytesPerSecond int64) { c.limit.set(bytesPerSecond) }

// UploadRate is the limit SetUploadRate set, in bytes per second (0: none).
func (c *Client) UploadRate() int64 { return c.limit.get() }
