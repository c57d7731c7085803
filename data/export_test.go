package data

import "io/fs"

// EmbeddedMNIST returns the bytes of one embedded MNIST file, for the test
// that checks them against mnist/SHA256SUMS.
func EmbeddedMNIST(name string) ([]byte, error) { return fs.ReadFile(mnistFiles, "mnist/"+name) }

// DecodeMNIST decodes the embedded files afresh, bypassing LoadMNIST's
// cache, for the benchmark of start-up time.
func DecodeMNIST() (train, test *Images, err error) {
	s, err := loadSplits(openEmbedded)
	return s[0], s[1], err
}
