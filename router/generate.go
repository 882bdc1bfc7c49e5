package router

//go:generate go run ./gen -o commands_gen.go
