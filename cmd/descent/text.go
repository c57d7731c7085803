package main

import (
	"flag"
	"io"
)

// addTextFlags defines train's flags of the byte-level language model.
func addTextFlags(fs *flag.FlagSet) (text *string, bptt *int) {
	text = fs.String("text", "", "train a byte-level language model (--model lstm, rnn or gru) on this file instead of MNIST")
	bptt = fs.Int("bptt", 64, "with --text: steps of truncated backpropagation through time")
	return text, bptt
}

func runTextTrain(w io.Writer, c trainConfig, given map[string]bool, path string, bptt int, out string, quiet bool) error {
	return usagef("--text: not implemented yet")
}
