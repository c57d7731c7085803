package kernel

import "testing"

// BenchmarkLSTMBackward times one step of the LSTM's gate gradients for
// 128 batch rows of 128 units, with the step's data in cache ("hot") and
// walking backwards through 28 steps of 7 MB of gates, as backpropagation
// through time does ("steps").
func BenchmarkLSTMBackward(b *testing.B) {
	const B, H, T = 128, 128, 28
	gates := make([]float32, T*B*4*H)
	dgates := make([]float32, T*B*4*H)
	tc := make([]float32, T*B*H)
	c := make([]float32, T*B*H)
	dout := make([]float32, T*B*H)
	dh := make([]float32, B*H)
	dc := make([]float32, B*H)
	for i := range gates {
		gates[i] = float32(i%97) / 97
	}
	for i := range tc {
		tc[i] = float32(i%89)/89 - 0.5
		c[i] = tc[i]
	}
	for _, steps := range []int{1, T} {
		name := "hot"
		if steps > 1 {
			name = "steps"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(B * H * 4 * 14))
			s := 0
			for b.Loop() {
				if s--; s < 0 {
					s = steps - 1
				}
				for r := range B {
					g := gates[(s*B+r)*4*H:][:4*H]
					d := dgates[(s*B+r)*4*H:][:4*H]
					var cp []float32
					if s > 0 {
						cp = c[((s-1)*B+r)*H:][:H]
					}
					LSTMBackward(d, g, tc[(s*B+r)*H:][:H], cp, dout[(s*B+r)*H:][:H], dh[r*H:][:H], dc[r*H:][:H])
				}
			}
		})
	}
}
