package autograd_test

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

// dotGraph is what the tests read back from WriteDOT's output.
type dotGraph struct {
	labels map[string]string // node id -> label with DOT's \n decoded
	attrs  map[string]string // node id -> whole attribute list
	edges  []string          // "from->to"
}

var (
	dotNode = regexp.MustCompile(`^  (\w+) \[(.*)\];$`)
	dotEdge = regexp.MustCompile(`^  (\w+) -> (\w+);$`)
	dotAttr = regexp.MustCompile(`label="((?:[^"\\]|\\.)*)"`)
)

// parseDOT checks the overall form and returns the nodes and edges.
func parseDOT(t *testing.T, s string) dotGraph {
	t.Helper()
	if !strings.HasPrefix(s, "digraph descent {\n") || !strings.HasSuffix(s, "}\n") {
		t.Fatalf("not a digraph:\n%s", s)
	}
	d := dotGraph{labels: map[string]string{}, attrs: map[string]string{}}
	for _, line := range strings.Split(s, "\n") {
		if m := dotNode.FindStringSubmatch(line); m != nil && m[1] != "node" && m[1] != "edge" {
			if _, dup := d.labels[m[1]]; dup {
				t.Fatalf("node %s declared twice", m[1])
			}
			l := dotAttr.FindStringSubmatch(m[2])
			if l == nil {
				t.Fatalf("node without label: %s", line)
			}
			d.labels[m[1]] = strings.ReplaceAll(l[1], `\n`, "\n")
			d.attrs[m[1]] = m[2]
		} else if m := dotEdge.FindStringSubmatch(line); m != nil {
			d.edges = append(d.edges, m[1]+"->"+m[2])
		}
	}
	for _, e := range d.edges {
		from, to, _ := strings.Cut(e, "->")
		if d.labels[from] == "" || d.labels[to] == "" {
			t.Fatalf("edge %s joins an undeclared node", e)
		}
	}
	return d
}

// byLabel returns the id of the one node whose label starts with prefix.
func (d dotGraph) byLabel(t *testing.T, prefix string) string {
	t.Helper()
	var found []string
	for id, l := range d.labels {
		if strings.HasPrefix(l, prefix) {
			found = append(found, id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d nodes labelled %q in %v", len(found), prefix, d.labels)
	}
	return found[0]
}

// dotStep records a Linear-ReLU-CrossEntropy step with a side branch that
// does not reach the loss, keeping the tape.
func dotStep(g *autograd.Graph[float64]) (w *autograd.Var[float64]) {
	rng := tensor.NewRand(3)
	xs, ws, bs := tensor.New[float64](4, 3), tensor.New[float64](5, 3), tensor.New[float64](5)
	xs.RandN(rng, 0, 1)
	ws.RandN(rng, 0, 1)
	bs.RandN(rng, 0, 1)
	x, w, b := autograd.NewConstant(xs), autograd.NewParam(ws, "0.weight"), autograd.NewParam(bs, "0.bias")
	h := g.Linear(x, w, b)
	g.Sum(h) // a dead end: no gradient reaches it
	loss := g.CrossEntropy(g.ReLU(h), []int{0, 1, 4, 2})
	g.Retain = true
	g.Backward(loss)
	return w
}

func TestWriteDOTStructure(t *testing.T) {
	g := autograd.New[float64]()
	dotStep(g)
	var buf bytes.Buffer
	if err := g.WriteDOT(&buf, autograd.DOTOptions{Title: "step"}); err != nil {
		t.Fatal(err)
	}
	d := parseDOT(t, buf.String())
	lin, relu, ce := d.byLabel(t, "Linear\n[4 5]"), d.byLabel(t, "ReLU\n[4 5]"), d.byLabel(t, "CrossEntropy\n[]")
	x, w, b := d.byLabel(t, "input\n[4 3]"), d.byLabel(t, "0.weight\n[5 3]"), d.byLabel(t, "0.bias\n[5]")
	sum := d.byLabel(t, "Sum\n[]")
	want := []string{x + "->" + lin, w + "->" + lin, b + "->" + lin, lin + "->" + sum, lin + "->" + relu, relu + "->" + ce}
	if strings.Join(d.edges, " ") != strings.Join(want, " ") {
		t.Fatalf("edges %v, want %v", d.edges, want)
	}
	if len(d.labels) != 7 {
		t.Fatalf("%d nodes, want 7: %v", len(d.labels), d.labels)
	}
	if !strings.Contains(d.attrs[w], "fff2b3") || strings.Contains(d.attrs[x], "fff2b3") {
		t.Fatal("parameters are not drawn distinctly from inputs")
	}
	if strings.Contains(buf.String(), "‖∇‖") {
		t.Fatal("gradient norms without Grads")
	}
}

func TestWriteDOTGrads(t *testing.T) {
	g := autograd.New[float64]()
	w := dotStep(g)
	var buf bytes.Buffer
	if err := g.WriteDOT(&buf, autograd.DOTOptions{Grads: true}); err != nil {
		t.Fatal(err)
	}
	d := parseDOT(t, buf.String())
	var s float64
	for _, v := range w.Grad.Data() {
		s += v * v
	}
	wantW := fmt.Sprintf("0.weight\n[5 3]\n‖∇‖=%.3g", math.Sqrt(s))
	if d.labels[d.byLabel(t, "0.weight")] != wantW {
		t.Fatalf("weight label %q, want %q", d.labels[d.byLabel(t, "0.weight")], wantW)
	}
	// The loss's own gradient is 1 by definition.
	if l := d.labels[d.byLabel(t, "CrossEntropy")]; !strings.HasSuffix(l, "‖∇‖=1") {
		t.Fatalf("loss label %q", l)
	}
	if l := d.labels[d.byLabel(t, "Sum")]; !strings.HasSuffix(l, "no gradient") {
		t.Fatalf("dead-end label %q", l)
	}
	if l := d.labels[d.byLabel(t, "input")]; strings.Contains(l, "‖∇‖") {
		t.Fatalf("input without gradient labelled %q", l)
	}
	colors := map[string]bool{}
	for _, id := range []string{d.byLabel(t, "Linear"), d.byLabel(t, "ReLU"), d.byLabel(t, "CrossEntropy"), d.byLabel(t, "0.bias")} {
		c := regexp.MustCompile(`fillcolor="([^"]*)"`).FindStringSubmatch(d.attrs[id])
		if c == nil {
			t.Fatalf("node %s has no colour: %s", id, d.attrs[id])
		}
		colors[c[1]] = true
	}
	if len(colors) < 2 {
		t.Fatalf("different gradient norms got the same colour: %v", colors)
	}
}

func TestWriteDOTEmptyTape(t *testing.T) {
	g := autograd.New[float64]()
	x := autograd.NewParam(tensor.New[float64](2), "x")
	g.Backward(g.Sum(x)) // without Retain the tape is released
	err := g.WriteDOT(&bytes.Buffer{}, autograd.DOTOptions{})
	if err == nil || !strings.Contains(err.Error(), "Retain") {
		t.Fatalf("error %v, want one telling to set Retain", err)
	}
}

// Dump the graph of y = relu(x·w): the tape is kept through Backward by
// Retain, then drawn with each node's gradient norm.
func ExampleGraph_WriteDOT() {
	g := autograd.New[float64]()
	x := autograd.NewConstant(tensor.FromSlice([]float64{1, 2}, 1, 2))
	w := autograd.NewParam(tensor.FromSlice([]float64{3, 4}, 2, 1), "w")
	g.Retain = true
	g.Backward(g.Sum(g.ReLU(g.MatMul(x, w, false, false))))
	if err := g.WriteDOT(os.Stdout, autograd.DOTOptions{Grads: true}); err != nil {
		fmt.Println(err)
	}
	g.Reset()
	// Output:
	// digraph descent {
	//   rankdir=TB;
	//   node [fontname="Helvetica", fontsize=10];
	//   edge [color="#555555"];
	//   labelloc=t;
	//   label="gradient L2 norm: blue 1 … red 2.2 (log scale)";
	//   v0 [shape=box, style=filled, fillcolor="#e8e8e8", label="input\n[1 2]"];
	//   v0 -> n0;
	//   v1 [shape=box, penwidth=2, label="w\n[2 1]\n‖∇‖=2.24", style=filled, fillcolor="0.000 0.55 1.0"];
	//   v1 -> n0;
	//   n0 [shape=ellipse, label="MatMul\n[1 1]\n‖∇‖=1", style=filled, fillcolor="0.667 0.55 1.0"];
	//   n0 -> n1;
	//   n1 [shape=ellipse, label="ReLU\n[1 1]\n‖∇‖=1", style=filled, fillcolor="0.667 0.55 1.0"];
	//   n1 -> n2;
	//   n2 [shape=ellipse, peripheries=2, label="Sum\n[]\n‖∇‖=1", style=filled, fillcolor="0.667 0.55 1.0"];
	// }
}
