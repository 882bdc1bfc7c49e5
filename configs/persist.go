package configs

import (
	"errors"
	"strconv"
	"strings"
)

// Persistence settings (see storage/doc.go, "Persistence").

// saveKind is save's list of <seconds> <changes> pairs; "" disables it.
// The value is kept as its canonical text so values stays comparable.
type saveKind struct {
	field func(*values) *string
}

var errInvalidSave = errors.New("Invalid save parameters")

func (k saveKind) set(v *values, s string) error {
	f := strings.Fields(s)
	if len(f)%2 != 0 {
		return errInvalidSave
	}
	var rules [][2]int64
	for i := 0; i < len(f); i += 2 {
		secs, err1 := strconv.ParseInt(f[i], 10, 64)
		changes, err2 := strconv.ParseInt(f[i+1], 10, 64)
		if err1 != nil || err2 != nil || secs < 0 || changes < 0 {
			return errInvalidSave
		}
		rules = append(rules, [2]int64{secs, changes})
	}
	*k.field(v) = formatSave(rules)
	return nil
}

func (k saveKind) get(v *values) string { return *k.field(v) }

func parseSave(s string) [][2]int64 {
	f := strings.Fields(s)
	var rules [][2]int64
	for i := 0; i+1 < len(f); i += 2 {
		secs, _ := strconv.ParseInt(f[i], 10, 64)
		changes, _ := strconv.ParseInt(f[i+1], 10, 64)
		rules = append(rules, [2]int64{secs, changes})
	}
	return rules
}

func formatSave(rules [][2]int64) string {
	var b strings.Builder
	for i, r := range rules {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatInt(r[0], 10))
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(r[1], 10))
	}
	return b.String()
}

func (saveKind) syntax() string { return "\"<seconds> <changes> ...\" or \"\"" }

// AppendOnly reports whether every instance keeps an append-only file.
func (c *Config) AppendOnly() bool { return c.v().appendOnly }

// AppendFsync is appendfsync: always, everysec or no.
func (c *Config) AppendFsync() string { return c.v().appendFsync }

// AppendFilename is the stem of the instances' append-only files.
func (c *Config) AppendFilename() string { return c.v().appendFilename }

// AppendDirname is the directory under dir holding the append-only files.
func (c *Config) AppendDirname() string { return c.v().appendDirname }

// AutoAOFRewritePercentage is auto-aof-rewrite-percentage (0 disables).
func (c *Config) AutoAOFRewritePercentage() int { return c.v().autoAOFRewritePercentage }

// AutoAOFRewriteMinSize is auto-aof-rewrite-min-size in bytes.
func (c *Config) AutoAOFRewriteMinSize() int64 { return c.v().autoAOFRewriteMinSize }

// AOFLoadTruncated is aof-load-truncated.
func (c *Config) AOFLoadTruncated() bool { return c.v().aofLoadTruncated }

// Save is the save rules, <seconds> <changes> pairs.
func (c *Config) Save() [][2]int64 { return parseSave(c.v().save) }

// DBFilename names the snapshots (its stem).
func (c *Config) DBFilename() string { return c.v().dbFilename }

// StopWritesOnBgsaveError is stop-writes-on-bgsave-error.
func (c *Config) StopWritesOnBgsaveError() bool { return c.v().stopWritesOnBgsaveError }
