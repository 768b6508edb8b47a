package detect

import (
	"fmt"
	"sync"
)

// runFacts is what several detectors derive from one timeline, computed
// once per Run instead of once per detector, and the notes a run leaves
// about what it could not keep.
type runFacts struct {
	movesFact shared
	moves     movesResult

	usesFact    shared
	uses        []*staleUse
	usesDropped int

	// slots is Run's semaphore of running detectors (nil outside Run): a
	// detector waiting for a fact another computes gives its slot up
	// meanwhile, so the cores stay busy with the detectors that need none.
	slots chan struct{}

	mu    sync.Mutex
	notes []string
}

// shared is a fact computed by the first detector to ask for it.
type shared struct {
	mu      sync.Mutex
	started bool
	done    chan struct{}
}

// do runs compute if no detector has yet, else waits for the one that did,
// without holding a slot while it waits.
func (f *runFacts) do(s *shared, compute func()) {
	s.mu.Lock()
	if !s.started {
		s.started = true
		s.done = make(chan struct{})
		s.mu.Unlock()
		defer close(s.done)
		compute()
		return
	}
	done := s.done
	s.mu.Unlock()
	select {
	case <-done:
		return
	default:
	}
	if f.slots != nil {
		<-f.slots
		defer func() { f.slots <- struct{}{} }()
	}
	<-done
}

func (f *runFacts) note(format string, args ...any) {
	f.mu.Lock()
	f.notes = append(f.notes, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}
