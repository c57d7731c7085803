package tensor

// Scale computes dst = c * src element-wise. dst may alias src.
func Scale[T Float](dst, src *Tensor[T], c T) {
	checkShape("Scale", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		d[i] = c * v
	}
}

// ReLU computes dst = max(0, src) element-wise. dst may alias src.
// NaN propagates, as in torch.relu.
func ReLU[T Float](dst, src *Tensor[T]) {
	checkShape("ReLU", dst, src.Shape())
	d := dst.data
	for i, v := range src.data[:len(d)] {
		if v < 0 {
			v = 0
		}
		d[i] = v
	}
}
