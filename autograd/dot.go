package autograd

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// DOTOptions configure WriteDOT.
type DOTOptions struct {
	// Title is the graph's caption.
	Title string
	// Grads labels every op and parameter with the L2 norm of its gradient
	// and colours it on a log scale from blue (smallest norm in the graph)
	// to red (largest): vanishing and exploding gradients become visible.
	// It needs a graph on which Backward ran with Retain set.
	Grads bool
}

// WriteDOT writes the recorded tape as a Graphviz DOT digraph: one ellipse
// per op labelled with the op's name and output shape, parameters as
// yellow boxes labelled with their state-dict names, inputs and constants
// as grey boxes, and an edge for every flow of data. Render it with
// `dot -Tsvg`.
//
// Backward releases the tape, so set g.Retain before it to dump a training
// step, and call g.Reset afterwards.
func (g *Graph[T]) WriteDOT(w io.Writer, opts DOTOptions) error {
	if len(g.nodes) == 0 {
		return errors.New("autograd: WriteDOT: the tape is empty; record ops first, and set Graph.Retain before Backward to keep them")
	}
	d := dotWriter[T]{w: bufio.NewWriter(w), ids: make(map[*Var[T]]string)}
	if opts.Grads {
		d.lo, d.hi = d.normRange(g.nodes)
	}
	d.grads = opts.Grads
	d.printf("digraph descent {\n")
	d.printf("  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=10];\n  edge [color=\"#555555\"];\n")
	if caption := d.caption(opts); caption != "" {
		d.printf("  labelloc=t;\n  label=%s;\n", quote(caption))
	}
	for i := range g.nodes {
		n := &g.nodes[i]
		if id, ok := d.ids[n.Out]; ok {
			// Concat and Stack record one node per input, all writing one
			// output: draw them as one ellipse with an edge from each input.
			for _, in := range n.Inputs() {
				d.printf("  %s -> %s;\n", d.source(in), id)
			}
			continue
		}
		for _, in := range n.Inputs() {
			d.printf("  %s -> n%d;\n", d.source(in), i)
		}
		attrs := "shape=ellipse"
		if i == len(g.nodes)-1 {
			attrs += ", peripheries=2" // the last op: the loss, in a training step
		}
		d.printf("  n%d [%s%s];\n", i, attrs, d.style(n.Op.Name(), n.Out))
		d.ids[n.Out] = fmt.Sprintf("n%d", i)
	}
	d.printf("}\n")
	if d.err != nil {
		return d.err
	}
	return d.w.Flush()
}

// dotWriter carries the state of one WriteDOT call.
type dotWriter[T Float] struct {
	w      *bufio.Writer
	err    error
	ids    map[*Var[T]]string // Var -> DOT node id, for outputs and leaves
	leaves int
	grads  bool
	lo, hi float64 // log10 of the smallest and largest positive gradient norm
}

func (d *dotWriter[T]) printf(format string, args ...any) {
	if d.err == nil {
		_, d.err = fmt.Fprintf(d.w, format, args...)
	}
}

// source returns the node id of v, declaring v first if it is a leaf (or a
// detached value) seen for the first time.
func (d *dotWriter[T]) source(v *Var[T]) string {
	if id, ok := d.ids[v]; ok {
		return id
	}
	id := fmt.Sprintf("v%d", d.leaves)
	d.leaves++
	d.ids[v] = id
	var name, attrs string
	switch {
	case v.leaf && v.requiresGrad:
		name = v.Name
		if name == "" {
			name = "parameter"
		}
		attrs = "shape=box, penwidth=2, style=filled, fillcolor=\"#fff2b3\""
	case v.leaf:
		name = "input"
		attrs = "shape=box, style=filled, fillcolor=\"#e8e8e8\""
	default:
		name = "detached"
		attrs = "shape=box, style=\"filled,dashed\", fillcolor=\"#e8e8e8\""
	}
	if v.requiresGrad && d.grads {
		attrs = "shape=box, penwidth=2" // style() fills it with the gradient colour
	}
	d.printf("  %s [%s%s];\n", id, attrs, d.style(name, v))
	return id
}

// style returns the label (and, with grads, the colour) attributes of a
// node named name whose value is v.
func (d *dotWriter[T]) style(name string, v *Var[T]) string {
	label := name + "\n" + fmt.Sprint(v.Shape())
	if !d.grads || !v.requiresGrad {
		return ", label=" + quote(label)
	}
	norm, ok := gradNorm(v)
	if !ok {
		return ", label=" + quote(label+"\nno gradient") + ", fillcolor=\"#ffffff\", style=dashed"
	}
	label += fmt.Sprintf("\n‖∇‖=%.3g", norm)
	color := "#d0d0d0" // a zero gradient has no place on a log scale
	if norm > 0 {
		t := 0.5
		if d.hi > d.lo {
			t = (math.Log10(norm) - d.lo) / (d.hi - d.lo)
		}
		// Hue 0.667 is blue, 0 is red; pale enough to read black text on.
		color = fmt.Sprintf("%.3f 0.55 1.0", 0.667*(1-t))
	}
	return ", label=" + quote(label) + ", style=filled, fillcolor=" + quote(color)
}

// caption returns the graph's title, with the colour scale when grads are
// drawn.
func (d *dotWriter[T]) caption(opts DOTOptions) string {
	c := opts.Title
	if opts.Grads && !math.IsInf(d.lo, 0) {
		scale := fmt.Sprintf("gradient L2 norm: blue %.2g … red %.2g (log scale)", math.Pow(10, d.lo), math.Pow(10, d.hi))
		if c != "" {
			c += "\n"
		}
		c += scale
	}
	return c
}

// normRange returns log10 of the smallest and largest positive gradient
// norm over the ops' outputs and their inputs, or +Inf, -Inf if none.
func (d *dotWriter[T]) normRange(nodes []Node[T]) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	see := func(v *Var[T]) {
		if norm, ok := gradNorm(v); ok && norm > 0 {
			l := math.Log10(norm)
			lo, hi = math.Min(lo, l), math.Max(hi, l)
		}
	}
	for i := range nodes {
		see(nodes[i].Out)
		for _, in := range nodes[i].Inputs() {
			see(in)
		}
	}
	return lo, hi
}

// gradNorm returns the L2 norm of v's gradient, if this backward pass gave
// it one.
func gradNorm[T Float](v *Var[T]) (float64, bool) {
	if !v.requiresGrad || v.Grad == nil || !v.gradLive {
		return 0, false
	}
	var s float64
	for _, x := range v.Grad.Data() {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s), true
}

// quote makes s a DOT string literal; "\n" inside it is DOT's line break.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
