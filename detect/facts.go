package detect

import (
	"fmt"
	"sync"
)

// runFacts is what several detectors derive from one timeline, computed
// once per Run instead of once per detector, and the notes a run leaves
// about what it could not keep.
type runFacts struct {
	movesOnce sync.Once
	moves     movesResult

	usesOnce    sync.Once
	uses        []*staleUse
	usesDropped int

	mu    sync.Mutex
	notes []string
}

func (f *runFacts) note(format string, args ...any) {
	f.mu.Lock()
	f.notes = append(f.notes, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}
