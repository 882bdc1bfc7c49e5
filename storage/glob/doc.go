// Package glob is Redis's glob-style matcher (stringmatchlen in util.c),
// shared by KEYS, SCAN MATCH, CONFIG GET and COMMAND LIST.
//
// tidwall/match is not used: it is rune-based and has no '[...]' classes.
//
// # Design
//
// Match is a direct recursive matcher over bytes, as Redis's is: '*'
// recurses on the rest of the pattern at each position, bounded by
// maxNesting so a pattern of many stars fails instead of exhausting the
// stack, and classes ('[a-z]', '[^abc]', escapes) are decoded on the fly.
// It allocates nothing and keeps no state, so any goroutine may call it;
// callers holding an instance lock (KEYS, SCAN) pay only the comparison.
package glob
