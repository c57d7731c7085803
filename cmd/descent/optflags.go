package main

import (
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
)

// The name -> schedule table shared by trace, schedule, train and compare
// (--schedule NAME --schedule-set k=v,...); optimizers (--opt NAME --lr LR
// --set k=v,...) come from optim's registry. Keys are PyTorch's argument
// names (Adam's betas split into beta1 and beta2; booleans true/false).

// optimizerNames are the --opt names, in the lecture's order.
var optimizerNames = optim.Names()

// scheduleNames are the --schedule (and `descent schedule --name`) names.
var scheduleNames = schedule.Names()
