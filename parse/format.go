package parse

// Format describes one artifact format: how ingest recognises it, which
// parser reads it, and what a user is told about it. Each parser package
// exports one Format per format it reads (parse/pcap three: pcap, pcapng
// and tcpdump's text); ingest tries them in the order of its list, so
// adding a format is its package plus one line there.
type Format struct {
	// Name is the kind its sources carry (timeline.Source.Kind, the JSON
	// report's "kind", the sources table): part of the contract.
	Name string
	// Describe is one line saying what the format is, for help texts.
	Describe string
	// Sniff sees the first bytes of the (decompressed) file. Binary
	// formats check magic numbers; text formats look at the first lines.
	Sniff func(head []byte) bool
	Parse Func
	// Text marks line-oriented text formats; they are only tried on heads
	// that look like text.
	Text bool
	// JournalPrefix marks text formats whose parser reads journal-prefixed
	// lines itself ("2022-02-10T16:09:19.398123+00:00 host ident[pid]: msg"):
	// a journal unit of this format is rendered to it in that form, where
	// other formats get the bare messages under date lines.
	JournalPrefix bool
	// Snapshot marks formats that time their listings by the `date` lines
	// before them: a worlddump section or a sosreport command output of
	// this format is read with the dump's time put first as such a line.
	Snapshot bool
}
