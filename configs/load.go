package configs

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load returns the settings shardis runs with, given its command-line
// arguments without the program name: the defaults, overridden by the
// YAML file named by --config, overridden by every other flag given.
// Flags are the setting names (--port 6379). -h prints every setting
// with its documentation and returns an error wrapping flag.ErrHelp.
func Load(args []string) (*Config, error) {
	return load(args, os.Stderr)
}

type flagValue struct {
	param int
	value string
}

func load(args []string, stderr io.Writer) (*Config, error) {
	fs := flag.NewFlagSet("shardis", flag.ContinueOnError)
	// Errors are returned, not printed: a typo should not scroll a
	// screen of usage past the one line that explains it.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var given []flagValue
	for i := range params {
		p := &params[i]
		parse := func(s string) error {
			// Parse into scratch now so a bad value is reported
			// against its flag; it is applied only after the file.
			var scratch values
			if err := p.kind.set(&scratch, s); err != nil {
				return err
			}
			given = append(given, flagValue{i, s})
			return nil
		}
		fs.Func(p.name, p.doc, parse)
		if p.alias != "" {
			fs.Func(p.alias, "alias of "+p.name, parse)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeUsage(stderr)
		}
		return nil, fmt.Errorf("configs: %w", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("configs: unexpected argument %q: settings are given as --name value", fs.Arg(0))
	}

	// Command-line-only settings go first, as they say which file to
	// read; the other flags go last, to override it. Setting cannot
	// fail: each value parsed when its flag was read.
	v := defaults()
	for _, g := range given {
		if params[g.param].cmdline {
			_ = params[g.param].kind.set(&v, g.value)
		}
	}
	if v.configFile != "" {
		if err := loadFile(&v, v.configFile); err != nil {
			return nil, err
		}
	}
	for _, g := range given {
		if !params[g.param].cmdline {
			_ = params[g.param].kind.set(&v, g.value)
		}
	}
	if err := v.check(); err != nil {
		return nil, err
	}
	return newConfig(&v), nil
}

// check validates what a single value's syntax cannot, once everything is
// known, so that a mistake stops shardis at start-up instead of later.
func (v *values) check() error {
	fi, err := os.Stat(v.dir)
	if err != nil {
		return fmt.Errorf("configs: dir: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("configs: dir: %s is not a directory", v.dir)
	}
	return nil
}

// loadFile applies the YAML file at path to v. The file is a mapping of
// setting names to scalar values in redis.conf syntax. It is as strict as
// yaml's KnownFields: an unknown or repeated key is an error naming it,
// the file and the line, so a typo cannot silently leave a default in
// place.
func loadFile(v *values, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("configs: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil // empty, or only comments
	case err != nil:
		return fmt.Errorf("configs: %s: %w", path, err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return fmt.Errorf("configs: %s: expected one YAML document, found more", path)
	}
	root := deref(&doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = deref(root.Content[0])
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("configs: %s:%d: expected a mapping of setting names to values", path, root.Line)
	}
	seen := make(map[int]int, len(root.Content)/2) // param → line
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := deref(root.Content[i]), deref(root.Content[i+1])
		name := key.Value
		p := lookup(name)
		switch {
		case key.Kind != yaml.ScalarNode || p < 0 || params[p].name != name && params[p].alias != name:
			return fmt.Errorf("configs: %s:%d: unknown key %q", path, key.Line, name)
		case params[p].cmdline:
			return fmt.Errorf("configs: %s:%d: %s can only be given on the command line", path, key.Line, name)
		case seen[p] != 0:
			return fmt.Errorf("configs: %s:%d: %s is already set on line %d", path, key.Line, name, seen[p])
		case val.Kind != yaml.ScalarNode:
			return fmt.Errorf("configs: %s:%d: %s: expected a single value", path, val.Line, name)
		}
		seen[p] = key.Line
		s := val.Value
		if val.Tag == "!!null" { // "requirepass:" and "requirepass: ~" mean ""
			s = ""
		}
		if err := params[p].kind.set(v, s); err != nil {
			return fmt.Errorf("configs: %s:%d: %s: %w", path, val.Line, name, err)
		}
	}
	return nil
}

// deref follows YAML aliases (*anchor) to the node they name.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// writeUsage prints -h: every setting with its syntax, default and
// documentation, in table order.
func writeUsage(w io.Writer) {
	var b strings.Builder
	b.WriteString(`Usage: shardis [--config FILE] [--name value ...]

Every setting is a flag, a key of the YAML file given with --config, and
a CONFIG GET parameter; those marked "CONFIG SET" can also be changed
while shardis runs. Flags override the file. Names follow redis.conf, and
memory values take its units (k=1000, kb=1024, m, mb, g, gb).

`)
	for _, p := range params {
		def := fmt.Sprintf("default %q", p.def)
		if p.mutable {
			def += "; CONFIG SET"
		}
		if p.alias != "" {
			def += "; alias --" + p.alias
		}
		fmt.Fprintf(&b, "  --%s <%s>\n        %s\n", p.name, p.kind.syntax(), def)
		for _, line := range wrap(p.doc, 70) {
			fmt.Fprintf(&b, "        %s\n", line)
		}
	}
	io.WriteString(w, b.String())
}

// wrap breaks text into lines of at most width bytes at spaces; a word
// longer than width gets a line of its own.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
