// Package lab holds the lecture's experiments as code: each one answers a
// question of the lecture by running the project's own forward and backward
// passes, returns its numbers as rows (written as CSV by the CLI) and draws
// them with gonum/plot. Everything is float64 and seeded: same seed, same
// numbers.
//
//   - Variance: how the variance of activations and gradients evolves with
//     depth under each initializer (the lecture's D(y) = n·D(w)·D(x)).
//   - Chain: the lecture's y = W_D···W_1·x with W_i = diag(c): 1.5^10 ≈ 57.7,
//     0.5^10 ≈ 0.001, forward and backward.
//   - Symmetry: why zeros and constants fail: every unit of a layer stays a
//     copy of its neighbours.
package lab
