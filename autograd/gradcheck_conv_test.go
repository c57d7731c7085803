package autograd_test

// convCases are the gradient-check rows of convolution and pooling: with
// and without bias, stride 2, padding, non-square inputs and kernels, and
// the chain the CNN uses.
var convCases = []gradCase{
	{"conv2d", [][]int{{2, 3, 6, 5}, {4, 3, 3, 3}, {4}}, func(g *G, in []*V) *V { return g.Conv2d(in[0], in[1], in[2], 1, 0) }, false},
	{"conv2d/no bias", [][]int{{2, 2, 5, 5}, {3, 2, 3, 3}}, func(g *G, in []*V) *V { return g.Conv2d(in[0], in[1], nil, 1, 0) }, false},
	{"conv2d/stride 2 padding 1", [][]int{{2, 2, 7, 6}, {3, 2, 3, 3}, {3}}, func(g *G, in []*V) *V { return g.Conv2d(in[0], in[1], in[2], 2, 1) }, false},
	{"conv2d/kernel 5x3 padding 2", [][]int{{1, 2, 6, 7}, {2, 2, 5, 3}, {2}}, func(g *G, in []*V) *V { return g.Conv2d(in[0], in[1], in[2], 1, 2) }, false},
	{"conv2d/1x1", [][]int{{2, 3, 4, 3}, {2, 3, 1, 1}, {2}}, func(g *G, in []*V) *V { return g.Conv2d(in[0], in[1], in[2], 1, 0) }, false},
	{"max_pool2d", [][]int{{2, 3, 6, 6}}, func(g *G, in []*V) *V { return g.MaxPool2d(in[0], 2, 2, 0) }, false},
	{"max_pool2d/overlap padding", [][]int{{2, 2, 7, 5}}, func(g *G, in []*V) *V { return g.MaxPool2d(in[0], 3, 2, 1) }, false},
	{"avg_pool2d", [][]int{{2, 3, 6, 6}}, func(g *G, in []*V) *V { return g.AvgPool2d(in[0], 2, 2, 0) }, false},
	{"avg_pool2d/overlap padding", [][]int{{2, 2, 7, 5}}, func(g *G, in []*V) *V { return g.AvgPool2d(in[0], 3, 2, 1) }, false},
	{"conv relu maxpool conv", [][]int{{2, 1, 8, 8}, {3, 1, 3, 3}, {3}, {2, 3, 2, 2}}, func(g *G, in []*V) *V {
		h := g.MaxPool2d(g.ReLU(g.Conv2d(in[0], in[1], in[2], 1, 0)), 2, 2, 0)
		return g.Conv2d(h, in[3], nil, 1, 0)
	}, false},
}

func init() { gradCases = append(gradCases, convCases...) }
