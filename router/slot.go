package router

// SlotCount is the number of hash slots, as in Redis Cluster.
const SlotCount = 16384

// crcTable is CRC16-XMODEM (polynomial 0x1021, initial value 0), the CRC
// Redis Cluster uses for key slots.
var crcTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for j := 0; j < 8; j++ {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// CRC16 is CRC16-XMODEM of b.
func CRC16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc = crc<<8 ^ crcTable[byte(crc>>8)^c]
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
