package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/arpforensics/arpforensics/detect"
)

func newConfig() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Check or show detector configuration files",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE",
		Short: "Validate a configuration file; errors name file, line and column",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := detect.LoadConfig(args[0]); err != nil {
				return &exitError{code: exitUsage, err: err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: ok\n", args[0])
			return nil
		},
	}, &cobra.Command{
		Use:   "example",
		Short: "Print every configuration key with its default",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) {
			fmt.Fprint(cmd.OutOrStdout(), detect.DescribeConfig())
		},
	})
	return cmd
}
