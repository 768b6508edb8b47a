//go:build race

package drive

import "time"

// The race detector slows the app several times over, and CI runs it on
// shared cores: waits get that much longer before they count as hung.
func init() { Timeout = 60 * time.Second }
