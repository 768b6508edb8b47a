// Command arpforensics turns the artifacts of a failed cloud-network test
// (captures, neighbour dumps, neutron-server logs) into findings with
// evidence. This package only wires flags to the analysis packages.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	_ "time/tzdata" // --tz must work on machines without a zoneinfo database

	"github.com/spf13/cobra"

	"github.com/arpforensics/arpforensics/internal/safetext"
)

// Exit codes (contract): 0 analysed and nothing at or above --fail-on, 1 at
// least one such finding, 2 usage error or nothing readable, 3 (only with
// --strict) no such finding but some input could not be read or had errors.
const (
	exitOK       = 0
	exitFindings = 1
	exitUsage    = 2
	exitInputs   = 3
)

// exitError carries an exit code out of a command.
type exitError struct {
	code int
	err  error // printed when non-nil
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// softMemoryLimit makes the garbage collector work harder as the heap nears
// it. Memory is bounded by design (bounded tables, a spilling store); this
// only keeps the collector from letting a large live set double before it
// runs. GOMEMLIMIT overrides it.
const softMemoryLimit = 200 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and returns its exit code.
func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "arpforensics:", safetext.Lines(ee.err.Error()))
		}
		return ee.code
	}
	// cobra's own errors: unknown flags, wrong argument counts.
	fmt.Fprintln(stderr, "arpforensics:", safetext.Lines(err.Error()))
	return exitUsage
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "arpforensics",
		Short: "Explain failed cloud-network tests from their captures, neighbour dumps and logs",
		Long: `arpforensics reads what a failed OpenStack/OVN test left behind — tcpdump
captures (pcap, pcapng, tcpdump text), ip neigh dumps, neutron-server logs —
merges them into one UTC timeline and names what went wrong, citing the frames
and lines that prove it.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate("arpforensics {{.Version}}\n")
	root.AddCommand(newAnalyze(), newTUI(), newExport(), newSources(), newConfig(), newVersion())
	return root
}
