package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/resp"
)

func main() {
	out := flag.String("dir", ".", "directory to write the commands_*gen.go files to")
	bin := flag.String("redis-server", "redis-server", "redis-server 7.0 binary")
	flag.Parse()
	if err := run(*bin, *out); err != nil {
		fmt.Fprintln(os.Stderr, "router/gen:", err)
		os.Exit(1)
	}
}

func run(bin, out string) error {
	srv, err := startServer(bin)
	if err != nil {
		return err
	}
	defer srv.stop()
	c, err := dial(srv.addr)
	if err != nil {
		return fmt.Errorf("%w\n%s", err, srv.log.String())
	}
	defer c.conn.Close()

	version, err := serverVersion(c)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(version, "7.0.") {
		return fmt.Errorf("need redis-server 7.0.x, %s is %q", bin, version)
	}
	infos, err := c.do("COMMAND")
	if err != nil {
		return err
	}
	docsReply, err := c.do("COMMAND", "DOCS")
	if err != nil {
		return err
	}
	docs := map[string]*doc{}
	if err := decodeDocsMap(docsReply, docs); err != nil {
		return err
	}
	cmds, err := decodeCommands(infos.Array(), docs)
	if err != nil {
		return err
	}
	files, err := emit(version, cmds)
	if err != nil {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(out, "commands_*gen.go"))
	for _, f := range old {
		if err := os.Remove(f); err != nil {
			return err
		}
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(out, name), src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// server is a throwaway redis-server: no persistence, its own temp dir.
type server struct {
	cmd  *exec.Cmd
	dir  string
	addr string
	log  bytes.Buffer
}

func startServer(bin string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "shardis-gen-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	s.cmd = exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", dir)
	s.cmd.Stdout, s.cmd.Stderr = &s.log, &s.log
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	return s, nil
}

func (s *server) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	os.RemoveAll(s.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

type client struct {
	conn net.Conn
	rd   *resp.Reader
}

// dial waits for the freshly started server to accept connections.
func dial(addr string) (*client, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = conn.SetDeadline(time.Now().Add(time.Minute))
			return &client{conn: conn, rd: resp.NewReader(conn)}, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("redis-server did not come up on %s: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *client) do(args ...string) (resp.Value, error) {
	var b []byte
	b = fmt.Appendf(b, "*%d\r\n", len(args))
	for _, a := range args {
		b = fmt.Appendf(b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.conn.Write(b); err != nil {
		return resp.Value{}, err
	}
	v, _, err := c.rd.ReadValue()
	if err != nil {
		return resp.Value{}, fmt.Errorf("%s: %w", strings.Join(args, " "), err)
	}
	if v.Type() == resp.Error {
		return resp.Value{}, fmt.Errorf("%s: %s", strings.Join(args, " "), v.String())
	}
	return v, nil
}

func serverVersion(c *client) (string, error) {
	v, err := c.do("INFO", "server")
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(v.String(), "\r\n") {
		if ver, ok := strings.CutPrefix(line, "redis_version:"); ok {
			return ver, nil
		}
	}
	return "", errors.New("INFO server has no redis_version")
}

// The decoded table. These mirror router.Command and friends, which the
// generator deliberately does not import.
type command struct {
	name              string
	arity             int
	flags             []string
	first, last, step int
	acl, tips         []string
	specs             []keySpec
	doc               *doc
	subs              []*command
}

type keySpec struct {
	notes            string
	flags            []string
	bs               string
	index            int
	keyword          string
	startFrom        int
	fk               string
	lastKey, keyStep int
	limit            int
	keyNumIdx        int
	firstKey         int
}

type doc struct {
	summary, since, group, complexity string
	docFlags                          []string
	deprecatedSince, replacedBy       string
	history                           [][2]string
	args                              []*arg
}

type arg struct {
	name, typ             string
	keySpecIndex          int
	token, summary, since string
	deprecatedSince       string
	flags                 []string
	args                  []*arg
}

// decodeCommands decodes COMMAND's entries: name, arity, flags, first key,
// last key, step, ACL categories, tips, key specs, subcommands.
func decodeCommands(entries []resp.Value, docs map[string]*doc) ([]*command, error) {
	var out []*command
	for _, e := range entries {
		f := e.Array()
		if len(f) != 10 {
			return nil, fmt.Errorf("COMMAND entry %q has %d fields, want 10", e.String(), len(f))
		}
		c := &command{
			name:  f[0].String(),
			arity: f[1].Integer(),
			flags: strs(f[2]),
			first: f[3].Integer(),
			last:  f[4].Integer(),
			step:  f[5].Integer(),
			tips:  strs(f[7]),
			doc:   docs[f[0].String()],
		}
		if c.doc == nil {
			return nil, fmt.Errorf("%s: no COMMAND DOCS entry", c.name)
		}
		for _, cat := range strs(f[6]) {
			name, ok := strings.CutPrefix(cat, "@")
			if !ok {
				return nil, fmt.Errorf("%s: ACL category %q lacks '@'", c.name, cat)
			}
			c.acl = append(c.acl, name)
		}
		for _, ks := range f[8].Array() {
			spec, err := decodeKeySpec(ks)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.name, err)
			}
			c.specs = append(c.specs, spec)
		}
		subs, err := decodeCommands(f[9].Array(), docs)
		if err != nil {
			return nil, err
		}
		c.subs = subs
		out = append(out, c)
	}
	// The server lists commands in its dict's (randomly seeded) order.
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

func decodeKeySpec(v resp.Value) (keySpec, error) {
	var ks keySpec
	err := eachField(v, func(key string, val resp.Value) error {
		switch key {
		case "notes":
			ks.notes = val.String()
		case "flags":
			ks.flags = strs(val)
		case "begin_search":
			return decodeSpecStep(val, &ks.bs, map[string]*int{"index": &ks.index, "startfrom": &ks.startFrom},
				map[string]*string{"keyword": &ks.keyword})
		case "find_keys":
			return decodeSpecStep(val, &ks.fk, map[string]*int{
				"lastkey": &ks.lastKey, "keystep": &ks.keyStep, "limit": &ks.limit,
				"keynumidx": &ks.keyNumIdx, "firstkey": &ks.firstKey,
			}, nil)
		default:
			return fmt.Errorf("unknown key spec field %q", key)
		}
		return nil
	})
	return ks, err
}

// decodeSpecStep decodes a begin_search or find_keys map: its type and the
// fields of its spec.
func decodeSpecStep(v resp.Value, typ *string, ints map[string]*int, texts map[string]*string) error {
	return eachField(v, func(key string, val resp.Value) error {
		switch key {
		case "type":
			*typ = val.String()
			return nil
		case "spec":
			return eachField(val, func(key string, val resp.Value) error {
				if p, ok := ints[key]; ok && val.Type() == resp.Integer {
					*p = val.Integer()
					return nil
				}
				if p, ok := texts[key]; ok && val.Type() == resp.BulkString {
					*p = val.String()
					return nil
				}
				return fmt.Errorf("unknown key spec field %q", key)
			})
		}
		return fmt.Errorf("unknown key spec field %q", key)
	})
}

// decodeDocsMap indexes COMMAND DOCS (a flat name/docs array in RESP2) by
// command name, subcommands included.
func decodeDocsMap(v resp.Value, out map[string]*doc) error {
	return eachField(v, func(name string, val resp.Value) error {
		d := &doc{}
		err := eachField(val, func(key string, val resp.Value) error {
			switch key {
			case "summary":
				d.summary = val.String()
			case "since":
				d.since = val.String()
			case "group":
				d.group = val.String()
			case "complexity":
				d.complexity = val.String()
			case "doc_flags":
				d.docFlags = strs(val)
			case "deprecated_since":
				d.deprecatedSince = val.String()
			case "replaced_by":
				d.replacedBy = val.String()
			case "history":
				for _, h := range val.Array() {
					p := h.Array()
					if len(p) != 2 {
						return fmt.Errorf("history entry %q", h.String())
					}
					d.history = append(d.history, [2]string{p[0].String(), p[1].String()})
				}
			case "arguments":
				args, err := decodeArgs(val)
				if err != nil {
					return err
				}
				d.args = args
			case "subcommands":
				return decodeDocsMap(val, out)
			default:
				return fmt.Errorf("unknown docs field %q", key)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("COMMAND DOCS %s: %w", name, err)
		}
		out[name] = d
		return nil
	})
}

func decodeArgs(v resp.Value) ([]*arg, error) {
	var out []*arg
	for _, m := range v.Array() {
		a := &arg{keySpecIndex: -1}
		err := eachField(m, func(key string, val resp.Value) error {
			switch key {
			case "name":
				a.name = val.String()
			case "type":
				a.typ = val.String()
			case "key_spec_index":
				a.keySpecIndex = val.Integer()
			case "token":
				a.token = val.String()
			case "summary":
				a.summary = val.String()
			case "since":
				a.since = val.String()
			case "deprecated_since":
				a.deprecatedSince = val.String()
			case "flags":
				a.flags = strs(val)
			case "arguments":
				sub, err := decodeArgs(val)
				if err != nil {
					return err
				}
				a.args = sub
			default:
				return fmt.Errorf("unknown argument field %q", key)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// eachField walks a RESP2-flattened map: key, value, key, value...
func eachField(v resp.Value, fn func(key string, val resp.Value) error) error {
	if v.Type() != resp.Array {
		return fmt.Errorf("want a map, got %s %q", v.Type(), v.String())
	}
	kv := v.Array()
	if len(kv)%2 != 0 {
		return fmt.Errorf("map with an odd number (%d) of elements", len(kv))
	}
	for i := 0; i < len(kv); i += 2 {
		if err := fn(kv[i].String(), kv[i+1]); err != nil {
			return err
		}
	}
	return nil
}

func strs(v resp.Value) []string {
	var out []string
	for _, e := range v.Array() {
		out = append(out, e.String())
	}
	return out
}
