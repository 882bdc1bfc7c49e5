package configs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/shardis/shardis/storage/glob"
)

// Config holds every shardis setting. Get one from Default or Load; the
// zero Config holds no values. Its methods are safe for concurrent use:
// readers never block, and Set replaces values as a unit.
type Config struct {
	cur atomic.Pointer[values]
	// setMu serialises writers so two CONFIG SETs cannot both copy the
	// same snapshot and lose one of the updates. Readers ignore it.
	setMu     sync.Mutex
	observers []func(*Config)
}

// values is one immutable snapshot of every setting. Set copies the
// current snapshot, changes the copy and publishes it with one atomic
// store, so a reader never locks and never sees half of a CONFIG SET.
type values struct {
	bind                   string
	port                   int
	requirePass            string
	dir                    string
	maxClients             int
	databases              int
	protoMaxBulkLen        int64
	clientQueryBufferLimit int64
	outputLimits           bufferLimits
	timeout                int
	hz                     int
	logLevel               string
	logFile                string
	ioThreads              int
	procsPerLoop           bool
	instances              int
	maxInstances           int
	sharding               string
	adminBind              string
	adminPort              int
	adminToken             string
	configFile             string

	hashMaxListpackEntries int
	hashMaxListpackValue   int64
	setMaxIntsetEntries    int
	zsetMaxListpackEntries int
	zsetMaxListpackValue   int64
	listMaxListpackSize    int
	listCompressDepth      int
	hllSparseMaxBytes      int64
	streamNodeMaxBytes     int64
	streamNodeMaxEntries   int

	maxMemory                 int64
	maxMemoryPolicy           string
	maxMemorySamples          int
	maxMemoryEvictionTenacity int
	lfuLogFactor              int
	lfuDecayTime              int

	appendOnly               bool
	appendFsync              string
	appendFilename           string
	appendDirname            string
	autoAOFRewritePercentage int
	autoAOFRewriteMinSize    int64
	aofLoadTruncated         bool
	save                     string
	dbFilename               string
	stopWritesOnBgsaveError  bool
}

// Default returns every setting at its default.
func Default() *Config {
	v := defaults()
	return newConfig(&v)
}

// defaults parses every default in the table, the one place they are
// written down.
func defaults() values {
	var v values
	for _, p := range params {
		if err := p.kind.set(&v, p.def); err != nil {
			// The table is code: a bad default is a programming error,
			// and the tests make sure it never ships.
			panic(fmt.Sprintf("configs: default %q of %s: %v", p.def, p.name, err))
		}
	}
	return v
}

func newConfig(v *values) *Config {
	c := &Config{}
	c.cur.Store(v)
	return c
}

func (c *Config) v() *values { return c.cur.Load() }

// Get implements CONFIG GET. It returns the name and value of every
// setting matching one of the Redis glob patterns, ignoring case, each
// setting once. A pattern without glob characters is looked up directly
// and answered under the name as the client spelled it, as Redis does.
//
// Redis 7.0 answers in the iteration order of a randomly seeded hash
// table, so its order differs from one server process to the next and no
// client can depend on it. Get is deterministic instead: patterns in the
// order given, the matches of a glob in table order.
func (c *Config) Get(patterns ...string) [][2]string {
	v := c.v()
	var out [][2]string
	// A setting and its alias are separate entries, as in Redis's table
	// of names: a glob can match either or both, each answered once.
	seen := make([]bool, 2*len(params))
	add := func(i int, alias bool, name string) {
		k := 2 * i
		if alias {
			k++
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, [2]string{name, params[i].kind.get(v)})
		}
	}
	for _, pat := range patterns {
		if !strings.ContainsAny(pat, "*?[") {
			if i := lookup(pat); i >= 0 {
				add(i, !equalFoldASCII(params[i].name, pat), pat)
			}
			continue
		}
		for i, p := range params {
			if glob.MatchString(pat, p.name, true) {
				add(i, false, p.name)
			}
			if p.alias != "" && glob.MatchString(pat, p.alias, true) {
				add(i, true, p.alias)
			}
		}
	}
	return out
}

// Observe calls fn with c now and after every successful Set, so a
// component that caches settings outside Config (the storage engine's
// encoding thresholds) follows CONFIG SET. Calls are serialised with Set.
func (c *Config) Observe(fn func(*Config)) {
	c.setMu.Lock()
	defer c.setMu.Unlock()
	c.observers = append(c.observers, fn)
	fn(c)
}

// Set implements CONFIG SET with Redis 7.0's semantics and replies. pairs
// alternate name and value; all of them are applied, or on any error none.
// An error's text is the Redis error reply without its leading '-',
// ready to be sent to the client as is.
//
// Redis checks in two passes and so does Set: first every name (unknown,
// immutable, repeated), naming the argument as given; then every value,
// naming the setting by its canonical name. The first failure wins.
func (c *Config) Set(pairs ...string) error {
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return errors.New("ERR syntax error")
	}
	// An alias is a separate entry of Redis's table of names: naming a
	// setting and its alias together is no duplicate, and the later wins.
	type target struct {
		param int
		alias bool
	}
	idx := make([]target, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		name := pairs[i]
		p := lookup(name)
		if p < 0 {
			return fmt.Errorf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", name)
		}
		tg := target{p, !equalFoldASCII(params[p].name, name)}
		switch {
		case !params[p].mutable:
			return setFailed(name, "can't set immutable config")
		case slices.Contains(idx, tg):
			return setFailed(name, "duplicate parameter")
		}
		idx = append(idx, tg)
	}

	c.setMu.Lock()
	defer c.setMu.Unlock()
	next := *c.v()
	for n, tg := range idx {
		if err := params[tg.param].kind.set(&next, pairs[2*n+1]); err != nil {
			name := params[tg.param].name
			if tg.alias {
				name = params[tg.param].alias
			}
			return setFailed(name, err.Error())
		}
	}
	c.cur.Store(&next)
	for _, fn := range c.observers {
		fn(c)
	}
	return nil
}

func setFailed(name, reason string) error {
	return fmt.Errorf("ERR CONFIG SET failed (possibly related to argument '%s') - %s", name, reason)
}

// Run-time settings. Each is one atomic load, cheap enough to call for
// every request or batch, and reflects CONFIG SET at once.

// RequirePass is the password AUTH expects; "" means none is required.
func (c *Config) RequirePass() string { return c.v().requirePass }

// MaxClients is the most clients served at once.
func (c *Config) MaxClients() int { return c.v().maxClients }

// ProtoMaxBulkLen is the largest bulk string accepted, in bytes.
func (c *Config) ProtoMaxBulkLen() int64 { return c.v().protoMaxBulkLen }

// ClientQueryBufferLimit is the most unparsed input a client may have
// buffered, in bytes.
func (c *Config) ClientQueryBufferLimit() int64 { return c.v().clientQueryBufferLimit }

// OutputBufferLimit is client-output-buffer-limit for normal clients:
// disconnect at hard bytes pending, or after more than soft bytes for
// softSeconds. A zero limit is no limit.
func (c *Config) OutputBufferLimit() (hard, soft int64, softSeconds int) {
	l := c.v().outputLimits[classNormal]
	return clampInt64(l.hard), clampInt64(l.soft), l.softSeconds
}

// Timeout is the idle time, in seconds, after which a client is closed;
// 0 means never.
func (c *Config) Timeout() int { return c.v().timeout }

// Hz is how many times a second background tasks run, 1..500.
func (c *Config) Hz() int { return c.v().hz }

// Start-up settings. CONFIG SET cannot change them, so their values are
// fixed once Load returns.

// Bind is the address of the RESP listener.
func (c *Config) Bind() string { return c.v().bind }

// Port is the TCP port of the RESP listener; 0 lets the kernel choose.
func (c *Config) Port() int { return c.v().port }

// Dir is the working directory for files shardis writes.
func (c *Config) Dir() string { return c.v().dir }

// Databases is the number of logical databases per instance.
func (c *Config) Databases() int { return c.v().databases }

// IOThreads is the number of event loops as configured; 0 means automatic
// (proxy.EventLoops).
func (c *Config) IOThreads() int { return c.v().ioThreads }

// ProcsPerLoop is procs-per-loop (cmd/shardis/procs.go).
func (c *Config) ProcsPerLoop() bool { return c.v().procsPerLoop }

// LogLevel is debug, verbose, notice or warning.
func (c *Config) LogLevel() string { return c.v().logLevel }

// LogFile is the file logs are appended to; "" means standard error.
func (c *Config) LogFile() string { return c.v().logFile }

// Instances is the number of storage instances.
func (c *Config) Instances() int { return c.v().instances }

// MaxInstances is how many instances the process can grow to at run
// time: at least Instances.
func (c *Config) MaxInstances() int { return max(c.v().maxInstances, c.v().instances) }

// Sharding is how slots are placed on instances: "slots" or "ring".
func (c *Config) Sharding() string { return c.v().sharding }

// AdminBind is the address of the HTTP admin API.
func (c *Config) AdminBind() string { return c.v().adminBind }

// AdminPort is the port of the HTTP admin API; -1 disables the API and 0
// lets the kernel choose.
func (c *Config) AdminPort() int { return c.v().adminPort }

// AdminToken is the bearer token the admin API requires; "" means none.
func (c *Config) AdminToken() string { return c.v().adminToken }

// ConfigFile is the YAML file the settings were read from, as given to
// --config; "" when there was none.
func (c *Config) ConfigFile() string { return c.v().configFile }

// Encoding thresholds: when a collection leaves its compact encoding.
// They mirror Redis's settings of the same names.

// HashMaxListpackEntries is hash-max-listpack-entries.
func (c *Config) HashMaxListpackEntries() int { return c.v().hashMaxListpackEntries }

// HashMaxListpackValue is hash-max-listpack-value, in bytes.
func (c *Config) HashMaxListpackValue() int64 { return c.v().hashMaxListpackValue }

// SetMaxIntsetEntries is set-max-intset-entries.
func (c *Config) SetMaxIntsetEntries() int { return c.v().setMaxIntsetEntries }

// ZSetMaxListpackEntries is zset-max-listpack-entries.
func (c *Config) ZSetMaxListpackEntries() int { return c.v().zsetMaxListpackEntries }

// ZSetMaxListpackValue is zset-max-listpack-value, in bytes.
func (c *Config) ZSetMaxListpackValue() int64 { return c.v().zsetMaxListpackValue }

// ListMaxListpackSize is list-max-listpack-size: elements per quicklist
// node when positive, -1..-5 for a node size of 4 KiB to 64 KiB.
func (c *Config) ListMaxListpackSize() int { return c.v().listMaxListpackSize }

// HLLSparseMaxBytes is hll-sparse-max-bytes.
func (c *Config) HLLSparseMaxBytes() int64 { return c.v().hllSparseMaxBytes }

// StreamNodeMaxBytes is stream-node-max-bytes.
func (c *Config) StreamNodeMaxBytes() int64 { return c.v().streamNodeMaxBytes }

// StreamNodeMaxEntries is stream-node-max-entries.
func (c *Config) StreamNodeMaxEntries() int { return c.v().streamNodeMaxEntries }

// Memory limit and eviction.

// MaxMemory is maxmemory in bytes, 0 for no limit.
func (c *Config) MaxMemory() int64 { return c.v().maxMemory }

// MaxMemoryPolicy is maxmemory-policy, one of Redis's eight names.
func (c *Config) MaxMemoryPolicy() string { return c.v().maxMemoryPolicy }

// MaxMemorySamples is maxmemory-samples.
func (c *Config) MaxMemorySamples() int { return c.v().maxMemorySamples }

// MaxMemoryEvictionTenacity is maxmemory-eviction-tenacity, 0..100.
func (c *Config) MaxMemoryEvictionTenacity() int { return c.v().maxMemoryEvictionTenacity }

// LFULogFactor is lfu-log-factor.
func (c *Config) LFULogFactor() int { return c.v().lfuLogFactor }

// LFUDecayTime is lfu-decay-time, in minutes.
func (c *Config) LFUDecayTime() int { return c.v().lfuDecayTime }
