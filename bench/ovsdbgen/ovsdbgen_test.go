package ovsdbgen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/internal/ovnlab"
)

// TestValidForOVS: OVS's own tool reads the generated file to the end (every
// length, hash, row reference and diff checks out), and the same seed gives
// the same bytes.
func TestValidForOVS(t *testing.T) {
	ovnlab.Need(t, "ovsdb-tool")
	sc, err := os.ReadFile(ovnlab.SBSchema)
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	st, err := Write(&a, Options{Size: 2 << 20, Seed: 3, Schema: sc})
	if err != nil {
		t.Fatal(err)
	}
	Write(&b, Options{Size: 2 << 20, Seed: 3, Schema: sc})
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the same seed wrote different files")
	}
	f := filepath.Join(t.TempDir(), "sb.db")
	os.WriteFile(f, a.Bytes(), 0o644)
	out, err := exec.Command("ovsdb-tool", "query", f, `["OVN_Southbound",{"op":"select","table":"Port_Binding","where":[],"columns":["logical_port"]}]`).CombinedOutput()
	if err != nil {
		t.Fatalf("ovsdb-tool rejects the file: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), `"logical_port"`); n != int(st.PortBindings) {
		t.Errorf("ovsdb-tool sees %d port bindings, the generator wrote %d", n, st.PortBindings)
	}
}
