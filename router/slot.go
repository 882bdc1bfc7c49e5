package router

// SlotCount is the number of hash slots, as in Redis Cluster.
const SlotCount = 16384

// crcTables are CRC16-XMODEM (polynomial 0x1021, initial value 0), the
// CRC Redis Cluster uses for key slots, for slicing by 8: crcTables[k][b]
// is the CRC of byte b followed by k zero bytes. Eight independent
// lookups per 8 bytes replace a chain of eight dependent ones; the slot
// of every command's key is computed on the request path.
var crcTables = func() (t [8][256]uint16) {
	for i := range t[0] {
		c := uint16(i) << 8
		for j := 0; j < 8; j++ {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[0][i] = c
	}
	for k := 1; k < 8; k++ {
		for i := range t[k] {
			prev := t[k-1][i]
			t[k][i] = prev<<8 ^ t[0][prev>>8]
		}
	}
	return t
}()

// CRC16 is CRC16-XMODEM of b.
func CRC16(b []byte) uint16 {
	var crc uint16
	t := &crcTables
	for len(b) >= 8 {
		crc = t[7][byte(crc>>8)^b[0]] ^ t[6][byte(crc)^b[1]] ^ t[5][b[2]] ^ t[4][b[3]] ^
			t[3][b[4]] ^ t[2][b[5]] ^ t[1][b[6]] ^ t[0][b[7]]
		b = b[8:]
	}
	for _, c := range b {
		crc = crc<<8 ^ t[0][byte(crc>>8)^c]
	}
	return crc
}

// HashTag returns the part of key that decides its slot: the bytes between
// the first '{' and the first '}' after it, or the whole key when there is
// no such pair or the braces are empty ("{}"), exactly as keyHashSlot in
// Redis's cluster.c.
func HashTag(key []byte) []byte {
	for s := 0; s < len(key); s++ {
		if key[s] != '{' {
			continue
		}
		for e := s + 1; e < len(key); e++ {
			if key[e] == '}' {
				if e == s+1 {
					return key
				}
				return key[s+1 : e]
			}
		}
		return key
	}
	return key
}

// Slot is the hash slot of key: CRC16 of its hash tag mod 16384.
func Slot(key []byte) int {
	return int(CRC16(HashTag(key)) & (SlotCount - 1))
}
