package main

import (
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"
)

// TestGarbageInputNeverCrashes throws random and mutated RESP at a real
// server over many connections; afterwards it must still answer. Each
// connection either gets replies, a protocol error and a close, or waits
// for more input: none of them may take the process down.
func TestGarbageInputNeverCrashes(t *testing.T) {
	s := startShardis(t)
	rng := rand.New(rand.NewPCG(7, 11))
	seeds := []string{
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", "PING\r\n",
		"*4\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "*3\r\n$6\r\nEXPIRE\r\n$1\r\nk\r\n$2\r\n10\r\n",
		"*2\r\n$4\r\nSCAN\r\n$1\r\n0\r\n", "*3\r\n$8\r\nSETRANGE\r\n$1\r\nk\r\n$19\r\n9223372036854775807\r\n",
		"*2\r\n$7\r\nCOMMAND\r\n$4\r\nDOCS\r\n", "*3\r\n$6\r\nCONFIG\r\n$3\r\nGET\r\n$1\r\n*\r\n",
	}
	for i := 0; i < 300; i++ {
		b := []byte(seeds[rng.IntN(len(seeds))])
		for n := rng.IntN(6); n > 0; n-- {
			switch rng.IntN(3) {
			case 0:
				b[rng.IntN(len(b))] = byte(rng.IntN(256))
			case 1:
				b = append(b, seeds[rng.IntN(len(seeds))]...)
			default:
				b = b[:rng.IntN(len(b))+1]
			}
		}
		if rng.IntN(10) == 0 {
			b = make([]byte, rng.IntN(4096))
			for j := range b {
				b[j] = byte(rng.IntN(256))
			}
		}
		c, err := net.Dial("tcp", s.respAddr())
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		c.Write(b)
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		buf := make([]byte, 1<<16)
		c.Read(buf)
		c.Close()
	}
	if got := dialRaw(t, s.respAddr()).do("PING"); got != "+PONG\r\n" {
		t.Fatalf("after garbage: PING = %q", got)
	}
	if got := dialRaw(t, s.respAddr()).do("ECHO", strings.Repeat("x", 10)); got != "$10\r\nxxxxxxxxxx\r\n" {
		t.Fatalf("after garbage: ECHO = %q", got)
	}
}

// TestHugeReplyClosesOnlyThatClient asks for a reply far past any output
// limit (Redis 7.0 dies on this one): the client is dropped, the server
// lives on.
func TestHugeReplyClosesOnlyThatClient(t *testing.T) {
	s := startShardis(t)
	r := dialRaw(t, s.respAddr())
	if got := r.do("SADD", "s", "a", "b"); got != ":2\r\n" {
		t.Fatalf("SADD = %q", got)
	}
	r.send(encode("SRANDMEMBER", "s", "-9223372036854775807"))
	if !r.closed() {
		t.Fatal("client asking for an unbounded reply was not closed")
	}
	if got := dialRaw(t, s.respAddr()).do("SCARD", "s"); got != ":2\r\n" {
		t.Fatalf("after: SCARD = %q", got)
	}
}
