package storage

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/tidwall/resp"

	"github.com/shardis/shardis/router"
)

// FuzzCommands runs scripts of data commands with arguments the fuzzer
// chooses: whatever a client sends, no command may panic, every reply
// must be exactly one well-formed RESP value, and the engine's indexes
// must stay consistent. A script is one command per line, arguments split
// on spaces (so an argument can hold any other byte); a line "~N" moves
// the clock N ms forward, so lazy expiry is explored too. Lines that the
// proxy would refuse before the engine (unknown command or subcommand,
// wrong arity) are skipped, as are commands outside the engine or this
// process (transactions, scripting, pub/sub, administration, MIGRATE). A
// blocking command that would wait replies nothing, as the engine leaves
// the wait to the proxy. String and reply sizes are capped low so that SETRANGE or
// SRANDMEMBER with huge counts stay quick.
//
//	go test -run '^$' -fuzz FuzzCommands -fuzztime 10m ./storage/
func FuzzCommands(f *testing.F) {
	for _, script := range commandFuzzSeeds {
		f.Add([]byte(script), false)
		f.Add([]byte(script), true)
	}
	f.Fuzz(func(t *testing.T, script []byte, resp3 bool) {
		h := newHarness(t, 4)
		h.limits = &Limits{
			ProtoMaxBulkLen: func() int64 { return 1 << 16 },
			MaxReplyBytes:   func() int64 { return 1 << 20 },
		}
		proto := 2
		if resp3 {
			proto = 3
		}
		lines := bytes.Split(script, []byte("\n"))
		for _, line := range lines[:min(len(lines), 64)] {
			if ms, ok := bytes.CutPrefix(line, []byte("~")); ok {
				if n, err := strconv.ParseUint(string(ms), 10, 31); err == nil {
					h.advance(int64(n))
				}
				continue
			}
			args := bytes.Split(line, []byte(" "))
			if !fuzzable(h, args) {
				continue
			}
			reply := h.exec(proto, args)
			if len(reply) == 0 && h.ctx.Block {
				continue // the proxy would park the client
			}
			if err := checkReply(reply, proto); err != "" {
				t.Fatalf("%q: %s in reply %q", args, err, reply)
			}
		}
		if !checkExpireIndex(t, h.eng) {
			t.Fatalf("expiry index inconsistent after %q", script)
		}
	})
}

// fuzzable reports whether args name a command the engine runs with an
// arity the proxy would accept, and that touches nothing outside the
// process.
func fuzzable(h *harness, args [][]byte) bool {
	cmd := router.Lookup(args[0])
	if cmd == nil {
		return false
	}
	if cmd.Subcommands != nil {
		if len(args) < 2 {
			return false
		}
		if cmd = cmd.Sub(args[1]); cmd == nil {
			return false
		}
	}
	if n := len(args); cmd.Arity > 0 && n != cmd.Arity || cmd.Arity < 0 && n < -cmd.Arity {
		return false
	}
	if cmd.Flags&(router.FlagAdmin|router.FlagPubSub) != 0 || cmd.Name == "migrate" {
		return false
	}
	for _, c := range cmd.ACLCategories {
		switch c {
		case "connection", "transaction", "scripting", "admin":
			return false
		}
	}
	handler, _ := h.eng.Handler(cmd)
	return handler != nil
}

// checkReply returns what is wrong with reply, "" when it is one
// complete RESP value and nothing more. RESP2 is read with tidwall/resp,
// the independent reference; RESP3, which it does not know, with the
// differential tests' reader, after checking every line's type byte.
func checkReply(reply []byte, proto int) string {
	if len(reply) == 0 {
		return "no reply"
	}
	if proto == 2 {
		_, n, err := resp.NewReader(bytes.NewReader(reply)).ReadValue()
		switch {
		case err != nil:
			return "unreadable RESP2 (" + err.Error() + ")"
		case n != len(reply):
			return "trailing bytes after " + strconv.Itoa(n)
		}
		return ""
	}
	r := bufio.NewReader(bytes.NewReader(reply))
	got, err := readRawReply(r, nil)
	switch {
	case err != nil:
		return "unreadable RESP3 (" + err.Error() + ")"
	case len(got) != len(reply):
		return "trailing bytes after " + strconv.Itoa(len(got))
	case !strings.ContainsRune("+-:$*_,#(=!%~|>", rune(reply[0])):
		return "unknown type byte"
	}
	return ""
}

// commandFuzzSeeds touch every family, expiry and the cross-instance
// commands, so mutation starts from valid scripts.
var commandFuzzSeeds = []string{
	"SET a 1\nINCRBY a 5\nAPPEND a xyz\nGETRANGE a 0 -1\nSETRANGE a 3 q\nLCS a a\nGETEX a PX 10\n~20\nGET a",
	"MSET {t}a 1 {t}b 2\nCOPY {t}a {t}c\nRENAME {t}b {t}d\nMGET {t}a {t}b {t}c {t}d\nSORT {t}a\nOBJECT ENCODING {t}a",
	"HSET h f 1 g 2\nHINCRBYFLOAT h f 1.5\nHRANDFIELD h -5 WITHVALUES\nHSCAN h 0 MATCH * COUNT 10\nHGETALL h",
	"RPUSH l a b c d\nLPOS l c RANK -1\nLINSERT l BEFORE b x\nLMOVE l m LEFT RIGHT\nLMPOP 2 l m RIGHT COUNT 2\nLRANGE l 0 -1",
	"SADD s 1 2 3\nSADD t 3 4 x\nSINTERCARD 2 s t LIMIT 1\nSUNIONSTORE u s t\nSMOVE s t 1\nSPOP u 2\nSRANDMEMBER t -4",
	"ZADD z 1 a 2 b inf c\nZADD z GT CH 3 a\nZRANGE z (1 +inf BYSCORE LIMIT 0 1 WITHSCORES\nZRANGESTORE y z - + BYLEX\nZUNION 2 z y WEIGHTS 1 2 AGGREGATE MAX\nZMPOP 1 z MAX COUNT 2",
	"SETBIT b 7 1\nBITCOUNT b 0 -1 BIT\nBITPOS b 1\nBITFIELD b INCRBY i5 100 1 GET u4 0\nBITOP NOT c b",
	"PFADD p a b c\nPFADD q c d\nPFMERGE r p q\nPFCOUNT p q r",
	"XADD x * f v\nXADD x MAXLEN 1 * g w\nXGROUP CREATE x g 0\nXREADGROUP GROUP g c COUNT 1 STREAMS x >\nXPENDING x g\nXAUTOCLAIM x g c 0 0\nXINFO STREAM x FULL",
	"GEOADD g 13.36 38.11 p 15.08 37.50 c\nGEOSEARCH g FROMMEMBER p BYRADIUS 200 km ASC WITHDIST\nGEOSEARCHSTORE d g FROMLONLAT 15 37 BYBOX 400 400 km\nGEOHASH g p c",
	"BLPOP nol 0\nBZPOPMIN noz 1\nXREAD BLOCK 0 STREAMS nox $\nSET k v EX 100\nDUMP k\nRESTORE k2 0 x\nPEXPIRE k 5\n~10\nEXISTS k k2\nMOVE k2 3\nSWAPDB 0 3\nDBSIZE\nSCAN 0 TYPE string",
}
