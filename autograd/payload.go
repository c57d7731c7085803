package autograd

// An op's payload is what its forward pass leaves on the node for its
// backward pass. A scalar goes in Node.F and a tensor in Node.Saved; sizes
// and flags go in a payload type: a small struct with named fields, one per
// op (or per family of ops sharing a backward rule), declared next to the op
// with two functions that pack it into Node.Ints and unpack it:
//
//	type poolArgs struct{ kernel, stride, padding int }
//
//	func (a poolArgs) ints() [8]int    { return [8]int{a.kernel, a.stride, a.padding} }
//	func poolArgsOf(s [8]int) poolArgs { return poolArgs{s[0], s[1], s[2]} }
//
// The forward pass writes n.Ints = poolArgs{kernel, stride, padding}.ints()
// and the backward pass reads a := poolArgsOf(n.Ints), then a.kernel: the
// positions live in those two lines only, and flags stay bools everywhere
// else. The node keeps a fixed [8]int rather than an interface so that
// recording an op allocates nothing. Every payload type has a row in
// TestPayloadRoundTrip.

// axisDims is the payload of ops that work along one axis of x (Softmax,
// LogSoftmax, SumAxis, MeanAxis, MaxAxis): x viewed as [outer, size, inner]
// with size the axis (see tensor.AxisSplit).
type axisDims struct{ outer, size, inner int }

func (a axisDims) ints() [8]int    { return [8]int{a.outer, a.size, a.inner} }
func axisDimsOf(s [8]int) axisDims { return axisDims{s[0], s[1], s[2]} }

// boolInt and intBool store a flag in one of Node.Ints' slots.
func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func intBool(i int) bool { return i != 0 }
