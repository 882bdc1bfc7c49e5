package wire

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestWriter(t *testing.T) {
	tests := []struct {
		name  string
		proto int
		write func(w *Writer)
		want  string
	}{
		{"ok", 2, (*Writer).OK, "+OK\r\n"},
		{"int", 2, func(w *Writer) { w.Int(-42) }, ":-42\r\n"},
		{"bulk", 2, func(w *Writer) { w.Bulk([]byte("hi")) }, "$2\r\nhi\r\n"},
		{"null2", 2, (*Writer).Null, "$-1\r\n"},
		{"null3", 3, (*Writer).Null, "_\r\n"},
		{"nullarray2", 2, (*Writer).NullArray, "*-1\r\n"},
		{"map2", 2, func(w *Writer) { w.Map(2) }, "*4\r\n"},
		{"map3", 3, func(w *Writer) { w.Map(2) }, "%2\r\n"},
		{"set3", 3, func(w *Writer) { w.Set(1) }, "~1\r\n"},
		{"bool2", 2, func(w *Writer) { w.Bool(true) }, ":1\r\n"},
		{"bool3", 3, func(w *Writer) { w.Bool(false) }, "#f\r\n"},
		{"double2", 2, func(w *Writer) { w.Double(1.5) }, "$3\r\n1.5\r\n"},
		{"double3", 3, func(w *Writer) { w.Double(math.Inf(-1)) }, ",-inf\r\n"},
		{"verbatim3", 3, func(w *Writer) { w.Verbatim("txt", []byte("a")) }, "=5\r\ntxt:a\r\n"},
		{"verbatim2", 2, func(w *Writer) { w.Verbatim("txt", []byte("a")) }, "$1\r\na\r\n"},
		{"error", 2, func(w *Writer) { w.Error("ERR x") }, "-ERR x\r\n"},
	}
	for _, tt := range tests {
		w := &Writer{Proto: tt.proto}
		tt.write(w)
		if got := string(w.B); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestAppendG17 checks against Go's own %.17g, which follows C's rules:
// chosen values, the neighbours of every power of ten (where the exponent
// %g picks is easy to misjudge) and random doubles of every magnitude.
func TestAppendG17(t *testing.T) {
	fs := []float64{0, 1, -1, 0.1, 1.5, 3.0e3, 1e17, 1e16, 123456789012345678, 1e-5, 0.0001, 1.0 / 3, -2.5e-10, 1e300, 10.6}
	for e := -320; e <= 308; e++ {
		p := math.Pow(10, float64(e))
		fs = append(fs, p, math.Nextafter(p, 0), math.Nextafter(p, math.Inf(1)), -math.Nextafter(p, 0))
	}
	rng := rand.New(rand.NewPCG(1, 17))
	for range 100000 {
		f := math.Float64frombits(rng.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			fs = append(fs, f)
		}
		fs = append(fs, float64(rng.IntN(2000000)-1000000)/float64(1+rng.IntN(1000)))
	}
	for _, f := range fs {
		want := fmt.Sprintf("%.17g", f)
		if got := string(AppendG17(nil, f)); got != want {
			t.Errorf("AppendG17(%v) = %q, want %q", f, got, want)
		}
	}
}

func BenchmarkWriterBulk(b *testing.B) {
	w := &Writer{Proto: 2}
	v := []byte("0123456789abcdef0123456789abcdef")
	b.ReportAllocs()
	for b.Loop() {
		w.Reset()
		for i := 0; i < 100; i++ {
			w.Bulk(v)
		}
	}
}
