package train

import (
	"encoding/json"
	"strconv"

	"github.com/descent-ml/descent/internal/kv"
	"github.com/descent-ml/descent/models"
	"github.com/descent-ml/descent/nn/initializer"
	"github.com/descent-ml/descent/optim"
	"github.com/descent-ml/descent/optim/schedule"
)

// Resolved holds the typed configurations of a run as JSON objects
// keyed by PyTorch's argument names, every default filled in, each with
// its registry name: what run.json records beside the flags.
type Resolved struct {
	Model       json.RawMessage `json:"model"`
	Optimizer   json.RawMessage `json:"optimizer"`
	Lookahead   json.RawMessage `json:"lookahead,omitempty"`
	Schedule    json.RawMessage `json:"schedule,omitempty"`
	Initializer json.RawMessage `json:"initializer,omitempty"`
}

// named puts "name": name first in the JSON object obj.
func named(name string, obj json.RawMessage) json.RawMessage {
	n, _ := json.Marshal(name)
	out := append([]byte(`{"name":`), n...)
	if len(obj) > 2 {
		out = append(append(out, ','), obj[1:]...)
	} else {
		out = append(out, '}')
	}
	return out
}

// Resolved returns the run's configurations as built: the model (with
// the input shape and classes it was sized for), the optimizer with the
// lr it was built with, Lookahead's, the schedule's and the
// initializer's, every default filled in.
func (r *Run) Resolved() *Resolved {
	c := r.Config
	var out Resolved
	mc := models.Config{Name: c.Model, Activation: c.Act, Norm: "none"}
	if c.Model == "mlp" {
		mc.Hidden, _ = kv.Ints(c.Hidden)
	}
	sized, _ := json.Marshal(struct {
		Input   []int `json:"input_shape"`
		Classes int   `json:"classes"`
	}{r.Train.Shape(), r.Train.Classes()})
	obj := kv.JSON(&mc)
	out.Model = append(obj[:len(obj)-1:len(obj)-1], append([]byte{','}, sized[1:]...)...)
	if c.Lookahead != "" {
		la := optim.LookaheadDefaults()
		if kv.Decode(c.Lookahead, &la) == nil {
			out.Lookahead = kv.JSON(&la)
		}
	}
	if e, ok := optim.Lookup(c.Opt); ok {
		cfg := e.Defaults()
		if kv.Decode(c.Set, cfg) == nil {
			// The learning rate the optimizer was built with (--lr, or
			// its default); every config has an lr key.
			_ = kv.Set(cfg, "lr", strconv.FormatFloat(r.Trainer.Optimizer.Groups()[0].LR, 'g', -1, 64))
			out.Optimizer = named(c.Opt, kv.JSON(cfg))
		}
	}
	if out.Optimizer == nil {
		raw, _ := json.Marshal(map[string]string{"set": c.Set})
		out.Optimizer = named(c.Opt, raw)
	}
	switch {
	case r.Trainer.Plateau != nil:
		out.Schedule = named("plateau", kv.JSON(r.Trainer.Plateau))
	case r.Trainer.Schedule != nil:
		out.Schedule = named(c.Schedule, scheduleJSON(r.Trainer.Schedule))
	}
	if e, ok := initializer.Lookup(c.Init); ok {
		cfg := e.Defaults()
		if kv.Decode(c.InitSet, cfg) == nil {
			out.Initializer = named(c.Init, kv.JSON(cfg))
		}
	}
	return &out
}

// scheduleJSON is a schedule's settings; a warm-up's include those of the
// schedule it leads into.
func scheduleJSON(s schedule.Schedule) json.RawMessage {
	w, ok := s.(*schedule.Warmup)
	if !ok {
		return kv.JSON(s)
	}
	obj, inner := kv.JSON(w), scheduleJSON(w.Inner)
	if len(inner) <= 2 {
		return obj
	}
	return append(append(obj[:len(obj)-1:len(obj)-1], ','), inner[1:]...)
}
