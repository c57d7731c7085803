package autograd_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/tensor"
)

func leaf64(data []float64, shape ...int) *V {
	return autograd.NewParam(tensor.FromSlice(data, shape...), "")
}

func closeRel(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

// TestLossValues checks each loss's forward value against a hand
// computation, and its gradients against the formulas in its doc comment.
func TestLossValues(t *testing.T) {
	g := autograd.New[float64]()

	// MSE: d = [1, -2, 0.5, 0] gives (1 + 4 + 0.25 + 0)/4 = 1.3125.
	p, y := leaf64([]float64{2, -1, 0.5, 3}, 2, 2), leaf64([]float64{1, 1, 0, 3}, 2, 2)
	loss := g.MSE(p, y)
	if v := loss.Value.Item(); v != 1.3125 {
		t.Errorf("MSE = %v, want 1.3125", v)
	}
	g.Backward(loss)
	for i, d := range []float64{1, -2, 0.5, 0} { // 2d/n = d/2
		if p.Grad.Data()[i] != d/2 || y.Grad.Data()[i] != -d/2 {
			t.Errorf("MSE grads at %d: %v, %v; want %v, %v", i, p.Grad.Data()[i], y.Grad.Data()[i], d/2, -d/2)
		}
	}

	// NLL: -(lp[0,2] + lp[1,0])/2.
	lp := leaf64([]float64{-1, -2, -0.5, -3, -0.25, -4}, 2, 3)
	loss = g.NLL(lp, []int{2, 0})
	if v := loss.Value.Item(); v != (0.5+3)/2 {
		t.Errorf("NLL = %v, want 1.75", v)
	}
	g.Backward(loss)
	want := []float64{0, 0, -0.5, -0.5, 0, 0}
	for i, w := range want {
		if lp.Grad.Data()[i] != w {
			t.Errorf("NLL grad = %v, want %v", lp.Grad.Data(), want)
			break
		}
	}

	// BCEWithLogits against the textbook -t·log σ(x) - (1-t)·log(1-σ(x)),
	// which is accurate at these moderate logits.
	xs, ts := []float64{-2, 0, 1.5, 4}, []float64{0, 1, 0.3, 1}
	x, tt := leaf64(xs, 4), leaf64(ts, 4)
	loss = g.BCEWithLogits(x, tt)
	var ref float64
	for i, v := range xs {
		s := 1 / (1 + math.Exp(-v))
		ref += -ts[i]*math.Log(s) - (1-ts[i])*math.Log(1-s)
	}
	ref /= 4
	if v := loss.Value.Item(); !closeRel(v, ref, 1e-15) {
		t.Errorf("BCEWithLogits = %v, want %v", v, ref)
	}
	g.Backward(loss)
	for i, v := range xs {
		s := 1 / (1 + math.Exp(-v))
		if !closeRel(x.Grad.Data()[i], (s-ts[i])/4, 1e-15) || !closeRel(tt.Grad.Data()[i], -v/4, 1e-15) {
			t.Errorf("BCEWithLogits grads at %d: %v, %v; want %v, %v", i, x.Grad.Data()[i], tt.Grad.Data()[i], (s-ts[i])/4, -v/4)
		}
	}
}

// TestExtremeLogitsStayFinite feeds logits of ±1000, where a naive
// exp-then-normalize overflows, through every softmax-based op and loss,
// in both element types.
func TestExtremeLogitsStayFinite(t *testing.T) {
	t.Run("float32", func(t *testing.T) { extremeLogits[float32](t) })
	t.Run("float64", func(t *testing.T) { extremeLogits[float64](t) })
}

func extremeLogits[T tensor.Float](t *testing.T) {
	data := []T{1000, -1000, 0, -1000, 1000, 999}
	targets := []int{1, 2}
	g := autograd.New[T]()
	check := func(name string, f func(x *autograd.Var[T]) *autograd.Var[T]) {
		x := autograd.NewParam(tensor.FromSlice(append([]T(nil), data...), 2, 3), "logits")
		out := f(x)
		for _, v := range out.Value.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Errorf("%s: non-finite value %v", name, out.Value.Data())
				break
			}
		}
		g.Backward(g.Sum(out))
		for _, v := range x.Grad.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				t.Errorf("%s: non-finite gradient %v", name, x.Grad.Data())
				break
			}
		}
	}
	check("Softmax", func(x *autograd.Var[T]) *autograd.Var[T] { return g.Softmax(x, 1) })
	check("LogSoftmax", func(x *autograd.Var[T]) *autograd.Var[T] { return g.LogSoftmax(x, 1) })
	check("CrossEntropy", func(x *autograd.Var[T]) *autograd.Var[T] { return g.CrossEntropy(x, targets) })
	check("NLL(LogSoftmax)", func(x *autograd.Var[T]) *autograd.Var[T] { return g.NLL(g.LogSoftmax(x, 1), targets) })
	check("BCEWithLogits", func(x *autograd.Var[T]) *autograd.Var[T] {
		return g.BCEWithLogits(x, autograd.NewConstant(tensor.FromSlice([]T{1, 0, 1, 0, 1, 0}, 2, 3)))
	})
	check("Sigmoid", func(x *autograd.Var[T]) *autograd.Var[T] { return g.Sigmoid(x) })
	check("Tanh", func(x *autograd.Var[T]) *autograd.Var[T] { return g.Tanh(x) })

	// The loss values themselves: in row 0 the target's logit is 2000 below
	// the maximum (loss 2000, the other terms of the sum underflow); in row 1
	// it is 1 below (loss 1 + log(1+e⁻¹)).
	x := autograd.NewConstant(tensor.FromSlice(data, 2, 3))
	ce := float64(g.CrossEntropy(x, targets).Value.Item())
	nll := float64(g.NLL(g.LogSoftmax(x, 1), targets).Value.Item())
	want := (2001 + math.Log1p(math.Exp(-1))) / 2
	if !closeRel(ce, want, 1e-6) || !closeRel(nll, want, 1e-6) {
		t.Errorf("CrossEntropy = %v, NLL(LogSoftmax) = %v, want %v", ce, nll, want)
	}
}

// TestCrossEntropyIsLogSoftmaxNLL: the fused op and its two-op composition
// must agree in value and gradient.
func TestCrossEntropyIsLogSoftmaxNLL(t *testing.T) {
	xs := tensor.New[float64](5, 7)
	xs.RandN(tensor.NewRand(4), 0, 3)
	targets := []int{0, 6, 3, 3, 1}
	a, b := autograd.NewParam(xs.Clone(), ""), autograd.NewParam(xs.Clone(), "")
	g := autograd.New[float64]()
	la := g.CrossEntropy(a, targets)
	lb := g.NLL(g.LogSoftmax(b, -1), targets)
	if !closeRel(la.Value.Item(), lb.Value.Item(), 1e-14) {
		t.Errorf("CrossEntropy %v != NLL(LogSoftmax) %v", la.Value.Item(), lb.Value.Item())
	}
	g.Backward(g.Add(la, lb))
	for i := range a.Grad.Data() {
		if !closeRel(a.Grad.Data()[i], b.Grad.Data()[i], 1e-14) {
			t.Fatalf("gradients differ at %d: %v vs %v", i, a.Grad.Data()[i], b.Grad.Data()[i])
		}
	}
}

func TestDropout(t *testing.T) {
	const n, p = 100000, 0.3
	xs := tensor.New[float32](n)
	xs.Fill(2)
	x := autograd.NewParam(xs, "x")
	g := autograd.New[float32]()

	if y := g.Dropout(x, 0, tensor.NewRand(1)); y != x {
		t.Error("Dropout with p = 0 is not the identity")
	}

	y := g.Dropout(x, p, tensor.NewRand(1))
	kept := 0
	for _, v := range y.Value.Data() {
		switch v {
		case 0:
		case float32(2 / (1 - p)):
			kept++
		default:
			t.Fatalf("dropout output %v is neither 0 nor 2/(1-p)", v)
		}
	}
	// kept ~ Binomial(n, 0.7): standard deviation √(n·0.21) ≈ 145.
	if frac := float64(kept) / n; math.Abs(frac-(1-p)) > 0.005 {
		t.Errorf("kept fraction %v, want 0.7 ± 0.005", frac)
	}
	g.Backward(g.Sum(y))
	for i, v := range y.Value.Data() {
		if want := v / 2; x.Grad.Data()[i] != want { // dx = mask = y/x
			t.Fatalf("grad %d = %v, want %v", i, x.Grad.Data()[i], want)
		}
	}

	// Same seed, same mask, whether or not a gradient is recorded, and in
	// float64 too.
	var y2 *autograd.Var[float32]
	g.NoGrad(func() { y2 = g.Dropout(x, p, tensor.NewRand(1)) })
	y64 := autograd.New[float64]().Dropout(autograd.NewConstant(tensor.Convert[float64](xs)), p, tensor.NewRand(1))
	for i, v := range y.Value.Data() {
		if y2.Value.Data()[i] != v || (y64.Value.Data()[i] == 0) != (v == 0) {
			t.Fatalf("masks differ at %d: %v, %v, %v", i, v, y2.Value.Data()[i], y64.Value.Data()[i])
		}
	}

	x.ZeroGrad()
	y = g.Dropout(x, 1, tensor.NewRand(1))
	g.Backward(g.Sum(y))
	for i := range n {
		if y.Value.Data()[i] != 0 || x.Grad.Data()[i] != 0 {
			t.Fatalf("p = 1: output %v, grad %v at %d; want zeros", y.Value.Data()[i], x.Grad.Data()[i], i)
		}
	}
}

// TestReshapeIsAView checks that Reshape and Flatten share their input's
// data, and that a view's borrowed storage is never written by a later
// step that records different ops in the same positions.
func TestReshapeIsAView(t *testing.T) {
	w := autograd.NewParam(tensor.FromSlice([]float64{1, 2, 3, 4, 5, 6}, 2, 3), "w")
	g := autograd.New[float64]()
	r := g.Reshape(w, 3, 2)
	f := g.Flatten(r, 0)
	if &r.Value.Data()[0] != &w.Value.Data()[0] || &f.Value.Data()[0] != &w.Value.Data()[0] {
		t.Fatal("Reshape/Flatten copied the data")
	}
	if fmt.Sprint(r.Shape(), f.Shape()) != "[3 2] [6]" {
		t.Fatalf("shapes %v %v, want [3 2] [6]", r.Shape(), f.Shape())
	}
	g.Backward(g.Sum(g.Mul(f, f)))
	for i, v := range w.Grad.Data() {
		if v != 2*float64(i+1) {
			t.Fatalf("grad %v, want 2w", w.Grad.Data())
		}
	}
	// Next step: other ops, in the positions the views had.
	c := autograd.NewConstant(tensor.FromSlice([]float64{9, 9, 9, 9, 9, 9}, 2, 3))
	g.Exp(g.Exp(g.Neg(c)))
	g.Reset()
	for i, v := range w.Value.Data() {
		if v != float64(i+1) {
			t.Fatalf("parameter overwritten through a recycled view: %v", w.Value.Data())
		}
	}
}

func TestMaxAxisTieGoesToFirst(t *testing.T) {
	x := leaf64([]float64{1, 3, 3, 2, 5, 5}, 2, 3)
	g := autograd.New[float64]()
	g.Backward(g.Sum(g.MaxAxis(x, 1, false)))
	want := "[0 1 0 0 1 0]"
	if got := fmt.Sprint(x.Grad.Data()); got != want {
		t.Errorf("grad %v, want %v", got, want)
	}
}

func ExampleGraph_LogSoftmax() {
	g := autograd.New[float64]()
	logits := autograd.NewParam(tensor.FromSlice([]float64{1000, 1000, -1000}, 1, 3), "logits")
	logp := g.LogSoftmax(logits, -1) // no overflow at ±1000
	loss := g.NLL(logp, []int{0})
	fmt.Printf("log p = %.4f, loss = %.4f\n", logp.Value.Data(), loss.Value.Item())
	g.Backward(loss)
	fmt.Printf("dL/dlogits = %.2f\n", logits.Grad.Data()) // softmax - onehot
	// Output:
	// log p = [-0.6931 -0.6931 -2000.6931], loss = 0.6931
	// dL/dlogits = [-0.50 0.50 0.00]
}

func ExampleGraph_Dropout() {
	g := autograd.New[float32]()
	x := autograd.NewConstant(tensor.FromSlice([]float32{1, 1, 1, 1, 1, 1, 1, 1}, 8))
	y := g.Dropout(x, 0.5, tensor.NewRand(42)) // survivors scaled by 1/(1-p) = 2
	fmt.Println(y.Value.Data())                // the same seed gives the same mask
	// Output: [2 2 0 2 0 2 2 2]
}

func ExampleGraph_BCEWithLogits() {
	g := autograd.New[float64]()
	logits := autograd.NewParam(tensor.FromSlice([]float64{0, 800, -800}, 3), "logits")
	targets := autograd.NewConstant(tensor.FromSlice([]float64{1, 1, 1}, 3))
	loss := g.BCEWithLogits(logits, targets) // (log 2 + 0 + 800)/3, no overflow
	g.Backward(loss)
	fmt.Printf("loss = %.6f, grad = %.4f\n", loss.Value.Item(), logits.Grad.Data())
	// Output: loss = 266.897716, grad = [-0.1667 0.0000 -0.3333]
}

// TestTranspose checks Transpose's values against the definition, element
// (i, j, k, l) of x at the swapped position of the result, for every pair
// of axes of a 4-D tensor, negative axes and either order included.
func TestTranspose(t *testing.T) {
	shape := []int{2, 3, 4, 5}
	data := make([]float64, 2*3*4*5)
	for i := range data {
		data[i] = float64(i)
	}
	for a := range 4 {
		for b := range 4 {
			if a == b {
				continue
			}
			g := autograd.New[float64]()
			y := g.Transpose(leaf64(data, shape...), a-4, b) // a as a negative axis
			ys := y.Shape()
			want := append([]int(nil), shape...)
			want[a], want[b] = want[b], want[a]
			if fmt.Sprint(ys) != fmt.Sprint(want) {
				t.Fatalf("Transpose(%d, %d): shape %v, want %v", a, b, ys, want)
			}
			for i := range data {
				idx := []int{i / 60, i / 20 % 3, i / 5 % 4, i % 5}
				idx[a], idx[b] = idx[b], idx[a]
				at := ((idx[0]*ys[1]+idx[1])*ys[2]+idx[2])*ys[3] + idx[3]
				if got := y.Value.Data()[at]; got != data[i] {
					t.Fatalf("Transpose(%d, %d): element %v = %v, want %v", a, b, idx, got, data[i])
				}
			}
		}
	}
}
