package data

import (
	"math"
	"math/rand/v2"

	"github.com/descent-ml/descent/tensor"
)

// Spiral returns perClass points on each of classes arms of a noisy spiral
// in the plane (the classic CS231n toy problem), as inputs [perClass*classes, 2]
// and their labels: a problem no linear classifier solves, small enough to
// train in a second. Point i of arm c has radius i/perClass and angle
// 4c + 4·radius + 0.2·N(0, 1), the noise drawn from rng.
func Spiral(rng *rand.Rand, perClass, classes int) (*tensor.Tensor[float32], []int) {
	x := tensor.New[float32](perClass*classes, 2)
	labels := make([]int, perClass*classes)
	for c := range classes {
		for i := range perClass {
			r := float64(i) / float64(perClass)
			theta := 4*float64(c) + 4*r + 0.2*rng.NormFloat64()
			k := c*perClass + i
			x.Set(float32(r*math.Sin(theta)), k, 0)
			x.Set(float32(r*math.Cos(theta)), k, 1)
			labels[k] = c
		}
	}
	return x, labels
}
