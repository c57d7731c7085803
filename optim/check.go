package optim

import "fmt"

// checkBetas validates Adam-style decay rates as PyTorch does.
func checkBetas(name string, beta1, beta2 float64) error {
	if !(0 <= beta1 && beta1 < 1) {
		return fmt.Errorf("optim: %s: invalid beta1 %v (want 0 <= beta1 < 1)", name, beta1)
	}
	if !(0 <= beta2 && beta2 < 1) {
		return fmt.Errorf("optim: %s: invalid beta2 %v (want 0 <= beta2 < 1)", name, beta2)
	}
	return nil
}

// checkNonNeg validates an argument that PyTorch requires to be >= 0.
func checkNonNeg(name, arg string, v float64) error {
	if !(v >= 0) {
		return fmt.Errorf("optim: %s: invalid %s %v (want >= 0)", name, arg, v)
	}
	return nil
}

// grad returns the gradient PyTorch's optimizers work with: negated when
// maximizing, plus the L2 penalty wd*p (coupled weight decay).
func grad[T Float](g, p, wd T, maximize bool) T {
	if maximize {
		g = -g
	}
	if wd != 0 {
		g += wd * p
	}
	return g
}

func errNoAmsgrad(name string) error {
	return fmt.Errorf("optim: %s: amsgrad is not an option of %s (only adam and adamw)", name, name)
}
