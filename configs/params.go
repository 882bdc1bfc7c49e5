package configs

import (
	"fmt"
	"strconv"
	"strings"
)

// param is one setting. The table of params is the single source for
// command-line flags, the YAML file, CONFIG GET/SET and the documentation
// (a test checks README.md and shardis.yaml list every one).
type param struct {
	name    string
	def     string
	doc     string
	mutable bool // CONFIG SET may change it while running
	set     func(c *Config, v string) error
	get     func(c *Config) string
}

// setError is CONFIG SET's failure text for one argument.
type setError struct{ name, reason string }

func (e *setError) Error() string {
	return fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - %s", e.name, e.reason)
}

func intParam(name, def, doc string, mutable bool, min, max int64, field func(c *Config) *int64) *param {
	p := &param{name: name, def: def, doc: doc, mutable: mutable}
	p.set = func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return &setError{name, "argument couldn't be parsed into an integer"}
		}
		if n < min || n > max {
			return &setError{name, fmt.Sprintf("argument must be between %d and %d inclusive", min, max)}
		}
		store(field(c), n)
		return nil
	}
	p.get = func(c *Config) string { return strconv.FormatInt(load(field(c)), 10) }
	return p
}

func memParam(name, def, doc string, mutable bool, min, max int64, field func(c *Config) *int64) *param {
	p := &param{name: name, def: def, doc: doc, mutable: mutable}
	p.set = func(c *Config, v string) error {
		n, ok := ParseMemory(v)
		if !ok {
			return &setError{name, "argument must be a memory value"}
		}
		if n < min || n > max {
			return &setError{name, fmt.Sprintf("argument must be between %d and %d inclusive", min, max)}
		}
		store(field(c), n)
		return nil
	}
	p.get = func(c *Config) string { return strconv.FormatInt(load(field(c)), 10) }
	return p
}

func stringParam(name, def, doc string, mutable bool, field func(c *Config) *string) *param {
	return &param{
		name: name, def: def, doc: doc, mutable: mutable,
		set: func(c *Config, v string) error { storeString(field(c), v); return nil },
		get: func(c *Config) string { return loadString(field(c)) },
	}
}

func enumParam(name, def, doc string, mutable bool, values []string, field func(c *Config) *string) *param {
	p := stringParam(name, def, doc, mutable, field)
	p.set = func(c *Config, v string) error {
		for _, ok := range values {
			if strings.EqualFold(v, ok) {
				storeString(field(c), ok)
				return nil
			}
		}
		return &setError{name, "argument(s) must be one of the following: " + strings.Join(values, ", ")}
	}
	return p
}

const maxInt64 = 1<<63 - 1

// params lists every setting, in the order `shardis -h` and the docs show
// them. Names are redis.conf directives where Redis has one.
var params = []*param{
	stringParam("bind", "127.0.0.1", "Interface address the RESP listener binds to.", false,
		func(c *Config) *string { return &c.bind }),
	intParam("port", "6379", "TCP port of the RESP listener (0 picks a free port).", false, 0, 65535,
		func(c *Config) *int64 { return &c.port }),
	stringParam("requirepass", "", "Password clients must send with AUTH (empty: no password).", true,
		func(c *Config) *string { return &c.requirepass }),
	stringParam("dir", ".", "Working directory for data files.", false,
		func(c *Config) *string { return &c.dir }),
	intParam("maxclients", "10000", "Maximum number of connected clients.", true, 1, 4294967295,
		func(c *Config) *int64 { return &c.maxclients }),
	intParam("databases", "16", "Number of databases (SELECT 0..N-1) in every instance.", false, 1, 1<<31-1,
		func(c *Config) *int64 { return &c.databases }),
	memParam("proto-max-bulk-len", "512mb", "Largest bulk string a request may carry.", true, 1024*1024, maxInt64,
		func(c *Config) *int64 { return &c.protoMaxBulkLen }),
	memParam("client-query-buffer-limit", "1gb", "Most request bytes one client may have buffered; beyond it the client is closed.", true, 1024*1024, maxInt64,
		func(c *Config) *int64 { return &c.queryBufferLimit }),
	outputLimitParam(),
	intParam("timeout", "0", "Close clients idle for this many seconds (0: never).", true, 0, 1<<31-1,
		func(c *Config) *int64 { return &c.timeout }),
	hzParam(),
	enumParam("loglevel", "notice", "Log verbosity: debug, verbose, notice or warning.", true,
		[]string{"debug", "verbose", "notice", "warning"}, func(c *Config) *string { return &c.loglevel }),
	stringParam("logfile", "", "Log file path (empty: standard error).", false,
		func(c *Config) *string { return &c.logfile }),
	intParam("io-threads", "0", "Event loops serving clients (0: one per CPU core).", false, 0, 256,
		func(c *Config) *int64 { return &c.ioThreads }),
	intParam("instances", "64", "Number of embedded storage instances the 16384 slots are spread over.", false, 1, 16384,
		func(c *Config) *int64 { return &c.instances }),
	enumParam("sharding", "slots", "Initial slot placement: slots (contiguous ranges) or ring (consistent hashing).", false,
		[]string{"slots", "ring"}, func(c *Config) *string { return &c.sharding }),
	stringParam("admin-bind", "127.0.0.1", "Interface address of the HTTP admin API.", false,
		func(c *Config) *string { return &c.adminBind }),
	intParam("admin-port", "6380", "TCP port of the HTTP admin API (0 picks a free port, -1 disables it).", false, -1, 65535,
		func(c *Config) *int64 { return &c.adminPort }),
	stringParam("admin-token", "", "Bearer token the admin API requires (empty: no authentication).", false,
		func(c *Config) *string { return &c.adminToken }),
}

// hzParam clamps like Redis: values above 500 are accepted and become 500.
func hzParam() *param {
	p := intParam("hz", "10", "Background task frequency (active expiry, statistics), 1..500.", true, 0, 1<<31-1,
		func(c *Config) *int64 { return &c.hz })
	inner := p.set
	p.set = func(c *Config, v string) error {
		if err := inner(c, v); err != nil {
			return err
		}
		switch n := load(&c.hz); {
		case n < 1:
			store(&c.hz, 1)
		case n > 500:
			store(&c.hz, 500)
		}
		return nil
	}
	return p
}

// outputLimitParam is client-output-buffer-limit in Redis's syntax:
// "<class> <hard> <soft> <soft-seconds>" for any of normal, replica
// (slave), pubsub. shardis enforces the normal class.
func outputLimitParam() *param {
	const name = "client-output-buffer-limit"
	return &param{
		name:    name,
		def:     "normal 1gb 256mb 60 replica 256mb 64mb 60 pubsub 32mb 8mb 60",
		doc:     "Per-class output buffer limits: <class> <hard> <soft> <soft-seconds>. Unlike Redis (unlimited by default) normal clients are capped, because the event loop has no write back-pressure.",
		mutable: true,
		set: func(c *Config, v string) error {
			f := strings.Fields(v)
			if len(f) == 0 || len(f)%4 != 0 {
				return &setError{name, "Wrong number of arguments in buffer limit configuration."}
			}
			next := c.outputLimits
			for i := 0; i < len(f); i += 4 {
				class := strings.ToLower(f[i])
				idx := map[string]int{"normal": 0, "replica": 1, "slave": 1, "pubsub": 2}
				k, ok := idx[class]
				if !ok {
					return &setError{name, "Invalid client class specified in buffer limit configuration."}
				}
				hard, ok1 := ParseMemory(f[i+1])
				soft, ok2 := ParseMemory(f[i+2])
				secs, err := strconv.ParseInt(f[i+3], 10, 64)
				if !ok1 || !ok2 || err != nil || secs < 0 {
					return &setError{name, "Error in hard, soft or soft_seconds setting in buffer limit configuration."}
				}
				next[k] = outputLimit{hard: hard, soft: soft, secs: secs}
			}
			c.setOutputLimits(next)
			return nil
		},
		get: func(c *Config) string {
			l := c.outputLimitsSnapshot()
			var b strings.Builder
			for i, class := range []string{"normal", "slave", "pubsub"} {
				if i > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprintf(&b, "%s %d %d %d", class, l[i].hard, l[i].soft, l[i].secs)
			}
			return b.String()
		},
	}
}

// ParseMemory parses a byte count with Redis's units (memtoull): b, k
// (1000), kb (1024), m, mb, g, gb, case-insensitive; no sign.
func ParseMemory(s string) (int64, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	mul := int64(1)
	for _, u := range []struct {
		suffix string
		mul    int64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1e9}, {"m", 1e6}, {"k", 1e3}, {"b", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mul = strings.TrimSuffix(s, u.suffix), u.mul
			break
		}
	}
	if s == "" || s[0] == '-' || s[0] == '+' {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > maxInt64/mul {
		return 0, false
	}
	return n * mul, true
}
