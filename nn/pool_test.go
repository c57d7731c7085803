package nn_test

import (
	"strings"
	"testing"

	"github.com/descent-ml/descent/nn"
)

func TestPoolMatchesPyTorch(t *testing.T) {
	gold := loadConvGolden(t)
	for _, tc := range []struct {
		kind  string
		cases []convGoldenCase
		make  func(k, s, p int) (nn.Module[float64], error)
	}{
		{"max", gold.MaxPool2d, func(k, s, p int) (nn.Module[float64], error) { return nn.NewMaxPool2d[float64](k, s, p) }},
		{"avg", gold.AvgPool2d, func(k, s, p int) (nn.Module[float64], error) { return nn.NewAvgPool2d[float64](k, s, p) }},
	} {
		if len(tc.cases) == 0 {
			t.Errorf("no %s-pooling cases in testdata/conv_golden.json", tc.kind)
		}
		for _, c := range tc.cases {
			t.Run(tc.kind+"/"+c.Name, func(t *testing.T) {
				layer, err := tc.make(c.Args.Kernel, c.Args.Stride, c.Args.Padding)
				if err != nil {
					t.Fatal(err)
				}
				checkConvGolden(t, c, layer, nil)
			})
		}
	}
}

// TestPoolDefaultStride: stride 0 means the kernel size, PyTorch's default.
func TestPoolDefaultStride(t *testing.T) {
	gold := loadConvGolden(t)
	for _, c := range gold.MaxPool2d {
		if c.Args.Stride == c.Args.Kernel && c.Args.Padding == 0 {
			checkConvGolden(t, c, &nn.MaxPool2d[float64]{Kernel: c.Args.Kernel}, nil)
		}
	}
	for _, c := range gold.AvgPool2d {
		if c.Args.Stride == c.Args.Kernel && c.Args.Padding == 0 {
			checkConvGolden(t, c, &nn.AvgPool2d[float64]{Kernel: c.Args.Kernel}, nil)
		}
	}
}

func TestPoolErrors(t *testing.T) {
	for _, tc := range []struct {
		k, s, p int
		want    string
	}{
		{0, 0, 0, "kernel size"},
		{2, -1, 0, "stride"},
		{2, 2, 2, "half the kernel"},
		{3, 1, -1, "padding"},
	} {
		if _, err := nn.NewMaxPool2d[float32](tc.k, tc.s, tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewMaxPool2d(%d, %d, %d) error = %v, want one mentioning %q", tc.k, tc.s, tc.p, err, tc.want)
		}
		if _, err := nn.NewAvgPool2d[float32](tc.k, tc.s, tc.p); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewAvgPool2d(%d, %d, %d) error = %v, want one mentioning %q", tc.k, tc.s, tc.p, err, tc.want)
		}
	}
}
