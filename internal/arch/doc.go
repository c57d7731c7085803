// Package arch holds no code: its test keeps the import direction that
// README.md states true for every package of the module,
//
//	internal/kernel <- tensor <- autograd <- nn, optim <- train <- lab, cmd
//
// with nn, optim and data not importing each other. The layer table in
// arch_test.go names every package; a new package fails the test until it
// is given a layer there.
package arch
