package nn

import (
	"strconv"

	"github.com/descent-ml/descent/autograd"
)

// Sequential chains modules, like PyTorch's nn.Sequential. Parameters are
// named by position: "0.weight", "0.bias", "2.weight", ...
//
// A module may appear more than once (weight sharing): as in PyTorch's
// parameters() and named_parameters(), its parameters are then listed once,
// under the first name they are reached by, so an optimizer updates them
// once per step and the state dict reloads. PyTorch's state_dict() also
// lists the later names as aliases of the same tensors; StateDict does not,
// as safetensors' save_model drops them.
type Sequential[T Float] struct {
	Layers []Module[T]
	params []*autograd.Var[T]
	names  []string // params' names relative to s, kept apart from Var.Name (see below)
	// leafNames holds each parameter's name in the module that made it
	// ("weight"). Var.Name is rewritten by every container built around a
	// module, so a container meeting a module again (inside and outside an
	// inner Sequential) takes the names from here, not from the Var.
	leafNames map[*autograd.Var[T]]string
	buffers   []*NamedTensor[T]
}

// NewSequential chains layers and renames their parameters and buffers
// with their position as prefix, as PyTorch's state_dict does. A parameter reached a
// second time (a layer used twice) keeps the first name and is listed once.
func NewSequential[T Float](layers ...Module[T]) *Sequential[T] {
	s := &Sequential[T]{Layers: layers, leafNames: map[*autograd.Var[T]]string{}}
	for _, l := range layers {
		if inner, ok := l.(*Sequential[T]); ok {
			for p, name := range inner.leafNames {
				s.leafNames[p] = name
			}
		}
	}
	seen := map[*autograd.Var[T]]bool{}
	add := func(p *autograd.Var[T], name string) {
		if !seen[p] {
			seen[p] = true
			s.params = append(s.params, p)
			s.names = append(s.names, name)
		}
	}
	for i, l := range layers {
		prefix := strconv.Itoa(i) + "."
		if inner, ok := l.(*Sequential[T]); ok {
			for j, p := range inner.params {
				add(p, prefix+inner.names[j])
			}
			continue
		}
		for _, p := range l.Parameters() {
			leaf, ok := s.leafNames[p]
			if !ok {
				leaf = p.Name
				s.leafNames[p] = leaf
			}
			add(p, prefix+leaf)
		}
	}
	for j, p := range s.params {
		p.Name = s.names[j]
	}
	seenBuffer := map[*NamedTensor[T]]bool{}
	for i, l := range layers {
		for _, b := range Buffers(l) {
			if !seenBuffer[b] { // a layer used twice keeps its first name, as its parameters do
				seenBuffer[b] = true
				b.Name = strconv.Itoa(i) + "." + b.Name
				s.buffers = append(s.buffers, b)
			}
		}
	}
	return s
}

// Forward runs the layers in order.
func (s *Sequential[T]) Forward(g *autograd.Graph[T], x *autograd.Var[T]) *autograd.Var[T] {
	for _, l := range s.Layers {
		x = l.Forward(g, x)
	}
	return x
}

// Parameters returns every layer's parameters in order, each once.
func (s *Sequential[T]) Parameters() []*autograd.Var[T] { return s.params }

// Buffers returns every layer's buffers in order.
func (s *Sequential[T]) Buffers() []*NamedTensor[T] { return s.buffers }

// SetTraining passes the mode to every layer.
func (s *Sequential[T]) SetTraining(on bool) {
	for _, l := range s.Layers {
		SetTraining(l, on)
	}
}
