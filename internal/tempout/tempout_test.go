package tempout

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A temporary file is named after its output and this process, beside it;
// one a gone process left is removed by the next Create for that output,
// one of a living process (this one) is not.
func TestCreateNamesAndSweeps(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "evidence.pcapng")
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip(err)
	}
	stale := filepath.Join(dir, ".evidence.pcapng"+Mark+strconv.Itoa(dead.Process.Pid)+"-1")
	mine := filepath.Join(dir, ".evidence.pcapng"+Mark+strconv.Itoa(os.Getpid())+"-1")
	other := filepath.Join(dir, ".other.pcapng"+Mark+strconv.Itoa(dead.Process.Pid)+"-1")
	for _, p := range []string{stale, mine, other} {
		os.WriteFile(p, []byte("x"), 0o644)
	}
	tmp, err := Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { tmp.Close(); os.Remove(tmp.Name()); Done(tmp.Name()) }()
	if want := ".evidence.pcapng" + Mark + strconv.Itoa(os.Getpid()) + "-"; filepath.Dir(tmp.Name()) != dir || !strings.HasPrefix(filepath.Base(tmp.Name()), want) {
		t.Errorf("temporary file %s, want %s* beside the output", tmp.Name(), want)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a gone process's temporary file is still there")
	}
	for _, p := range []string{mine, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	temps.Lock()
	tracked := temps.names[tmp.Name()]
	temps.Unlock()
	if !tracked {
		t.Error("the temporary file is not tracked for the signal handler")
	}
}
