//go:build !amd64 || purego

package kernel

func moments32(x []float32, shift float64) (sum, sumSq float64) { return momentsSpec(x, shift) }
func sqdist32(x, y []float32) float64                           { return sqdistSpec(x, y) }
