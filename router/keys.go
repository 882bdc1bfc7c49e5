package router

import "bytes"

// KeyPositions appends to dst the positions in args of the keys the
// command names, as Redis 7.0's getKeysUsingKeySpecs finds them. args[0]
// is the command name (for a subcommand, args[0] is the container and
// args[1] the subcommand). It allocates nothing when dst has room.
func (c *Command) KeyPositions(args [][]byte, dst []int) []int {
	argc := len(args)
	for i := range c.KeySpecs {
		ks := &c.KeySpecs[i]
		var first int
		switch ks.BS {
		case "index":
			first = ks.Index
		case "keyword":
			first = keywordPosition(ks, args)
			if first < 0 {
				continue
			}
		default:
			continue
		}
		var last, step int
		switch ks.FK {
		case "range":
			step = ks.KeyStep
			switch {
			case ks.LastKey >= 0:
				last = first + ks.LastKey
			case ks.Limit <= 1:
				// -1 is the last argument, -2 the one before, ...
				last = ks.LastKey + argc
			default:
				// lastkey -1 with a limit: keys take 1/limit of what is left.
				last = first + ((argc-first)/ks.Limit + ks.LastKey)
			}
		case "keynum":
			idx := first + ks.KeyNumIdx
			if idx >= argc {
				continue
			}
			n, ok := parseKeyNum(args[idx])
			if !ok || n < 0 {
				continue
			}
			step = ks.KeyStep
			first = idx + ks.FirstKey - ks.KeyNumIdx
			last = first + (n-1)*step
		default:
			continue
		}
		if step <= 0 {
			continue
		}
		for p := first; p <= last; p += step {
			if p >= argc || p < 1 {
				// Redis treats keys past the end as a syntax problem of the
				// command, found by its own parser; there are none to route.
				break
			}
			dst = append(dst, p)
		}
	}
	return dst
}

// keywordPosition searches for the begin_search keyword, from startfrom
// forwards, or from the end backwards when startfrom is negative, and
// returns the position after it (-1 when absent).
func keywordPosition(ks *KeySpec, args [][]byte) int {
	argc := len(args)
	start, end, inc := ks.StartFrom, argc-1, 1
	if ks.StartFrom < 0 {
		start, end, inc = argc+ks.StartFrom, 0, -1
	}
	for i := start; i >= 1 && i < argc; i += inc {
		if bytes.EqualFold(args[i], []byte(ks.Keyword)) {
			return i + 1
		}
		if i == end {
			break
		}
	}
	return -1
}

func parseKeyNum(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
