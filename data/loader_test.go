package data_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/descent-ml/descent/data"
	"github.com/descent-ml/descent/tensor"
)

// toySet returns n 2x3 images whose pixels all equal the image's index and
// whose label is the index mod classes, so a batch shows which examples it
// holds.
func toySet(t testing.TB, n, classes int) *data.Images {
	pix := make([]float32, n*6)
	labels := make([]int, n)
	for i := range n {
		for k := range 6 {
			pix[i*6+k] = float32(i)
		}
		labels[i] = i % classes
	}
	ds, err := data.NewImages(pix, labels, 2, 3, classes)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// order returns the indices of every batch of one epoch, flattened, after
// checking that each batch's inputs and labels match its indices.
func order[T tensor.Float](t *testing.T, l *data.Loader[T], ds data.Dataset, epoch int) (idx []int, sizes []int) {
	t.Helper()
	for i, b := range l.Epoch(epoch) {
		if i != len(sizes) {
			t.Fatalf("batch %d yielded as %d", len(sizes), i)
		}
		sizes = append(sizes, len(b.Index))
		if b.X.Dim(0) != len(b.Index) || len(b.Labels) != len(b.Index) {
			t.Fatalf("batch %d: X %v, %d labels, %d indices", i, b.X.Shape(), len(b.Labels), len(b.Index))
		}
		f := b.X.Len() / len(b.Index)
		for k, j := range b.Index {
			if b.X.Data()[k*f] != T(j) || b.X.Data()[(k+1)*f-1] != T(j) || b.Labels[k] != j%ds.Classes() {
				t.Fatalf("batch %d row %d: pixel %v label %d, want example %d", i, k, b.X.Data()[k*f], b.Labels[k], j)
			}
		}
		idx = append(idx, b.Index...)
	}
	return idx, sizes
}

func TestLoaderBatches(t *testing.T) {
	ds := toySet(t, 10, 3)
	cases := []struct {
		name  string
		opt   data.LoaderOptions
		sizes []int
		shape []int // of the first batch
		perm  bool  // each epoch is a permutation of all examples
	}{
		{"batch 4", data.LoaderOptions{BatchSize: 4}, []int{4, 4, 2}, []int{4, 1, 2, 3}, true},
		{"batch 4 flat", data.LoaderOptions{BatchSize: 4, Flat: true}, []int{4, 4, 2}, []int{4, 6}, true},
		{"drop last", data.LoaderOptions{BatchSize: 4, DropLast: true}, []int{4, 4}, []int{4, 1, 2, 3}, false},
		{"drop last exact", data.LoaderOptions{BatchSize: 5, DropLast: true}, []int{5, 5}, []int{5, 1, 2, 3}, true},
		{"sgd", data.LoaderOptions{BatchSize: 1}, slices.Repeat([]int{1}, 10), []int{1, 1, 2, 3}, true},
		{"full batch", data.LoaderOptions{}, []int{10}, []int{10, 1, 2, 3}, true},
		{"batch above size", data.LoaderOptions{BatchSize: 50, Flat: true}, []int{10}, []int{10, 6}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, err := data.NewLoader[float32](ds, c.opt, tensor.NewRand(1))
			if err != nil {
				t.Fatal(err)
			}
			if l.Len() != len(c.sizes) {
				t.Fatalf("Len %d, want %d", l.Len(), len(c.sizes))
			}
			for epoch := range 3 {
				idx, sizes := order(t, l, ds, epoch)
				if !slices.Equal(sizes, c.sizes) {
					t.Fatalf("epoch %d: batch sizes %v, want %v", epoch, sizes, c.sizes)
				}
				if c.perm {
					sorted := slices.Sorted(slices.Values(idx))
					if !slices.Equal(sorted, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
						t.Fatalf("epoch %d visits %v, not every example once", epoch, idx)
					}
				}
			}
			if b := l.Batch(0, 0); !slices.Equal(b.X.Shape(), c.shape) {
				t.Errorf("first batch shape %v, want %v", b.X.Shape(), c.shape)
			}
		})
	}
}

// TestLoaderDeterminism: the order depends on the seed and the epoch only.
func TestLoaderDeterminism(t *testing.T) {
	ds := toySet(t, 100, 10)
	opt := data.LoaderOptions{BatchSize: 8}
	newLoader := func(seed uint64) *data.Loader[float32] {
		l, err := data.NewLoader[float32](ds, opt, tensor.NewRand(seed))
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	a, b, c := newLoader(7), newLoader(7), newLoader(8)
	a0, _ := order(t, a, ds, 0)
	a1, _ := order(t, a, ds, 1)
	b1, _ := order(t, b, ds, 1) // b starts at epoch 1: order must not depend on history
	b0, _ := order(t, b, ds, 0)
	c0, _ := order(t, c, ds, 0)
	if !slices.Equal(a0, b0) || !slices.Equal(a1, b1) {
		t.Error("same seed, different order")
	}
	if slices.Equal(a0, a1) {
		t.Error("epochs 0 and 1 have the same order")
	}
	if slices.Equal(a0, c0) {
		t.Error("seeds 7 and 8 give the same order")
	}
	if slices.Equal(a0, slices.Sorted(slices.Values(a0))) {
		t.Error("epoch 0 is not shuffled")
	}

	// Resume: a fresh loader given the saved seed continues epoch 3 at
	// batch 5 with exactly the batches the first loader produces there.
	var want, got []int
	for _, bt := range a.EpochFrom(3, 5) {
		want = append(want, bt.Index...)
	}
	r := newLoader(99)
	r.SetSeed(a.Seed())
	for _, bt := range r.EpochFrom(3, 5) {
		got = append(got, bt.Index...)
	}
	full, _ := order(t, a, ds, 3)
	if !slices.Equal(got, want) || !slices.Equal(want, full[5*8:]) {
		t.Errorf("resumed epoch 3 at batch 5: %v, want %v", got, want)
	}

	unshuffled, err := data.NewLoader[float32](ds, data.LoaderOptions{BatchSize: 8, NoShuffle: true}, tensor.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := order(t, unshuffled, ds, 4); !slices.Equal(u, slices.Sorted(slices.Values(u))) {
		t.Error("NoShuffle loader shuffled")
	}
}

func TestLoaderFloat64(t *testing.T) {
	ds := toySet(t, 10, 2)
	l, err := data.NewLoader[float64](ds, data.LoaderOptions{BatchSize: 3}, tensor.NewRand(1))
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := order(t, l, ds, 0)
	if len(idx) != 10 {
		t.Fatalf("%d examples, want 10", len(idx))
	}
}

func TestLoaderErrors(t *testing.T) {
	ds := toySet(t, 10, 2)
	cases := []struct {
		name string
		opt  data.LoaderOptions
		want string
	}{
		{"negative", data.LoaderOptions{BatchSize: -1}, "batch size -1"},
		{"drop last too big", data.LoaderOptions{BatchSize: 11, DropLast: true}, "leaves no batch"},
	}
	for _, c := range cases {
		if _, err := data.NewLoader[float32](ds, c.opt, tensor.NewRand(1)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestLoaderAllocs: a warm loader fills batches without allocating, so a
// training step stays allocation-free.
func TestLoaderAllocs(t *testing.T) {
	ds := toySet(t, 100, 10)
	sub, err := data.First(ds, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range []data.Dataset{ds, sub} {
		l, err := data.NewLoader[float32](set, data.LoaderOptions{BatchSize: 7}, tensor.NewRand(1))
		if err != nil {
			t.Fatal(err)
		}
		l.Batch(0, 0)
		epoch := 0
		if n := testing.AllocsPerRun(20, func() {
			epoch++
			for i := range l.Len() {
				l.Batch(epoch, i)
			}
		}); n != 0 {
			t.Errorf("%T: %v allocations per epoch, want 0", set, n)
		}
	}
}

func TestSubsets(t *testing.T) {
	ds := toySet(t, 20, 4)
	first, err := data.First(ds, 5)
	if err != nil {
		t.Fatal(err)
	}
	sample, err := data.Sample(ds, 6, tensor.NewRand(3))
	if err != nil {
		t.Fatal(err)
	}
	again, _ := data.Sample(ds, 6, tensor.NewRand(3))
	pick, err := data.Subset(ds, []int{19, 0, 7})
	if err != nil {
		t.Fatal(err)
	}
	contents := func(s data.Dataset) []int {
		x := make([]float32, s.Len()*6)
		labels := make([]int, s.Len())
		idx := make([]int, s.Len())
		for i := range idx {
			idx[i] = i
		}
		s.Fill(x, labels, idx)
		out := make([]int, s.Len())
		for i := range out {
			out[i] = int(x[i*6])
			if labels[i] != out[i]%4 {
				t.Fatalf("example %d of %v: label %d", i, out, labels[i])
			}
		}
		return out
	}
	if got := contents(first); !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
		t.Errorf("First(5) = %v", got)
	}
	if got := contents(pick); !slices.Equal(got, []int{19, 0, 7}) {
		t.Errorf("Subset = %v", got)
	}
	s, s2 := contents(sample), contents(again)
	if !slices.Equal(s, s2) || !slices.IsSorted(s) || len(slices.Compact(slices.Clone(s))) != 6 || slices.Equal(s, []int{0, 1, 2, 3, 4, 5}) {
		t.Errorf("Sample(6) = %v then %v: want the same 6 distinct sorted random examples", s, s2)
	}
	for _, bad := range []func() error{
		func() error { _, err := data.First(ds, 21); return err },
		func() error { _, err := data.First(ds, 0); return err },
		func() error { _, err := data.Sample(ds, 21, tensor.NewRand(1)); return err },
		func() error { _, err := data.Subset(ds, []int{3, 20}); return err },
	} {
		if err := bad(); err == nil {
			t.Error("out-of-range subset accepted")
		}
	}
}
