// Package size reads the byte counts the benchmark generators take on their
// command lines ("500M", "1G", "4096").
package size

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse reads a positive number of bytes with an optional K, M or G suffix
// (powers of 1024).
func Parse(s string) (int64, error) {
	num, mult := s, int64(1)
	for suffix, m := range map[string]int64{"K": 1 << 10, "M": 1 << 20, "G": 1 << 30} {
		if rest, ok := strings.CutSuffix(s, suffix); ok {
			num, mult = rest, m
			break
		}
	}
	v, err := strconv.ParseInt(num, 10, 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("-size %q: want a positive number of bytes with an optional K, M or G, e.g. 500M", s)
	}
	return v * mult, nil
}
