package configs

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"go.yaml.in/yaml/v3"

	"github.com/shardis/shardis/storage/glob"
)

// Config holds every setting. Values CONFIG SET may change at run time are
// read on the request path without locks: integers through sync/atomic,
// the output limits through an atomic pointer; strings (rarely read) sit
// behind a RWMutex.
type Config struct {
	port, maxclients, databases, protoMaxBulkLen, queryBufferLimit int64
	timeout, hz, ioThreads, instances, adminPort                   int64

	bind, requirepass, dir, loglevel, logfile, sharding string
	adminBind, adminToken, configFile                   string

	limits       atomic.Pointer[[3]outputLimit]
	outputLimits [3]outputLimit // scratch for Set; see setOutputLimits

	setMu sync.Mutex // serializes CONFIG SET
}

type outputLimit struct{ hard, soft, secs int64 }

func load(p *int64) int64     { return atomic.LoadInt64(p) }
func store(p *int64, v int64) { atomic.StoreInt64(p, v) }

// The string fields share one lock; callers pass the field's address.
var stringLock sync.RWMutex

func loadString(p *string) string {
	stringLock.RLock()
	defer stringLock.RUnlock()
	return *p
}

func storeString(p *string, v string) {
	stringLock.Lock()
	*p = v
	stringLock.Unlock()
}

func (c *Config) setOutputLimits(l [3]outputLimit) {
	c.outputLimits = l
	c.limits.Store(&l)
}

func (c *Config) outputLimitsSnapshot() [3]outputLimit {
	if l := c.limits.Load(); l != nil {
		return *l
	}
	return [3]outputLimit{}
}

// Default returns the built-in defaults.
func Default() *Config {
	c := &Config{}
	for _, p := range params {
		if err := p.set(c, p.def); err != nil {
			panic(fmt.Sprintf("configs: default of %s: %v", p.name, err))
		}
	}
	return c
}

func lookup(name string) *param {
	for _, p := range params {
		if p.name == name {
			return p
		}
	}
	return nil
}

// Load builds the configuration from command-line arguments (without the
// program name): defaults, then the YAML file named by --config, then the
// flags given explicitly, so flags override the file.
func Load(args []string) (*Config, error) {
	c := Default()
	fs := flag.NewFlagSet("shardis", flag.ContinueOnError)
	type kv struct{ name, value string }
	var given []kv
	for _, p := range params {
		name := p.name
		fs.Func(name, fmt.Sprintf("%s (default %q)", p.doc, p.def), func(v string) error {
			given = append(given, kv{name, v})
			return nil
		})
	}
	configFile := fs.String("config", "", "YAML file of settings, keys named like the flags")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: shardis [--config FILE] [--<setting> value ...]\n\nSettings (named like redis.conf directives; see configs/README.md):\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("configs: unexpected argument %q", fs.Arg(0))
	}
	if *configFile != "" {
		if err := c.loadFile(*configFile); err != nil {
			return nil, err
		}
		c.configFile = *configFile
	}
	for _, g := range given {
		if err := lookup(g.name).set(c, g.value); err != nil {
			return nil, fmt.Errorf("configs: --%s: %s", g.name, reasonOf(err))
		}
	}
	return c, nil
}

func reasonOf(err error) string {
	var se *setError
	if errors.As(err, &se) {
		return se.reason
	}
	return err.Error()
}

// loadFile applies a YAML file whose keys are setting names.
func (c *Config) loadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("configs: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("configs: %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("configs: %s: top level must be a mapping of setting: value", path)
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		p := lookup(k.Value)
		if p == nil {
			return fmt.Errorf("configs: %s:%d: unknown setting %q", path, k.Line, k.Value)
		}
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("configs: %s:%d: %s must be a scalar", path, v.Line, k.Value)
		}
		if err := p.set(c, v.Value); err != nil {
			return fmt.Errorf("configs: %s:%d: %s: %s", path, v.Line, k.Value, reasonOf(err))
		}
	}
	return nil
}

// Get implements CONFIG GET: every setting matching any of the glob
// patterns, once, as name/value pairs.
func (c *Config) Get(patterns ...string) [][2]string {
	var out [][2]string
	seen := map[string]bool{}
	for _, pat := range patterns {
		for _, p := range params {
			if !seen[p.name] && glob.MatchString(pat, p.name, true) {
				seen[p.name] = true
				out = append(out, [2]string{p.name, p.get(c)})
			}
		}
	}
	return out
}

// Set implements CONFIG SET: name/value pairs applied all or nothing. The
// error text is Redis's reply without the leading '-'.
func (c *Config) Set(pairs ...string) error {
	c.setMu.Lock()
	defer c.setMu.Unlock()
	if len(pairs) == 0 || len(pairs)%2 != 0 {
		return errors.New("ERR wrong number of arguments for 'config|set' command")
	}
	seen := map[string]bool{}
	for i := 0; i < len(pairs); i += 2 {
		name := strings.ToLower(pairs[i])
		p := lookup(name)
		if p == nil {
			return fmt.Errorf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", pairs[i])
		}
		if !p.mutable {
			return &setError{name, "can't set immutable config"}
		}
		if seen[name] {
			return &setError{name, "duplicate parameter"}
		}
		seen[name] = true
	}
	// Validate on a scratch copy first so a bad value changes nothing.
	scratch := Default()
	for i := 0; i < len(pairs); i += 2 {
		if err := lookup(strings.ToLower(pairs[i])).set(scratch, pairs[i+1]); err != nil {
			return err
		}
	}
	for i := 0; i < len(pairs); i += 2 {
		_ = lookup(strings.ToLower(pairs[i])).set(c, pairs[i+1])
	}
	return nil
}

// Names lists every setting name in table order.
func Names() []string {
	out := make([]string, 0, len(params))
	for _, p := range params {
		out = append(out, p.name)
	}
	return out
}

// Describe returns a setting's default, doc and mutability.
func Describe(name string) (def, doc string, mutable bool, ok bool) {
	p := lookup(name)
	if p == nil {
		return "", "", false, false
	}
	return p.def, p.doc, p.mutable, true
}

// Accessors. Mutable values are read atomically on every call.

func (c *Config) Bind() string           { return loadString(&c.bind) }
func (c *Config) Port() int              { return int(load(&c.port)) }
func (c *Config) RequirePass() string    { return loadString(&c.requirepass) }
func (c *Config) Dir() string            { return loadString(&c.dir) }
func (c *Config) MaxClients() int        { return int(load(&c.maxclients)) }
func (c *Config) Databases() int         { return int(load(&c.databases)) }
func (c *Config) ProtoMaxBulkLen() int64 { return load(&c.protoMaxBulkLen) }
func (c *Config) ClientQueryBufferLimit() int64 {
	return load(&c.queryBufferLimit)
}
func (c *Config) Timeout() int     { return int(load(&c.timeout)) }
func (c *Config) Hz() int          { return int(load(&c.hz)) }
func (c *Config) LogLevel() string { return loadString(&c.loglevel) }
func (c *Config) LogFile() string  { return loadString(&c.logfile) }
func (c *Config) IOThreads() int   { return int(load(&c.ioThreads)) }
func (c *Config) Instances() int   { return int(load(&c.instances)) }
func (c *Config) Sharding() string { return loadString(&c.sharding) }
func (c *Config) AdminBind() string {
	return loadString(&c.adminBind)
}
func (c *Config) AdminPort() int     { return int(load(&c.adminPort)) }
func (c *Config) AdminToken() string { return loadString(&c.adminToken) }

// ConfigFile is the YAML file the settings were read from, if any.
func (c *Config) ConfigFile() string { return c.configFile }

// OutputBufferLimit is the normal-class client-output-buffer-limit.
func (c *Config) OutputBufferLimit() (hard, soft int64, softSeconds int) {
	l := c.limits.Load()
	return l[0].hard, l[0].soft, int(l[0].secs)
}
