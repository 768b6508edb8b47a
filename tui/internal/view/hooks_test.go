package view

// SetSyncFilterEvents makes timelines longer than n filter in the background
// for one test; it returns the undo.
func SetSyncFilterEvents(n int) (restore func()) {
	old := syncFilterEvents
	syncFilterEvents = n
	return func() { syncFilterEvents = old }
}
