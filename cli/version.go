package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newVersionCommand(cio IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  noArgs("version takes none"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cio.Out, name, Version)
			return err
		},
	}
}
