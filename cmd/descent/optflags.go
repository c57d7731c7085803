package main

import (
	"fmt"
	"strconv"

	"github.com/descent-ml/descent/autograd"
	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
)

// The name -> schedule table shared by trace, schedule, train and compare
// (--schedule NAME --schedule-set k=v,...); optimizers (--opt NAME --lr LR
// --set k=v,...) come from optim's registry. Keys are PyTorch's argument
// names (Adam's betas split into beta1 and beta2; booleans true/false).

// optimizerNames are the --opt names, in the lecture's order.
var optimizerNames = optim.Names()

// buildOptimizer builds through optim.Build, giving --lr as lr= to the
// optimizer (to the inner one of lookahead).
func buildOptimizer[T optim.Float](name string, lr float64, pairs []kv.Pair, params []*autograd.Var[T]) (optim.Optimizer[T], error) {
	settings := make([]kv.Pair, 0, len(pairs)+1)
	for _, p := range pairs {
		if lr == lr && (p.Key == "lr" || p.Key == "inner.lr") {
			return nil, fmt.Errorf("%s: give the learning rate with --lr, not lr=", name)
		}
		settings = append(settings, p)
	}
	if lr == lr { // not NaN
		settings = append(settings, kv.Pair{Key: "lr", Value: strconv.FormatFloat(lr, 'g', -1, 64)})
	}
	return optim.Build(name, params, settings)
}

// scheduleNames are the --schedule (and `descent schedule --name`) names.
var scheduleNames = schedule.Names()
