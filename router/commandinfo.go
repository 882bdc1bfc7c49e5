package router

import (
	"bufio"
	"strconv"
	"strings"

	"github.com/shardis/shardis/proxy/wire"
)

// AppendInfo writes c's COMMAND INFO entry exactly as Redis 7.0 does,
// listing only the subcommands for which include returns true.
func AppendInfo(w *wire.Writer, c *Command, include func(*Command) bool) {
	w.Array(10)
	w.BulkString(c.Name)
	w.Int(int64(c.Arity))
	names := c.Flags.Names()
	w.Set(len(names))
	for _, f := range names {
		w.Simple(f)
	}
	w.Int(int64(c.FirstKey))
	w.Int(int64(c.LastKey))
	w.Int(int64(c.Step))
	w.Set(len(c.ACLCategories))
	for _, a := range c.ACLCategories {
		w.Simple("@" + a)
	}
	w.Set(len(c.Tips))
	for _, t := range c.Tips {
		w.BulkString(t)
	}
	w.Set(len(c.KeySpecs))
	for i := range c.KeySpecs {
		appendKeySpec(w, &c.KeySpecs[i])
	}
	subs := included(c.Subcommands, include)
	w.Set(len(subs))
	for _, s := range subs {
		AppendInfo(w, s, include)
	}
}

func included(cmds []*Command, include func(*Command) bool) []*Command {
	var out []*Command
	for _, c := range cmds {
		if include == nil || include(c) {
			out = append(out, c)
		}
	}
	return out
}

func appendKeySpec(w *wire.Writer, ks *KeySpec) {
	w.Map(3)
	w.BulkString("flags")
	w.Set(len(ks.Flags))
	for _, f := range ks.Flags {
		w.Simple(f)
	}
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString(ks.BS)
	w.BulkString("spec")
	switch ks.BS {
	case "index":
		w.Map(1)
		w.BulkString("index")
		w.Int(int64(ks.Index))
	case "keyword":
		w.Map(2)
		w.BulkString("keyword")
		w.BulkString(ks.Keyword)
		w.BulkString("startfrom")
		w.Int(int64(ks.StartFrom))
	default:
		w.Map(0)
	}
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString(ks.FK)
	w.BulkString("spec")
	switch ks.FK {
	case "range":
		w.Map(3)
		w.BulkString("lastkey")
		w.Int(int64(ks.LastKey))
		w.BulkString("keystep")
		w.Int(int64(ks.KeyStep))
		w.BulkString("limit")
		w.Int(int64(ks.Limit))
	case "keynum":
		w.Map(3)
		w.BulkString("keynumidx")
		w.Int(int64(ks.KeyNumIdx))
		w.BulkString("firstkey")
		w.Int(int64(ks.FirstKey))
		w.BulkString("keystep")
		w.Int(int64(ks.KeyStep))
	default:
		w.Map(0)
	}
}

// AppendDocs writes the value half of c's COMMAND DOCS entry (the docs
// map) as Redis 7.0 does, with the subcommands include accepts.
func AppendDocs(w *wire.Writer, c *Command, include func(*Command) bool) {
	subs := included(c.Subcommands, include)
	rd := bufio.NewReader(strings.NewReader(c.docs))
	n := transcodeHeader(w, rd, len(subs) > 0)
	for i := 0; i < 2*n; i++ {
		transcode(w, rd)
	}
	if len(subs) > 0 {
		w.BulkString("subcommands")
		w.Map(len(subs))
		for _, s := range subs {
			w.BulkString(s.Name)
			AppendDocs(w, s, include)
		}
	}
}

// transcodeHeader re-emits the docs map header, one entry larger when
// subcommands follow, and returns the stored entry count.
func transcodeHeader(w *wire.Writer, rd *bufio.Reader, extra bool) int {
	line, _ := rd.ReadString('\n')
	n, _ := strconv.Atoi(strings.TrimSuffix(line[1:], "\r\n"))
	if extra {
		w.Map(n + 1)
	} else {
		w.Map(n)
	}
	return n
}

// transcode copies one stored RESP3 value to w, so maps and sets degrade
// to arrays for RESP2 clients exactly as Redis's own replies do.
func transcode(w *wire.Writer, rd *bufio.Reader) {
	line, _ := rd.ReadString('\n')
	body := strings.TrimSuffix(line[1:], "\r\n")
	switch line[0] {
	case '$':
		n, _ := strconv.Atoi(body)
		buf := make([]byte, n+2)
		_, _ = rd.Read(buf[:0])
		for got := 0; got < n+2; {
			m, err := rd.Read(buf[got:])
			if err != nil {
				return
			}
			got += m
		}
		w.Bulk(buf[:n])
	case '%':
		n, _ := strconv.Atoi(body)
		w.Map(n)
		for i := 0; i < 2*n; i++ {
			transcode(w, rd)
		}
	case '~', '*':
		n, _ := strconv.Atoi(body)
		if line[0] == '~' {
			w.Set(n)
		} else {
			w.Array(n)
		}
		for i := 0; i < n; i++ {
			transcode(w, rd)
		}
	default:
		w.Raw([]byte(line))
	}
}
