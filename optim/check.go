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

// checkNonNeg validates arguments that PyTorch requires to be >= 0, given
// as name, value pairs.
func checkNonNeg(name string, args ...any) error {
	for i := 0; i < len(args); i += 2 {
		if v := args[i+1].(float64); !(v >= 0) {
			return fmt.Errorf("optim: %s: invalid %s %v (want >= 0)", name, args[i], v)
		}
	}
	return nil
}

// checkGroup validates the learning rate and weight decay of a config.
func checkGroup(name string, lr, weightDecay float64) error {
	if lr < 0 {
		return fmt.Errorf("optim: %s: invalid learning rate %v (want lr >= 0)", name, lr)
	}
	if weightDecay < 0 {
		return fmt.Errorf("optim: %s: invalid weight_decay %v (want >= 0)", name, weightDecay)
	}
	return nil
}
