package kernel_test

import (
	"fmt"

	"github.com/descent-ml/descent/internal/kernel"
)

// C = A·Bᵀ for a 2×3 A and a 2×3 B stored row-major (transB: B holds the
// rows of op(B)ᵀ), the shape of a Linear layer's forward pass.
func ExampleGemm() {
	a := []float32{1, 2, 3, 4, 5, 6}
	b := []float32{1, 0, 1, 0, 1, 0}
	c := make([]float32, 4)
	kernel.Gemm(false, true, 2, 2, 3, 1, a, 3, b, 3, 0, c, 2)
	fmt.Println(c)
	// Output: [4 2 10 5]
}

func ExampleAxpy() {
	x := []float32{1, 2, 3}
	y := []float32{10, 20, 30}
	kernel.Axpy(0.5, x, y)
	fmt.Println(y)
	// Output: [10.5 21 31.5]
}

// The first Adam step moves each parameter by about lr against the sign of
// its gradient, whatever the gradient's size: m/sqrt(v) is ±1 after
// bias correction.
func ExampleAdamStep() {
	p := []float32{1, 1}
	g := []float32{0.001, -100}
	m, v := make([]float32, 2), make([]float32, 2)
	kernel.AdamStep(p, g, m, v, nil, kernel.AdamParams{LR: 0.1, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}, 1)
	fmt.Printf("%.4f\n", p)
	// Output: [0.9000 1.1000]
}

// SGD with momentum 0.9: the buffer starts as the gradient, then
// accumulates: 1 -> 0.9*1 + 1 = 1.9, so p = 0 - 0.1*1 - 0.1*1.9 = -0.29.
func ExampleSGDStep() {
	p, g, buf := []float32{0}, []float32{1}, []float32{0}
	h := kernel.SGDParams{LR: 0.1, Momentum: 0.9}
	kernel.SGDStep(p, g, buf, h, true)
	kernel.SGDStep(p, g, buf, h, false)
	fmt.Printf("p=%.2f buf=%.2f\n", p[0], buf[0])
	// Output: p=-0.29 buf=1.90
}
