package autograd

import (
	"testing"

	"github.com/descent-ml/descent/tensor"
)

// roundTrip checks that a payload type's unpack inverts its pack. The
// values are distinct and nonzero so that two fields swapped, or one left
// out, show.
func roundTrip[P comparable](t *testing.T, name string, p P, ints func(P) [8]int, of func([8]int) P) {
	t.Helper()
	if got := of(ints(p)); got != p {
		t.Errorf("%s: %+v packed to %v unpacks to %+v", name, p, ints(p), got)
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	roundTrip(t, "axisDims", axisDims{2, 3, 5}, axisDims.ints, axisDimsOf)
	roundTrip(t, "poolArgs", poolArgs{2, 3, 5}, poolArgs.ints, poolArgsOf)
	roundTrip(t, "convArgs", convArgs{2, 3}, convArgs.ints, convArgsOf)
	roundTrip(t, "linearArgs", linearArgs{2, 3, 5}, linearArgs.ints, linearArgsOf)
	roundTrip(t, "blockArgs", blockArgs{2, 3, 5, 7}, blockArgs.ints, blockArgsOf)
	roundTrip(t, "layerNormArgs", layerNormArgs{2, 3}, layerNormArgs.ints, layerNormArgsOf)
	roundTrip(t, "transposeArgs", transposeArgs{2, 3, 5, 7, 11}, transposeArgs.ints, transposeArgsOf)
	for _, f := range [][2]bool{{false, true}, {true, false}, {true, true}} {
		roundTrip(t, "matMulArgs", matMulArgs{f[0], f[1]}, matMulArgs.ints, matMulArgsOf)
		roundTrip(t, "batchNormArgs", batchNormArgs{2, 3, 5, f[0]}, batchNormArgs.ints, batchNormArgsOf)
	}
}

// scaleOld is an op written the old way: its forward fills Node.Ints by
// position and its backward reads them, dx = Ints[0]·Ints[7]·dy.
type scaleOld[T Float] struct{}

func (scaleOld[T]) Name() string { return "ScaleOld" }
func (scaleOld[T]) Backward(g *Graph[T], n *Node[T]) {
	gx := g.GradOf(n.In[0])
	c := T(n.Ints[0] * n.Ints[7])
	for i, v := range n.Out.Grad.Data() {
		gx.Data()[i] += c * v
	}
}

func (g *Graph[T]) scaleOld(x *Var[T], a, b int) *Var[T] {
	out := g.NewResult(true, x.Shape()...)
	for i, v := range x.Value.Data() {
		out.Value.Data()[i] = T(a*b) * v
	}
	n := g.Record(scaleOld[T]{}, out, x, nil, nil)
	n.Ints[0], n.Ints[7] = a, b
	return out
}

// TestOldStylePayload keeps the contract for ops written before payload
// types: an op may still fill Node.Ints by position and read it back.
func TestOldStylePayload(t *testing.T) {
	g := New[float64]()
	x := NewParam(tensor.FromSlice([]float64{1, 2, 3}, 3), "x")
	g.Backward(g.Sum(g.scaleOld(x, 2, 5)))
	for i, v := range x.Grad.Data() {
		if v != 10 {
			t.Errorf("x.Grad[%d] = %v, want 10 (2·5 from Ints[0] and Ints[7])", i, v)
		}
	}
}
