package arch

import (
	"bufio"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// layers orders the module's packages: a package may import packages of a
// lower layer, and packages of its own family (the family is the listed
// path and everything under it: nn/initializer belongs to nn), never a
// package of its own layer or a higher one. So nn, optim and data, all in
// one layer, cannot import each other. To add a package, add its path to
// the layer it belongs to, or a new layer; a path covers its
// subdirectories unless they are listed themselves.
var layers = [][]string{
	{"internal/kernel", "internal/kv", "internal/cliflag", "internal/arch"},
	{"tensor"},
	{"autograd", "safetensors"},
	{"nn", "optim", "data"},
	{"models"}, // the named models, built from nn's layers
	{"dist"},   // data parallelism: train depends on its Communicator, not the other way
	{"train"},
	{"bench"},     // the workloads, and the distributed bench that drives train's runs
	{"monitor"},   // statistics read from what train's steps produce
	{"doctor"},    // rules over the monitor's statistics
	{"dashboard"}, // serves run directories; reads, never writes them
	{"lab", "examples"},
	{"cmd"}, // the command line runs the lab's experiments too
}

// family returns the table entry that covers pkg (the longest listed
// prefix) and its layer, or ok = false if none does.
func family(pkg string) (fam string, layer int, ok bool) {
	for l, row := range layers {
		for _, p := range row {
			if (pkg == p || strings.HasPrefix(pkg, p+"/")) && len(p) > len(fam) {
				fam, layer, ok = p, l, true
			}
		}
	}
	return fam, layer, ok
}

func TestImportDirection(t *testing.T) {
	root, module := moduleRoot(t)
	imports := packageImports(t, root, module)
	var pkgs []string
	for p := range imports {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		fam, layer, ok := family(p)
		if !ok {
			t.Errorf("package %s is not in the layer table: add it to layers in internal/arch/arch_test.go, in the layer it belongs to (README.md, Package map)", p)
			continue
		}
		for _, imp := range imports[p] {
			ifam, ilayer, ok := family(imp.path)
			switch {
			case !ok:
				continue // reported as a package of its own
			case ifam == fam:
			case ilayer >= layer:
				t.Errorf("%s imports %s (%s): %s is in layer %d of internal/arch's table, %s in layer %d; imports go to lower layers only",
					p, imp.path, imp.pos, fam, layer, ifam, ilayer)
			}
		}
	}
}

// TestLayerTable checks the table itself: the README's picture, and no
// path listed twice.
func TestLayerTable(t *testing.T) {
	below := [][2]string{
		{"internal/kernel", "tensor"}, {"tensor", "autograd"}, {"autograd", "nn"}, {"autograd", "optim"},
		{"nn", "train"}, {"optim", "train"}, {"train", "lab"}, {"train", "cmd"},
	}
	for _, b := range below {
		_, lo, ok1 := family(b[0])
		_, hi, ok2 := family(b[1])
		if !ok1 || !ok2 || lo >= hi {
			t.Errorf("layer table: %s must be below %s", b[0], b[1])
		}
	}
	seen := map[string]bool{}
	for _, row := range layers {
		for _, p := range row {
			if seen[p] {
				t.Errorf("layer table lists %s twice", p)
			}
			seen[p] = true
		}
	}
}

type importRef struct {
	path string // import path inside the module, without the module prefix
	pos  string // file:line of the import
}

// packageImports parses the non-test Go files of every package in the
// module, whatever their build tags, and returns each package's imports
// of other packages of the module.
func packageImports(t *testing.T, root, module string) map[string][]importRef {
	t.Helper()
	out := map[string][]importRef{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		pkg := filepath.ToSlash(rel)
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, spec := range f.Imports {
			p, _ := strconv.Unquote(spec.Path.Value)
			if rest, ok := strings.CutPrefix(p, module+"/"); ok {
				pos := fset.Position(spec.Pos())
				file, _ := filepath.Rel(root, pos.Filename)
				out[pkg] = append(out[pkg], importRef{rest, fmt.Sprintf("%s:%d", filepath.ToSlash(file), pos.Line)})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 5 {
		t.Fatalf("found only %d packages under %s", len(out), root)
	}
	return out
}

// moduleRoot returns the module's directory (two up from this package)
// and its path from go.mod.
func moduleRoot(t *testing.T) (root, module string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if m, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
			return root, strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	t.Fatal("go.mod: no module line")
	return "", ""
}
