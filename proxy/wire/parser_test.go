package wire

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/tidwall/resp"
)

func strs(args [][]byte) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = string(a)
	}
	return out
}

func TestParseCommands(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // nil: incomplete
		n    int
		err  string
	}{
		{"multibulk", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", []string{"GET", "k"}, 20, ""},
		{"empty bulk", "*2\r\n$3\r\nGET\r\n$0\r\n\r\n", []string{"GET", ""}, 19, ""},
		{"binary bulk", "*1\r\n$4\r\na\r\nb\r\n", []string{"a\r\nb"}, 14, ""},
		{"trailer unchecked like redis", "*1\r\n$4\r\nPINGXY", []string{"PING"}, 14, ""},
		{"zero count skipped", "*0\r\n", []string{}, 4, ""},
		{"negative count skipped", "*-1\r\n", []string{}, 5, ""},
		{"partial header", "*2\r", nil, 0, ""},
		{"partial bulk", "*1\r\n$5\r\nhel", nil, 0, ""},
		{"inline", "PING\r\n", []string{"PING"}, 6, ""},
		{"inline lf only", "set a b\n", []string{"set", "a", "b"}, 8, ""},
		{"inline blank", "\r\n", []string{}, 2, ""},
		{"inline spaces", "   \r\n", []string{}, 5, ""},
		{"inline dquote", `set k "a b\x41\n"` + "\r\n", []string{"set", "k", "a bA\n"}, 19, ""},
		{"inline squote", `set k 'it\'s'` + "\r\n", []string{"set", "k", "it's"}, 15, ""},
		{"inline mid-word quote", `a"b c"d` + "\r\n", nil, 0, "ERR Protocol error: unbalanced quotes in request"},
		{"inline quote joins", `a"b c"` + "\r\n", []string{"ab c"}, 8, ""},
		{"inline unbalanced", "set a \"b\n", nil, 0, "ERR Protocol error: unbalanced quotes in request"},
		{"inline partial", "PIN", nil, 0, ""},
		{"bad count", "*a\r\n", nil, 0, "ERR Protocol error: invalid multibulk length"},
		{"count leading zero", "*01\r\n", nil, 0, "ERR Protocol error: invalid multibulk length"},
		{"count too big", "*3000000000\r\n", nil, 0, "ERR Protocol error: invalid multibulk length"},
		{"expected dollar", "*1\r\n+PING\r\n", nil, 0, "ERR Protocol error: expected '$', got '+'"},
		{"negative bulk", "*2\r\n$3\r\nGET\r\n$-1\r\n", nil, 0, "ERR Protocol error: invalid bulk length"},
		{"bulk leading zero", "*1\r\n$04\r\nPING\r\n", nil, 0, "ERR Protocol error: invalid bulk length"},
		{"bulk too big", "*1\r\n$600000000\r\n", nil, 0, "ERR Protocol error: invalid bulk length"},
		{"mbulk count too long", "*" + strings.Repeat("1", InlineMax+1), nil, 0, "ERR Protocol error: too big mbulk count string"},
		{"inline too long", strings.Repeat("a", InlineMax+1), nil, 0, "ERR Protocol error: too big inline request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewParser()
			args, n, err := p.Parse([]byte(tt.in))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				if !IsProtocolError(err) {
					t.Fatalf("IsProtocolError(%v) = false", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected err %v", err)
			}
			if n != tt.n {
				t.Fatalf("n = %d, want %d", n, tt.n)
			}
			if tt.want == nil {
				if args != nil {
					t.Fatalf("args = %q, want incomplete", strs(args))
				}
				return
			}
			if got := strs(args); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("args = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseNeedForLargeBulk(t *testing.T) {
	p := NewParser()
	in := []byte("*2\r\n$3\r\nSET\r\n$100000\r\nabc")
	args, n, err := p.Parse(in)
	if args != nil || n != 0 || err != nil {
		t.Fatalf("Parse = %v, %d, %v; want incomplete", args, n, err)
	}
	if got, want := p.Need(), 13+9+100000+2; got != want {
		t.Fatalf("Need = %d, want %d", got, want)
	}
}

func TestParseUnauthenticatedLimits(t *testing.T) {
	p := NewParser()
	p.Unauthenticated = true
	if _, _, err := p.Parse([]byte("*11\r\n")); err == nil || err.Error() != "ERR Protocol error: unauthenticated multibulk length" {
		t.Fatalf("err = %v", err)
	}
	if _, _, err := p.Parse([]byte("*1\r\n$16385\r\n")); err == nil || err.Error() != "ERR Protocol error: unauthenticated bulk length" {
		t.Fatalf("err = %v", err)
	}
}

// TestParseByteAtATime feeds a pipeline one byte at a time: every command
// must come out once, whole, and in order.
func TestParseByteAtATime(t *testing.T) {
	in := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n"
	want := [][]string{{"SET", "k", "hello"}, {"PING"}, {"QUIT"}}
	p := NewParser()
	var got [][]string
	buf := []byte{}
	for i := 0; i < len(in); i++ {
		buf = append(buf, in[i])
		for {
			args, n, err := p.Parse(buf)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			got = append(got, strs(args))
			buf = buf[n:]
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"-1", -1, true}, {"9223372036854775807", 1<<63 - 1, true},
		{"-9223372036854775808", -1 << 63, true}, {"9223372036854775808", 0, false},
		{"+1", 0, false}, {"01", 0, false}, {"-0", 0, false}, {"", 0, false}, {"-", 0, false},
		{" 1", 0, false}, {"1a", 0, false}, {"99999999999999999999", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseInt([]byte(tt.in))
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseInt(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// referenceParse decodes one multibulk command with tidwall/resp, the
// independent codec our parser is checked against.
func referenceParse(b []byte) ([]string, bool) {
	rd := resp.NewReader(bufio.NewReader(bytes.NewReader(b)))
	v, _, _, err := rd.ReadMultiBulk()
	if err != nil || v.Type() != resp.Array {
		return nil, false
	}
	var out []string
	for _, e := range v.Array() {
		out = append(out, e.String())
	}
	return out, true
}

func FuzzParse(f *testing.F) {
	seeds := []string{
		"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
		"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n",
		"PING\r\n",
		"set a \"b\\x41\" 'c'\r\n",
		"*1\r\n$4\r\nPINGXY",
		"*0\r\n*-1\r\n",
		"*1\r\n+PING\r\n",
		"*a\r\n",
		"\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		p := NewParser()
		buf := in
		for len(buf) > 0 {
			args, n, err := p.Parse(buf)
			if err != nil || n == 0 {
				return
			}
			if n > len(buf) {
				t.Fatalf("consumed %d of %d bytes", n, len(buf))
			}
			// Well-formed multibulk commands must decode the same with the
			// reference codec (which, unlike Redis, checks the CRLF after
			// each payload, so only compare where it accepts the bytes).
			if buf[0] == '*' && len(args) > 0 {
				if ref, ok := referenceParse(buf[:n]); ok && fmt.Sprint(ref) != fmt.Sprint(strs(args)) {
					t.Fatalf("parse %q: got %q, reference %q", buf[:n], strs(args), ref)
				}
			}
			buf = buf[n:]
		}
	})
}

func pipeline(n int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "*3\r\n$3\r\nSET\r\n$10\r\nkey:%06d\r\n$32\r\n%032d\r\n", i, i)
	}
	return b.Bytes()
}

func BenchmarkParse(b *testing.B) {
	in := pipeline(100)
	p := NewParser()
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		buf := in
		for len(buf) > 0 {
			_, n, err := p.Parse(buf)
			if err != nil || n == 0 {
				b.Fatal("parse failed")
			}
			buf = buf[n:]
		}
	}
}

// BenchmarkParseTidwallResp is the same pipeline through tidwall/resp, the
// measurement behind the hand-written parser (see doc.go).
func BenchmarkParseTidwallResp(b *testing.B) {
	in := pipeline(100)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		rd := resp.NewReader(bytes.NewReader(in))
		for i := 0; i < 100; i++ {
			if _, _, _, err := rd.ReadMultiBulk(); err != nil {
				b.Fatal(err)
			}
		}
	}
}
