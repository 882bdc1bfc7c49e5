package storage

// Error replies, byte-identical to Redis 7.0 (without the leading '-').
// Every reply text the engine sends lives here so that a difference from
// Redis is fixed in one place.
const (
	ErrSyntax        = "ERR syntax error"
	ErrWrongType     = "WRONGTYPE Operation against a key holding the wrong kind of value"
	ErrNotInteger    = "ERR value is not an integer or out of range"
	ErrNotFloat      = "ERR value is not a valid float"
	ErrOverflow      = "ERR increment or decrement would overflow"
	ErrIncrNaNOrInf  = "ERR increment would produce NaN or Infinity"
	ErrNoSuchKey     = "ERR no such key"
	ErrOutOfRange    = "ERR index out of range"
	ErrStringTooLong = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
	ErrOffsetRange   = "ERR offset is out of range"
	ErrDBIndexRange  = "ERR DB index is out of range"
	ErrSameObject    = "ERR source and destination objects are the same"
	ErrInvalidCursor = "ERR invalid cursor"
)

// ErrWrongArgs is Redis's arity error; name is the lower-case command name
// ("client|setname" for subcommands).
func ErrWrongArgs(name string) string {
	return "ERR wrong number of arguments for '" + name + "' command"
}

// ErrInvalidExpireIn is the invalid-expire error naming the command.
func ErrInvalidExpireIn(name string) string {
	return "ERR invalid expire time in '" + name + "' command"
}

// More reply texts, byte-identical to Redis 7.0.
const (
	ErrDecrOverflow      = "ERR decrement would overflow"
	ErrLCSNotString      = "ERR The specified keys must contain string values"
	ErrLCSLenAndIdx      = "ERR If you want both the length and indexes, please just use IDX."
	ErrGTAndLT           = "ERR GT and LT options at the same time are not compatible"
	ErrNXWithOthers      = "ERR NX and XX, GT or LT options at the same time are not compatible"
	ErrUnsupportedOption = "ERR Unsupported option "
)
