// Package autograd records computations on tensors as they run
// (define-by-run, like PyTorch) and computes gradients by backpropagation.
//
// A Graph is a tape: every op called on it computes its value at once and, if
// any input needs a gradient, appends a node to the tape. Because nodes are
// appended in execution order, the tape is already a topological order of
// the computational graph, and Backward walks it in reverse, calling each
// op's backward rule, which accumulates into the gradients of all of the op's
// inputs: data as well as weights (the lecture's main rule). The cost is one
// backward rule per recorded op, linear in the depth of the graph.
//
// Memory is reused: a Graph owns the values of the intermediate results and
// hands the same buffers out again, by position on the tape, after each
// Backward or Reset. A training step that records the same ops every time
// therefore allocates nothing once warm. The price is a rule: an
// intermediate Var (anything an op returned) is valid until the graph is
// reset, which Backward does as its last act (releasing the graph, as PyTorch
// does) and which the next op after a Backward observes. Read what you need
// from it before recording the next step. Leaves (parameters and constants
// made with NewParam and NewConstant) belong to the caller and live on.
package autograd

import (
	"fmt"

	"github.com/descent-ml/descent/tensor"
)

// Float is the set of element types autograd works with.
type Float = tensor.Float

// Var is a node's value in the computational graph, with its gradient.
type Var[T Float] struct {
	// Value is the forward value.
	Value *tensor.Tensor[T]
	// Grad is dL/dValue after Backward. For parameters it accumulates over
	// Backward calls until ZeroGrad, as in PyTorch; for intermediates it
	// holds the latest pass's gradient alone and is valid until the graph
	// is reset.
	Grad *tensor.Tensor[T]
	// Name is a parameter's name in its model's state dict, if any.
	Name string

	requiresGrad bool
	leaf         bool
	gradLive     bool // Grad holds this backward pass's gradient (intermediates)
	gradNone     bool // ZeroGrad ran and no backward pass has accumulated into Grad since
	lastUse      int  // tape position of the earliest op reading this leaf (for GradReady)
}

// NewParam returns a leaf that requires a gradient: a trainable parameter.
// Its Grad is allocated at once, zero, so optimizers can hold on to it.
func NewParam[T Float](value *tensor.Tensor[T], name string) *Var[T] {
	return &Var[T]{Value: value, Grad: tensor.New[T](value.Shape()...), Name: name,
		requiresGrad: true, leaf: true, gradLive: true}
}

// NewConstant returns a leaf that needs no gradient: input data, targets.
// Changing the tensor's contents between steps is how a training loop feeds
// new batches without allocating.
func NewConstant[T Float](value *tensor.Tensor[T]) *Var[T] {
	return &Var[T]{Value: value, leaf: true}
}

// RequiresGrad reports whether gradients flow to v.
func (v *Var[T]) RequiresGrad() bool { return v.requiresGrad }

// SetRequiresGrad turns gradient tracking of a leaf on or off (freezing a
// parameter). It panics on an intermediate.
func (v *Var[T]) SetRequiresGrad(on bool) {
	if !v.leaf {
		panic("autograd: SetRequiresGrad on a non-leaf Var; use Detach")
	}
	v.requiresGrad = on
	if on && v.Grad == nil {
		v.Grad = tensor.New[T](v.Value.Shape()...)
		v.gradLive = true
	}
}

// IsLeaf reports whether v was made by NewParam or NewConstant.
func (v *Var[T]) IsLeaf() bool { return v.leaf }

// Shape returns the shape of v's value.
func (v *Var[T]) Shape() []int { return v.Value.Shape() }

// ZeroGrad sets v's gradient to zero and marks it as not received (see
// HasGrad) until a backward pass accumulates into it.
func (v *Var[T]) ZeroGrad() {
	if v.Grad != nil {
		v.Grad.Zero()
	}
	v.gradNone = true
}

// HasGrad reports whether v holds a gradient: it has a Grad buffer and, if
// ZeroGrad ran, a backward pass has accumulated into it since. It is
// PyTorch's `p.grad is not None` after zero_grad(set_to_none=True) (the
// default since PyTorch 2.0): a parameter the loss does not reach has no
// gradient, and optimizers leave it alone (no weight decay, no momentum).
// Writing into Grad directly after ZeroGrad does not count.
func (v *Var[T]) HasGrad() bool { return v.Grad != nil && !v.gradNone }

// Op is one differentiable operation: the backward half of an op, whose
// forward half is a Graph method. Ops are stateless values (usually empty
// structs) so recording one allocates nothing; what an op must remember for
// its backward pass lives in its Node.
type Op[T Float] interface {
	// Name is the op's name in graph dumps.
	Name() string
	// Backward accumulates into the gradients of n's inputs, given the
	// gradient of n's output (n.Out.Grad).
	Backward(g *Graph[T], n *Node[T])
}

// Node is one recorded op application on the tape.
type Node[T Float] struct {
	Op  Op[T]
	Out *Var[T]
	In  [3]*Var[T] // inputs; unused entries are nil
	// Ints, F and Saved hold what the forward pass left for the backward
	// pass: sizes and flags, a scalar argument, a tensor such as a mask or
	// argmax. They are plain fields so that recording a node allocates
	// nothing. An op with more than one integer declares a payload type
	// with named fields and packs it into Ints (see payload.go and
	// docs/design.md); Ints stays writable by position for ops written
	// before payload types.
	Ints  [8]int
	F     float64
	Saved *tensor.Tensor[T]
}

// Inputs returns the node's non-nil inputs.
func (n *Node[T]) Inputs() []*Var[T] {
	k := 0
	for k < len(n.In) && n.In[k] != nil {
		k++
	}
	return n.In[:k]
}

// Graph records ops for backpropagation and owns their intermediate buffers.
// A Graph is not safe for concurrent use; use one per goroutine.
type Graph[T Float] struct {
	nodes    []Node[T]
	vars     pool[Var[T]]           // intermediate results
	bufs     pool[tensor.Tensor[T]] // saved tensors and scratch
	detached pool[Var[T]]           // results of Detach: borrowed values
	views    pool[Var[T]]           // results of Reshape/Flatten: own header, borrowed data (see shape.go)
	noGrad   int

	// Retain keeps the tape after Backward (PyTorch's retain_graph), so that
	// the graph can be inspected, for example dumped with its gradients.
	// Call Reset when done.
	Retain bool
	// GradReady, if set, is called during Backward for each leaf that
	// requires a gradient as soon as its gradient is final for this pass:
	// after the backward rule of the earliest op on the tape that reads it.
	// It is PyTorch's post-accumulate-grad hook; data-parallel training
	// (package dist) uses it to start averaging gradients across processes
	// while backward is still running.
	GradReady func(v *Var[T])
	// released is set by Backward; the next op resets the graph first.
	released bool
}

// New returns an empty graph.
func New[T Float]() *Graph[T] { return &Graph[T]{} }

// Reset forgets the tape and recycles every intermediate buffer. Vars that
// ops returned before the reset must not be used after it.
func (g *Graph[T]) Reset() {
	clear(g.nodes) // drop references for the garbage collector's sake
	g.nodes = g.nodes[:0]
	g.vars.reset()
	g.bufs.reset()
	g.detached.reset()
	g.views.reset()
	g.released = false
}

// NoGrad runs f with recording turned off, like torch.no_grad(): ops
// compute values but record nothing, so their results need no gradient.
func (g *Graph[T]) NoGrad(f func()) {
	g.noGrad++
	defer func() { g.noGrad-- }()
	f()
}

// SetGradEnabled turns recording on or off until turned back, for code that
// cannot be wrapped in a function. It returns the previous setting.
func (g *Graph[T]) SetGradEnabled(on bool) (was bool) {
	was = g.noGrad == 0
	if on {
		g.noGrad = 0
	} else {
		g.noGrad = 1
	}
	return was
}

// Nodes returns the recorded tape, in execution order.
func (g *Graph[T]) Nodes() []Node[T] { return g.nodes }

// Backward computes the gradient of the scalar loss with respect to every
// Var it depends on that requires a gradient, accumulating into their Grad
// fields, and then releases the graph (unless Retain is set). Leaves'
// gradients accumulate over passes until ZeroGrad; an intermediate's
// gradient is this pass's alone (each pass starts it from zero), so
// backpropagating a retained graph k times adds k times the one-pass
// gradient to the leaves, as loss.backward(retain_graph=True) does.
func (g *Graph[T]) Backward(loss *Var[T]) {
	if loss.Value.Len() != 1 {
		panic(fmt.Sprintf("autograd: Backward from a non-scalar of shape %v", loss.Shape()))
	}
	if g.released {
		panic("autograd: Backward on a graph already released by an earlier Backward")
	}
	if !loss.requiresGrad {
		panic("autograd: Backward from a value that does not require a gradient")
	}
	// Each pass starts every intermediate's gradient from zero, as PyTorch
	// does: with Retain, a second Backward must not add this pass's
	// gradients to those the first left in the intermediates' buffers
	// (w=2, x=3, L=(w·x)² would give w.Grad 36+108 instead of 36+36).
	// Leaves keep accumulating until ZeroGrad.
	for i := range g.nodes {
		if out := g.nodes[i].Out; !out.leaf {
			out.gradLive = false
		}
	}
	gl := g.gradOf(loss)
	gl.Data()[0]++
	if g.GradReady != nil {
		g.markLastUse()
	}
	for i := len(g.nodes) - 1; i >= 0; i-- {
		n := &g.nodes[i]
		// An op nothing flowed into does not reach the loss: skip it.
		if n.Out.gradLive {
			n.Op.Backward(g, n)
		}
		if g.GradReady != nil {
			g.fireReady(n, i)
		}
	}
	if !g.Retain {
		g.release()
	}
}

// markLastUse records in each leaf that requires a gradient the earliest
// tape position that reads it: walking the tape backward, its gradient is
// final once that op's backward rule has run.
func (g *Graph[T]) markLastUse() {
	for i := len(g.nodes) - 1; i >= 0; i-- {
		for _, in := range g.nodes[i].Inputs() {
			if in.leaf && in.requiresGrad {
				in.lastUse = i
			}
		}
	}
}

// fireReady calls GradReady for the leaves whose earliest reader is node i.
func (g *Graph[T]) fireReady(n *Node[T], i int) {
	for _, in := range n.Inputs() {
		if in.leaf && in.requiresGrad && in.lastUse == i {
			in.lastUse = -1 // once, even if the op reads it twice
			g.GradReady(in)
		}
	}
}

// release forgets the tape but leaves intermediate values readable until
// the next op is recorded.
func (g *Graph[T]) release() {
	clear(g.nodes)
	g.nodes = g.nodes[:0]
	g.released = true
}

// begin is called by every op before it allocates: the first op after a
// Backward recycles the buffers of the previous step.
func (g *Graph[T]) begin() {
	if g.released {
		g.Reset()
	}
}

// needsGrad reports whether an op on these inputs must be recorded.
func (g *Graph[T]) needsGrad(a, b, c *Var[T]) bool {
	if g.noGrad > 0 {
		return false
	}
	return a != nil && a.requiresGrad || b != nil && b.requiresGrad || c != nil && c.requiresGrad
}

// NewResult returns the Var for an op's output with the given shape, its
// Value's contents unspecified. Ops in other packages use it with Record.
func (g *Graph[T]) NewResult(requiresGrad bool, shape ...int) *Var[T] {
	g.begin()
	v := g.vars.next()
	if v.Value == nil {
		v.Value = new(tensor.Tensor[T])
	}
	v.Value.Resize(shape...)
	v.requiresGrad = requiresGrad
	v.gradLive = false
	return v
}

// Buffer returns a scratch tensor of the given shape owned by the graph, its
// contents unspecified. Forward passes use it for what the backward pass
// needs (Node.Saved); backward passes for temporaries. Like intermediate
// Vars, it is recycled at Reset.
func (g *Graph[T]) Buffer(shape ...int) *tensor.Tensor[T] {
	b := g.bufs.next()
	b.Resize(shape...)
	return b
}

// Record appends a node for op to the tape. It returns a pointer to the node
// so the caller can fill in its payload (Ints, F, Saved); the pointer is
// valid until the next Record.
func (g *Graph[T]) Record(op Op[T], out *Var[T], a, b, c *Var[T]) *Node[T] {
	g.nodes = append(g.nodes, Node[T]{Op: op, Out: out, In: [3]*Var[T]{a, b, c}})
	return &g.nodes[len(g.nodes)-1]
}

// GradOf returns the gradient buffer of v to accumulate into during this
// backward pass, zeroed on first use, or nil if v needs no gradient.
// Backward rules call it for each input.
func (g *Graph[T]) GradOf(v *Var[T]) *tensor.Tensor[T] {
	if v == nil || !v.requiresGrad {
		return nil
	}
	return g.gradOf(v)
}

// gradToWrite returns v's gradient buffer like GradOf, and whether the
// caller is its first writer in this backward pass; then the buffer was not
// zeroed and the caller must overwrite every element (a product with beta
// = 0 instead of zeroing and accumulating: one pass over it fewer, and no
// zeros written by this core for another core's half of a parallel
// product). Leaves' gradients are never first-written: they accumulate
// across passes until ZeroGrad, as in PyTorch.
func (g *Graph[T]) gradToWrite(v *Var[T]) (grad *tensor.Tensor[T], overwrite bool) {
	if v == nil || !v.requiresGrad {
		return nil, false
	}
	if v.Grad != nil && !v.gradLive {
		v.Grad.ResizeLike(v.Value)
		v.gradLive = true
		return v.Grad, true
	}
	return g.gradOf(v), false
}

func (g *Graph[T]) gradOf(v *Var[T]) *tensor.Tensor[T] {
	v.gradNone = false
	if v.Grad == nil {
		v.Grad = tensor.New[T](v.Value.Shape()...)
		v.gradLive = true
		return v.Grad
	}
	if !v.gradLive {
		v.Grad.ResizeLike(v.Value)
		v.Grad.Zero()
		v.gradLive = true
	}
	return v.Grad
}

// Detach returns a Var that shares v's value but is cut from the graph: no
// gradient flows through it.
func (g *Graph[T]) Detach(v *Var[T]) *Var[T] {
	g.begin()
	d := g.detached.next()
	d.Value = v.Value // borrowed, never resized: detached Vars have their own pool
	return d
}

// ElementwiseOp is a user-defined element-wise op: Forward computes the
// output from the input (same shape); Backward is as for Op.
type ElementwiseOp[T Float] interface {
	Op[T]
	Forward(dst, x *tensor.Tensor[T])
}

// Apply records a user-defined element-wise op on x: the extension point
// for ops the package does not have.
func (g *Graph[T]) Apply(op ElementwiseOp[T], x *Var[T]) *Var[T] {
	req := g.needsGrad(x, nil, nil)
	out := g.NewResult(req, x.Shape()...)
	op.Forward(out.Value, x.Value)
	if req {
		g.Record(op, out, x, nil, nil)
	}
	return out
}

// pool hands out items by position and takes them all back at once: after
// a reset, the i-th request gets the item the i-th request got before it.
// A step that records the same ops as the last one therefore gets the same
// buffers, already the right size, and allocates nothing.
type pool[E any] struct {
	items []*E
	used  int
}

// next returns the next item: a recycled one, or a new zero E once the pool
// has run out.
func (p *pool[E]) next() *E {
	if p.used == len(p.items) {
		p.items = append(p.items, new(E))
	}
	e := p.items[p.used]
	p.used++
	return e
}

// reset takes every item back.
func (p *pool[E]) reset() { p.used = 0 }
