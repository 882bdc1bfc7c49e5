package configs

import "math"

// param is one setting. Its entry in params is all that flag parsing,
// the YAML file, CONFIG GET, CONFIG SET, -h and the generated
// documentation know about it.
type param struct {
	// name is the redis.conf directive, or a shardis name in the same
	// style; it is the flag, the YAML key and the CONFIG name.
	name string
	// alias is the directive's older redis.conf name, accepted wherever
	// name is (hash-max-ziplist-entries for hash-max-listpack-entries).
	alias string
	// def is the default in redis.conf syntax ("512mb"), parsed by kind
	// like any other input.
	def string
	// mutable lets CONFIG SET change it while shardis runs. The accessor
	// of a mutable setting must be safe to call on every request.
	mutable bool
	// cmdline settings exist only as flags, because they say which file
	// to read; Load applies them before the file.
	cmdline bool
	kind    kind
	// doc is the documentation: one or more sentences, no line breaks.
	doc string
}

// params is the single table of settings, in the order -h and the
// documentation list them. Adding a setting is one entry here plus its
// field in values and a typed accessor.
var params = []param{
	{
		name: "bind", def: "127.0.0.1",
		kind: address(func(v *values) *string { return &v.bind }),
		doc: "Address the RESP listener binds to. Unlike Redis, one address only: " +
			"0.0.0.0 listens on every IPv4 interface, :: on every interface.",
	},
	{
		name: "port", def: "6379",
		kind: integer(0, 65535, func(v *values) *int { return &v.port }),
		doc:  "TCP port of the RESP listener; 0 lets the kernel choose a free one.",
	},
	{
		name: "requirepass", def: "", mutable: true,
		kind: text(func(v *values) *string { return &v.requirePass }),
		doc: "Password clients must send with AUTH before any other command; empty disables " +
			"authentication. Prefer the config file to the flag, which other local users can read in ps.",
	},
	{
		name: "dir", def: ".",
		kind: text(func(v *values) *string { return &v.dir }),
		doc:  "Working directory for files shardis writes. It must exist when shardis starts.",
	},
	{
		name: "maxclients", def: "10000", mutable: true,
		kind: integer(1, math.MaxUint32, func(v *values) *int { return &v.maxClients }),
		doc:  "Maximum number of connected clients; a client beyond it is sent an error and disconnected.",
	},
	{
		name: "databases", def: "16",
		kind: integer(1, math.MaxInt32, func(v *values) *int { return &v.databases }),
		doc:  "Number of logical databases (SELECT 0 to databases-1) in every instance.",
	},
	{
		name: "proto-max-bulk-len", def: "512mb", mutable: true,
		kind: memory(1<<20, math.MaxInt64, func(v *values) *int64 { return &v.protoMaxBulkLen }),
		doc: "Largest bulk string a request may carry, and largest string a command " +
			"(APPEND, SETRANGE, ...) may build.",
	},
	{
		name: "client-query-buffer-limit", def: "1gb", mutable: true,
		kind: memory(1<<20, math.MaxInt64, func(v *values) *int64 { return &v.clientQueryBufferLimit }),
		doc:  "A client whose unparsed input grows beyond this is disconnected.",
	},
	{
		name: "client-output-buffer-limit", def: "normal 1gb 256mb 60 replica 256mb 64mb 60 pubsub 32mb 8mb 60",
		mutable: true,
		kind:    outputBufferLimits(func(v *values) *bufferLimits { return &v.outputLimits }),
		doc: "Per class, a hard limit and a soft limit with its seconds on replies a client has not " +
			"read yet: a client is disconnected at the hard limit, or after staying above the soft " +
			"limit that long; 0 means no limit. shardis enforces the normal class and keeps the others " +
			"for compatibility. Unlike Redis, whose normal clients are unlimited, the default caps them: " +
			"the gnet event loop has no back-pressure, so a client that never reads would otherwise grow " +
			"its output buffer without bound.",
	},
	{
		name: "timeout", def: "0", mutable: true,
		kind: integer(0, math.MaxInt32, func(v *values) *int { return &v.timeout }),
		doc:  "Close a client after it has been idle this many seconds; 0 never does.",
	},
	{
		name: "hz", def: "10", mutable: true,
		kind: integer(0, math.MaxInt32, func(v *values) *int { return &v.hz }).clamped(1, 500),
		doc: "Frequency of background tasks per second. As in Redis, values outside 1..500 " +
			"are accepted and brought into that range.",
	},
	{
		name: "loglevel", def: "notice",
		kind: enum(func(v *values) *string { return &v.logLevel }, "debug", "verbose", "notice", "warning"),
		doc:  "Log verbosity: debug and verbose log everything, notice information, warnings and errors, warning only warnings and errors.",
	},
	{
		name: "logfile", def: "",
		kind: text(func(v *values) *string { return &v.logFile }),
		doc:  "File that JSON log lines are appended to; empty logs to standard error.",
	},
	{
		name: "io-threads", def: "0",
		kind: integer(0, 256, func(v *values) *int { return &v.ioThreads }),
		doc: "Number of network event loops; 0 picks one loop below 4 CPU cores and one per core less one from 4 up, " +
			"the spare core left to the Go runtime, background work and the kernel's network stack, as Redis advises for its io-threads. " +
			"Unlike Redis, every loop also parses and executes commands.",
	},
	{
		name: "procs-per-loop", def: "no",
		kind: boolean(func(v *values) *bool { return &v.procsPerLoop }),
		doc: "With one event loop, run with one Go processor (GOMAXPROCS 1) while no AOF rewrite, background " +
			"save or slot migration runs, and with all of them while one does. It saves 5-18% of server CPU " +
			"per -P 1 request and half the context switches on 2 cores, but background work and the garbage " +
			"collector then stall the loop now and then (worst latency about 20 ms against 3-7 ms), so it is off " +
			"by default. GOMAXPROCS set in the environment overrides it.",
	},
	{
		name: "instances", def: "64",
		kind: integer(1, 16384, func(v *values) *int { return &v.instances }),
		doc:  "Number of storage instances the 16384 hash slots are spread over.",
	},
	{
		name: "max-instances", def: "0",
		kind: integer(0, 16384, func(v *values) *int { return &v.maxInstances }),
		doc: "Most storage instances the process can grow to at run time (POST /v1/instances " +
			"on the admin API); 0 means instances, so none can be added.",
	},
	{
		name: "sharding", def: "slots",
		kind: enum(func(v *values) *string { return &v.sharding }, "slots", "ring"),
		doc: "How slots are assigned to instances: slots gives each instance an equal " +
			"contiguous range, ring places them with a bounded-load consistent hash.",
	},
	{
		name: "admin-bind", def: "127.0.0.1",
		kind: address(func(v *values) *string { return &v.adminBind }),
		doc:  "Address of the HTTP admin API (JSON and Prometheus metrics).",
	},
	{
		name: "admin-port", def: "6380",
		kind: integer(-1, 65535, func(v *values) *int { return &v.adminPort }),
		doc:  "TCP port of the HTTP admin API; -1 disables it, 0 lets the kernel choose.",
	},
	{
		name: "admin-token", def: "",
		kind: text(func(v *values) *string { return &v.adminToken }),
		doc: "When set, every admin API request must carry the header Authorization: Bearer <token>. " +
			"Set it whenever admin-bind is not a loopback address.",
	},
	{
		name: "hash-max-listpack-entries", alias: "hash-max-ziplist-entries", def: "512", mutable: true,
		kind: integer(0, math.MaxInt64, func(v *values) *int { return &v.hashMaxListpackEntries }),
		doc:  "A hash with more fields than this uses a hash table instead of the compact listpack encoding.",
	},
	{
		name: "hash-max-listpack-value", alias: "hash-max-ziplist-value", def: "64", mutable: true,
		kind: memory(0, math.MaxInt64, func(v *values) *int64 { return &v.hashMaxListpackValue }),
		doc:  "A hash holding a field or value longer than this many bytes uses a hash table instead of a listpack.",
	},
	{
		name: "set-max-intset-entries", def: "512", mutable: true,
		kind: integer(0, math.MaxInt64, func(v *values) *int { return &v.setMaxIntsetEntries }),
		doc:  "A set of integers only keeps the compact sorted intset encoding up to this many members.",
	},
	{
		name: "zset-max-listpack-entries", alias: "zset-max-ziplist-entries", def: "128", mutable: true,
		kind: integer(0, math.MaxInt64, func(v *values) *int { return &v.zsetMaxListpackEntries }),
		doc:  "A sorted set with more members than this leaves its listpack for its large form (an ordered tree and a hash table; OBJECT ENCODING says skiplist, as Redis).",
	},
	{
		name: "zset-max-listpack-value", alias: "zset-max-ziplist-value", def: "64", mutable: true,
		kind: memory(0, math.MaxInt64, func(v *values) *int64 { return &v.zsetMaxListpackValue }),
		doc:  "A sorted set holding a member longer than this many bytes leaves its listpack for its large form.",
	},
	{
		name: "list-max-listpack-size", alias: "list-max-ziplist-size", def: "-2", mutable: true,
		kind: integer(math.MinInt32, math.MaxInt32, func(v *values) *int { return &v.listMaxListpackSize }),
		doc: "Size of one node of a list as DUMP and snapshots write it (quicklist nodes): a positive " +
			"number of elements, or -1..-5 for 4, 8, 16, 32 or 64 KiB. In memory lists are quicklists of nodes bounded alike.",
	},
	{
		name: "list-compress-depth", def: "0", mutable: true,
		kind: integer(0, math.MaxInt32, func(v *values) *int { return &v.listCompressDepth }),
		doc:  "Accepted for compatibility with redis.conf; shardis does not compress list nodes.",
	},
	{
		name: "hll-sparse-max-bytes", def: "3000", mutable: true,
		kind: memory(0, math.MaxInt64, func(v *values) *int64 { return &v.hllSparseMaxBytes }),
		doc:  "A HyperLogLog whose sparse representation would grow past this many bytes is converted to the dense one.",
	},
	{
		name: "stream-node-max-bytes", def: "4096", mutable: true,
		kind: memory(0, math.MaxInt64, func(v *values) *int64 { return &v.streamNodeMaxBytes }),
		doc:  "Largest node of a stream in bytes, which sets how many entries XTRIM and XADD with ~ remove at once; 0 means no limit.",
	},
	{
		name: "stream-node-max-entries", def: "100", mutable: true,
		kind: integer(0, math.MaxInt64, func(v *values) *int { return &v.streamNodeMaxEntries }),
		doc:  "Most entries in one node of a stream; 0 means no limit.",
	},
	{
		name: "maxmemory", def: "0", mutable: true,
		kind: memory(0, math.MaxInt64, func(v *values) *int64 { return &v.maxMemory }),
		doc: "Limit on the data set's memory (used_memory) for the whole process, all instances together; 0 means no limit. " +
			"Past it, keys are evicted as maxmemory-policy says, and commands that may grow memory are refused with -OOM when nothing can be. " +
			"The Go runtime's soft memory limit follows it (see the notes below the table).",
	},
	{
		name: "maxmemory-policy", def: "noeviction", mutable: true,
		kind: enum(func(v *values) *string { return &v.maxMemoryPolicy },
			"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
			"allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"),
		doc: "What to evict at maxmemory: the least recently used (lru) or least frequently used (lfu) keys, random keys, " +
			"or the keys closest to their deadline (volatile-ttl), among all keys (allkeys-) or only keys with a deadline (volatile-); " +
			"noeviction refuses writes instead.",
	},
	{
		name: "maxmemory-samples", def: "5", mutable: true,
		kind: integer(1, math.MaxInt32, func(v *values) *int { return &v.maxMemorySamples }),
		doc:  "Keys sampled per eviction round; more approximate true LRU, LFU and TTL order better at more CPU per evicted key.",
	},
	{
		name: "maxmemory-eviction-tenacity", def: "10", mutable: true,
		kind: integer(0, 100, func(v *values) *int { return &v.maxMemoryEvictionTenacity }),
		doc: "How long one command may spend evicting: 10 is 500 microseconds, each step above adds 15%, 100 is unlimited. " +
			"Eviction left unfinished goes on in the background and at the next command.",
	},
	{
		name: "lfu-log-factor", def: "10", mutable: true,
		kind: integer(0, math.MaxInt32, func(v *values) *int { return &v.lfuLogFactor }),
		doc:  "How slowly the LFU counter grows: with 10 it reaches 255 after about a million accesses.",
	},
	{
		name: "lfu-decay-time", def: "1", mutable: true,
		kind: integer(0, math.MaxInt32, func(v *values) *int { return &v.lfuDecayTime }),
		doc:  "Minutes of idleness that take one off a key's LFU counter; 0 never decays it.",
	},
	{
		name: "appendonly", def: "no",
		kind: boolean(func(v *values) *bool { return &v.appendOnly }),
		doc: "Keep an append-only file per instance (dir/appenddirname/<appendfilename stem>-NN.aof) and " +
			"load it at start-up. Unlike Redis, it cannot be switched by CONFIG SET.",
	},
	{
		name: "appendfsync", def: "everysec", mutable: true,
		kind: enum(func(v *values) *string { return &v.appendFsync }, "always", "everysec", "no"),
		doc: "When append-only records reach the disk: always before the reply (fsyncs grouped per batch " +
			"across event loops), everysec once a second (at most about a second of writes lost in a " +
			"power failure), no when the kernel decides.",
	},
	{
		name: "appendfilename", def: "appendonly.aof",
		kind: text(func(v *values) *string { return &v.appendFilename }),
		doc:  "Stem of the append-only files; instance NN writes <stem>-NN.aof.",
	},
	{
		name: "appenddirname", def: "appendonlydir",
		kind: text(func(v *values) *string { return &v.appendDirname }),
		doc:  "Directory under dir holding the append-only files.",
	},
	{
		name: "auto-aof-rewrite-percentage", def: "100", mutable: true,
		kind: integer(0, math.MaxInt32, func(v *values) *int { return &v.autoAOFRewritePercentage }),
		doc: "Rewrite an instance's append-only file in the background once it has grown by this percentage " +
			"over its size after the last rewrite or load; 0 disables automatic rewrites.",
	},
	{
		name: "auto-aof-rewrite-min-size", def: "64mb", mutable: true,
		kind: memory(0, math.MaxInt64, func(v *values) *int64 { return &v.autoAOFRewriteMinSize }),
		doc:  "An append-only file smaller than this is never rewritten automatically.",
	},
	{
		name: "aof-load-truncated", def: "yes", mutable: true,
		kind: boolean(func(v *values) *bool { return &v.aofLoadTruncated }),
		doc: "At start-up, an append-only file whose last record is incomplete (a crash mid-write) is cut " +
			"back to its last complete record with a warning; with no, start-up fails instead. Any other " +
			"damage always stops start-up with the file and offset.",
	},
	{
		name: "save", def: "", mutable: true,
		kind: saveKind{func(v *values) *string { return &v.save }},
		doc: "Snapshot rules: pairs of <seconds> <changes>; a background save starts when at least <changes> " +
			"write commands ran and <seconds> passed since the last save. Unlike Redis the default is none.",
	},
	{
		name: "dbfilename", def: "dump.rdb",
		kind: text(func(v *values) *string { return &v.dbFilename }),
		doc: "Stem of the snapshot files: instance NN writes dir/<stem>-NN.snap, in shardis's snapshot " +
			"format (the append-only file's records), not Redis's RDB.",
	},
	{
		name: "stop-writes-on-bgsave-error", def: "yes", mutable: true,
		kind: boolean(func(v *values) *bool { return &v.stopWritesOnBgsaveError }),
		doc:  "When save rules are set and the last background save failed, refuse write commands with MISCONF.",
	},
	{
		name: "config", def: "", cmdline: true,
		kind: text(func(v *values) *string { return &v.configFile }),
		doc:  "YAML file to read settings from, keyed by these names; flags override it.",
	},
}

// lookup returns the index in params of the setting called name, ignoring
// ASCII case as Redis's strcasecmp does, or -1.
func lookup(name string) int {
	for i := range params {
		if equalFoldASCII(params[i].name, name) || params[i].alias != "" && equalFoldASCII(params[i].alias, name) {
			return i
		}
	}
	return -1
}

// equalFoldASCII is strings.EqualFold without Unicode folding, under
// which "ſ" (U+017F) would match an "s" that Redis would not.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if lowerASCII(a[i]) != lowerASCII(b[i]) {
			return false
		}
	}
	return true
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
