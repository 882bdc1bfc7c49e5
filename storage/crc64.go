package storage

import "math/bits"

// crc64 is Redis's CRC-64 (the "Jones" polynomial 0xad93d23594c935a9,
// reflected input and output, initial value 0, no final xor), the checksum
// that ends every DUMP payload and RDB file. Redis computes it with a
// sliced table; one byte-wise table gives the same value.
func crc64(crc uint64, p []byte) uint64 {
	for _, b := range p {
		crc = crc64Table[byte(crc)^b] ^ crc>>8
	}
	return crc
}

// crc64Poly is the Jones polynomial, bit-reversed for the reflected form.
var crc64Poly = bits.Reverse64(0xad93d23594c935a9)

var crc64Table = func() (t [256]uint64) {
	for i := range t {
		c := uint64(i)
		for k := 0; k < 8; k++ {
			if c&1 != 0 {
				c = c>>1 ^ crc64Poly
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()
