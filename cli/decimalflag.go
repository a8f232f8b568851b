package cli

import (
	"strconv"

	"github.com/spf13/pflag"
)

// decimalFlag is a number flag's value read as the decimal number its
// digits write, as flagErrorText's sentence says a number flag takes:
// "--limit 010" is 10 and "--limit 08" is 8. pflag's own int flags read
// a value as a Go literal does (strconv.ParseInt with base 0): 010 was
// octal 8, 08 no number, and 0x10, 0b11 or 1_000 numbers.
type decimalFlag[T int | int64] struct{ p *T }

// decimalVar defines the flag name on f, a decimal number kept in p,
// value when not given.
func decimalVar[T int | int64](f *pflag.FlagSet, p *T, name string, value T, usage string) {
	*p = value
	f.Var(decimalFlag[T]{p}, name, usage)
}

// Set reads s as a decimal number with an optional sign; an error is
// strconv's, whose ErrRange flagErrorText words as too large a number.
func (d decimalFlag[T]) Set(s string) error {
	v, err := strconv.ParseInt(s, 10, d.bits())
	if err != nil {
		return err
	}
	*d.p = T(v)
	return nil
}

func (d decimalFlag[T]) String() string { return strconv.FormatInt(int64(*d.p), 10) }

// Type names the flag's kind as pflag's int flags do ("int", "int64"):
// the help shows it, and flagErrorText words a bad value by it.
func (d decimalFlag[T]) Type() string {
	if d.isInt() {
		return "int"
	}
	return "int64"
}

// bits is how many bits a value of T holds.
func (d decimalFlag[T]) bits() int {
	if d.isInt() {
		return strconv.IntSize
	}
	return 64
}

func (d decimalFlag[T]) isInt() bool {
	_, ok := any(*d.p).(int)
	return ok
}
