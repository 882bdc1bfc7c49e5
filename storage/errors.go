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
	ErrFirstDBIndex  = "ERR invalid first DB index"
	ErrSecondDBIndex = "ERR invalid second DB index"
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

// Reply texts of the strings and keyspace families, byte-identical to
// Redis 7.0.
const (
	ErrIntRange   = "ERR value is out of range, value must between -2147483648 and 2147483647"
	ErrLCSTooLong = "ERR String too long for LCS"
	ErrLCSMemory  = "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len"
)

// ErrUnsupportedOptionIn is EXPIRE's unknown-option error. Redis formats it
// with %s and addReplyErrorFormat, so the option is cut at its first NUL,
// trailing CR/LF are trimmed and inner ones blanked: the reply stays one
// protocol line whatever the client sent.
func ErrUnsupportedOptionIn(opt []byte) string {
	opt = cString(opt)
	for len(opt) > 0 && (opt[len(opt)-1] == '\r' || opt[len(opt)-1] == '\n') {
		opt = opt[:len(opt)-1]
	}
	b := make([]byte, 0, len(ErrUnsupportedOption)+len(opt))
	b = append(b, ErrUnsupportedOption...)
	for _, c := range opt {
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return string(b)
}

// replyError is an error whose text is a Redis error reply. Op functions
// return them, so the Cmd side writes any failure with one call and a
// MULTI executor can treat them like any other error. Converting the
// constants above to replyError allocates nothing.
type replyError string

func (e replyError) Error() string { return string(e) }

// The errors ops return most, as interface values built once.
var (
	errSyntax     error = replyError(ErrSyntax)
	errWrongType  error = replyError(ErrWrongType)
	errNotInteger error = replyError(ErrNotInteger)
	errNotFloat   error = replyError(ErrNotFloat)
	errNoSuchKey  error = replyError(ErrNoSuchKey)
)

// writeErr writes err, which an op returned, as the error reply.
func writeErr(c *Ctx, err error) { c.W.Error(err.Error()) }

// writeHelp is addReplyHelp: the lines of a HELP subcommand as an array
// of simple strings.
func writeHelp(c *Ctx, lines []string) {
	c.W.Array(len(lines))
	for _, l := range lines {
		c.W.Simple(l)
	}
}

// Reply texts of the blocking commands, byte-identical to Redis 7.0.
const (
	ErrTimeoutNotFloat = "ERR timeout is not a float or out of range"
	ErrTimeoutNegative = "ERR timeout is negative"
)

// ErrObjectFreqNoLFU is OBJECT FREQ's reply when no LFU policy is selected.
const ErrObjectFreqNoLFU = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. " +
	"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."

// ErrObjectIdleLFU is OBJECT IDLETIME's reply under an LFU policy.
const ErrObjectIdleLFU = "ERR An LFU maxmemory policy is selected, idle time not tracked. " +
	"Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."

// ErrOOM is the reply to a command that may grow memory while the data
// set is over maxmemory and nothing can be evicted.
const ErrOOM = "OOM command not allowed when used memory > 'maxmemory'."

// Reply texts of the sets family, byte-identical to Redis 7.0.
const (
	ErrOutOfRangePositive = "ERR value is out of range, must be positive"
	ErrOutOfRangeLong     = "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
	ErrNumKeysPositive    = "ERR numkeys should be greater than 0"
	ErrNumKeysTooMany     = "ERR Number of keys can't be greater than number of args"
	ErrLimitNegative      = "ERR LIMIT can't be negative"
)

// Reply texts of the hash family, byte-identical to Redis 7.0.
const (
	ErrHashNotInteger   = "ERR hash value is not an integer"
	ErrHashNotFloat     = "ERR hash value is not a float"
	ErrHashIncrNaNOrInf = "ERR value is NaN or Infinity"
	ErrValueOutOfRange  = "ERR value is out of range"
)

// Reply texts of the list family, byte-identical to Redis 7.0.
const (
	ErrLPosRankZero       = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list"
	ErrLPosCountNegative  = "ERR COUNT can't be negative"
	ErrLPosMaxlenNegative = "ERR MAXLEN can't be negative"
	ErrCountPositive      = "ERR count should be greater than 0"
)

// Reply texts of the sorted set family, byte-identical to Redis 7.0.
const (
	ErrZAddNXAndXX     = "ERR XX and NX options at the same time are not compatible"
	ErrZAddGTLTNX      = "ERR GT, LT, and/or NX options at the same time are not compatible"
	ErrZAddIncrPair    = "ERR INCR option supports a single increment-element pair"
	ErrZSetScoreNaN    = "ERR resulting score is not a number (NaN)"
	ErrZSetMinMaxFloat = "ERR min or max is not a float"
	ErrZSetMinMaxLex   = "ERR min or max not valid string range item"
)

// Reply texts of ZRANGE's option checks, byte-identical to Redis 7.0.
const (
	ErrZRangeLimit     = "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
	ErrZRangeLexScores = "ERR syntax error, WITHSCORES not supported in combination with BYLEX"
)

// Reply texts of the multi-key sorted set commands, byte-identical to
// Redis 7.0.
const ErrZSetWeightFloat = "ERR weight value is not a float"

// ErrZSetNeedKey is the numkeys < 1 error of ZUNION and its family.
func ErrZSetNeedKey(name string) string {
	return "ERR at least 1 input key is needed for '" + name + "' command"
}

// Reply texts of the bitmap family, byte-identical to Redis 7.0.
const (
	ErrBitOffset            = "ERR bit offset is not an integer or out of range"
	ErrBitValue             = "ERR bit is not an integer or out of range"
	ErrBitArgument          = "ERR The bit argument must be 1 or 0."
	ErrBitOpNot             = "ERR BITOP NOT must be called with a single source key."
	ErrBitFieldType         = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	ErrBitFieldOverflowType = "ERR Invalid OVERFLOW type specified"
	ErrBitFieldRO           = "ERR BITFIELD_RO only supports the GET subcommand"
)

// Reply texts of the HyperLogLog family, byte-identical to Redis 7.0.
const (
	ErrHLLInvalid = "WRONGTYPE Key is not a valid HyperLogLog string value."
	ErrHLLCorrupt = "INVALIDOBJ Corrupted HLL object detected"

	ErrHLLDebugNoKey = "ERR The specified key does not exist"
	ErrHLLNotSparse  = "ERR HLL encoding is not sparse"
)

// ErrHLLDebugUnknown is PFDEBUG's unknown-subcommand error.
func ErrHLLDebugUnknown(sub []byte) string {
	return "ERR Unknown PFDEBUG subcommand '" + errArg(sub, false) + "'"
}

// Reply texts of the geo family, byte-identical to Redis 7.0.
const (
	ErrGeoUnsupportedUnit = "ERR unsupported unit provided. please use M, KM, FT, MI"
	ErrGeoCountPositive   = "ERR COUNT must be > 0"
	ErrGeoNeedRadius      = "ERR need numeric radius"
	ErrGeoNeedWidth       = "ERR need numeric width"
	ErrGeoNeedHeight      = "ERR need numeric height"
	ErrGeoRadiusNegative  = "ERR radius cannot be negative"
	ErrGeoBoxNegative     = "ERR height or width cannot be negative"
	ErrGeoMember          = "ERR could not decode requested zset member"
	ErrGeoAnyNeedsCount   = "ERR the ANY argument requires COUNT argument"
	ErrGeoStoreWith       = "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
	ErrGeoSearchStoreWith = "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
)

// ErrGeoInvalidPair is the out-of-range coordinates error; long and lat
// are formatted with C's %f.
func ErrGeoInvalidPair(long, lat string) string {
	return "ERR invalid longitude,latitude pair " + long + "," + lat
}

// ErrGeoFromIn and ErrGeoByIn name the command as the client spelled it
// (Redis formats argv[0] with %s): cut at a NUL, CR and LF made blanks.
func ErrGeoFromIn(name []byte) string {
	return "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + errArg(name, true)
}

func ErrGeoByIn(name []byte) string {
	return "ERR exactly one of BYRADIUS and BYBOX can be specified for " + errArg(name, true)
}

// errArg is an argument as addReplyErrorFormat's %s shows it: cut at its
// first NUL, CR and LF made blanks, and those ending the message (atEnd)
// trimmed.
func errArg(b []byte, atEnd bool) string {
	b = cString(b)
	for atEnd && len(b) > 0 && (b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	out := []byte(string(b))
	for i, c := range out {
		if c == '\r' || c == '\n' {
			out[i] = ' '
		}
	}
	return string(out)
}

// Reply texts of the stream family, byte-identical to Redis 7.0.
const (
	ErrStreamIDInvalid        = "ERR Invalid stream ID specified as stream command argument"
	ErrStreamMaxLenAndMinID   = "ERR syntax error, MAXLEN and MINID options at the same time are not compatible"
	ErrStreamMaxLenNegative   = "ERR The MAXLEN argument must be >= 0."
	ErrStreamLimitNegative    = "ERR The LIMIT argument must be >= 0."
	ErrStreamLimitNoStrategy  = "ERR syntax error, LIMIT cannot be used without specifying a trimming strategy"
	ErrStreamXTrimNoStrategy  = "ERR syntax error, XTRIM must be called with a trimming strategy"
	ErrStreamLimitNoApprox    = "ERR syntax error, LIMIT cannot be used without the special ~ option"
	ErrStreamXAddZero         = "ERR The ID specified in XADD must be greater than 0-0"
	ErrStreamExhausted        = "ERR The stream has exhausted the last possible ID, unable to add more items"
	ErrStreamXAddSmaller      = "ERR The ID specified in XADD is equal or smaller than the target stream top item"
	ErrStreamBadStart         = "ERR invalid start ID for the interval"
	ErrStreamBadEnd           = "ERR invalid end ID for the interval"
	ErrStreamEntriesAddedNeg  = "ERR entries_added must be positive"
	ErrStreamMaxDelGreater    = "ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id"
	ErrStreamTooLarge         = "ERR Elements are too large to be stored"
	ErrStreamSetIDSmaller     = "ERR The ID specified in XSETID is smaller than the target stream top item"
	ErrStreamSetIDAddedSmall  = "ERR The entries_added specified in XSETID is smaller than the target stream length"
	ErrStreamNoKeyGroup       = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically."
	ErrStreamBusyGroup        = "BUSYGROUP Consumer Group name already exists"
	ErrStreamEntriesReadRange = "ERR value for ENTRIESREAD must be positive or -1"
	ErrStreamUnbalanced       = "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
	ErrStreamTimeoutNegative  = "ERR timeout is negative"
	ErrStreamTimeoutInvalid   = "ERR timeout is not an integer or out of range"
	ErrStreamMissingGroup     = "ERR Missing GROUP option for XREADGROUP"
	ErrStreamXReadGT          = "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option."
	ErrStreamXReadDollar      = "ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set."
	ErrStreamXClaimIdle       = "ERR Invalid IDLE option argument for XCLAIM"
	ErrStreamXClaimTime       = "ERR Invalid TIME option argument for XCLAIM"
	ErrStreamXClaimRetry      = "ERR Invalid RETRYCOUNT option argument for XCLAIM"
	ErrStreamXClaimMinIdle    = "ERR Invalid min-idle-time argument for XCLAIM"
	ErrStreamAutoMinIdle      = "ERR Invalid min-idle-time argument for XAUTOCLAIM"
	ErrStreamAutoCount        = "ERR COUNT must be > 0"
	ErrStreamGroupInXRead     = "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead."
	ErrStreamNoAckInXRead     = "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead."
)

// ErrStreamNoGroup is the NOGROUP error naming the group and the key,
// formatted as addReplyErrorFormat formats it (see errFmtArg).
func ErrStreamNoGroup(group, key []byte) string {
	return "NOGROUP No such consumer group '" + errFmtArg(group) + "' for key name '" + errFmtArg(key) + "'"
}

// ErrStreamNoGroupRead is XREADGROUP's NOGROUP error.
func ErrStreamNoGroupRead(key, group []byte) string {
	return "NOGROUP No such key '" + errFmtArg(key) + "' or consumer group '" + errFmtArg(group) + "' in XREADGROUP with GROUP option"
}

// ErrStreamNoKeyOrGroup is the NOGROUP error of XPENDING, XCLAIM and
// XAUTOCLAIM.
func ErrStreamNoKeyOrGroup(key, group []byte) string {
	return "NOGROUP No such key '" + errFmtArg(key) + "' or consumer group '" + errFmtArg(group) + "'"
}

// ErrStreamXClaimOption is XCLAIM's unknown-option error.
func ErrStreamXClaimOption(opt []byte) string {
	return "ERR Unrecognized XCLAIM option '" + errFmtArg(opt) + "'"
}

// ErrStreamSubcommand is addReplySubcommandSyntaxError for container
// commands (XGROUP, XINFO): the subcommand as given (at most 128 bytes,
// "%.128s"), the command in upper case.
func ErrStreamSubcommand(sub []byte, cmd string) string {
	sub = cString(sub)
	if len(sub) > 128 {
		sub = sub[:128]
	}
	return "ERR unknown subcommand or wrong number of arguments for '" + errFmtArg(sub) + "'. Try " + cmd + " HELP."
}

// errFmtArg is a %s argument of addReplyErrorFormat: cut at its first NUL,
// CR and LF blanked so the reply stays one protocol line. (Redis also
// trims CR/LF at both ends of the whole message; the stream messages
// built with it begin and end with fixed text, so that never applies.)
func errFmtArg(b []byte) string {
	b = cString(b)
	out := make([]byte, len(b))
	for i, c := range b {
		if c == '\r' || c == '\n' {
			c = ' '
		}
		out[i] = c
	}
	return string(out)
}

// Reply texts of SORT and SORT_RO, byte-identical to Redis 7.0.
const (
	ErrSortOne = "ERR One or more scores can't be converted into double"
)

// Reply texts of DUMP, RESTORE and MEMORY, byte-identical to Redis 7.0.
const (
	ErrDumpPayload   = "ERR DUMP payload version or checksum are wrong"
	ErrBadDataFormat = "ERR Bad data format"
	ErrBusyKey       = "BUSYKEY Target key name already exists."
	ErrRestoreTTL    = "ERR Invalid TTL value, must be >= 0"
	ErrRestoreIdle   = "ERR Invalid IDLETIME value, must be >= 0"
	ErrRestoreFreq   = "ERR Invalid FREQ value, must be >= 0 and <= 255"
)

// Reply texts of persistence (SAVE, BGSAVE, BGREWRITEAOF and the MISCONF
// refusal of writes), byte-identical to Redis 7.0 where Redis has them.
const (
	ErrBgsaveInProgress  = "ERR Background save already in progress"
	ErrRewriteInProgress = "ERR Background append only file rewriting already in progress"
	ErrMisconfRDB        = "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error."
	// shardis's own: persistence is not configured (no --dir given to the engine), or
	// BGREWRITEAOF with appendonly no.
	ErrPersistenceOff = "ERR persistence is not enabled on this server"
	ErrAOFOff         = "ERR BGREWRITEAOF needs appendonly yes in shardis"
)
