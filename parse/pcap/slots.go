package pcap

// The folder's open-addressing tables (ipTable, synTable) are emptied of
// their older half over and over on a busy segment or a flood; a fresh
// array each time was most of the parse's allocation, which the collector's
// headroom doubled into peak memory. A rebuild therefore takes the array the
// last one moved out of when it has the size wanted.

// freshSlots is a cleared array of size slots: *spare when it has that
// size (then taken), else a new one.
func freshSlots[S any](spare *[]S, size int) []S {
	if len(*spare) == size {
		s := *spare
		*spare = nil
		clear(s)
		return s
	}
	return make([]S, size)
}

// retireSlots keeps old, the array a rebuild moved out of, as the next
// rebuild's spare when the table stayed at its size.
func retireSlots[S any](spare *[]S, old []S, size int) {
	if len(old) == size {
		*spare = old
	}
}
