package ingest

import "testing"

// Every format in the list describes itself whole, under a name of its own:
// the name is what sources carry, the description what help shows.
func TestKindsDescribeThemselves(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Kinds() {
		if k.Name == "" || k.Describe == "" || k.Sniff == nil || k.Parse == nil {
			t.Errorf("%q: incomplete format %+v", k.Name, k)
		}
		if seen[k.Name] {
			t.Errorf("%q: two formats of one name", k.Name)
		}
		seen[k.Name] = true
		if (k.JournalPrefix || k.Snapshot) && !k.Text {
			t.Errorf("%q: journal units and snapshot sections are text, but the format is binary", k.Name)
		}
	}
}
