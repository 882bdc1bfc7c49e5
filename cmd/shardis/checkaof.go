package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tidwall/resp"
)

// checkAOF is `shardis check-aof FILE [--fix]`, after redis-check-aof: it
// reads FILE (an instance's append-only file or snapshot) with
// tidwall/resp's reader, reports the offset of the first record that is
// not a complete command, and with --fix truncates the file there after
// saying how much it drops.
func checkAOF(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("check-aof", flag.ContinueOnError)
	fix := fs.Bool("fix", false, "truncate the file at the first bad record")
	var file string
	// The file may come before or after --fix.
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" {
		return errors.New("usage: shardis check-aof FILE [--fix]")
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	good, records, why := scanAOF(bufio.NewReaderSize(f, 1<<20), f)
	f.Close()
	size := st.Size()
	fmt.Fprintf(out, "AOF analyzed: filename=%s, size=%d, ok_up_to=%d, records=%d, diff=%d\n",
		file, size, good, records, size-good)
	if good == size {
		fmt.Fprintf(out, "AOF %s is valid\n", file)
		return nil
	}
	fmt.Fprintf(out, "First bad record at offset %d: %s\n", good, why)
	if !*fix {
		return fmt.Errorf("AOF %s is not valid. Use the --fix option to try fixing it", file)
	}
	fmt.Fprintf(out, "This will shrink the AOF %s from %d bytes, with %d bytes, to %d bytes\n", file, size, size-good, good)
	if err := os.Truncate(file, good); err != nil {
		return fmt.Errorf("failed to truncate AOF %s: %w", file, err)
	}
	fmt.Fprintf(out, "Successfully truncated AOF %s\n", file)
	return nil
}

// scanAOF returns the length of the longest prefix made of complete
// commands (arrays of bulk strings), how many there are and, when the
// prefix is not the whole input, why the next record is bad.
//
// at reads the first byte of each record: tidwall/resp would take a line
// not starting with '*' as an inline (telnet) command, which a file of
// ours never holds.
func scanAOF(r io.Reader, at io.ReaderAt) (good int64, records int64, why string) {
	rd := resp.NewReader(r)
	var first [1]byte
	for {
		if n, _ := at.ReadAt(first[:], good); n == 1 && first[0] != '*' {
			return good, records, fmt.Sprintf("expected '*', got %q", first[0])
		}
		v, n, err := rd.ReadValue()
		if err == io.EOF && n == 0 {
			return good, records, ""
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return good, records, "truncated record"
			}
			return good, records, err.Error()
		}
		if v.Type() != resp.Array || len(v.Array()) == 0 {
			return good, records, "not a command (an array of bulk strings)"
		}
		for _, a := range v.Array() {
			if a.Type() != resp.BulkString || a.IsNull() {
				return good, records, "not a command (an array of bulk strings)"
			}
		}
		good += int64(n)
		records++
	}
}
