package router

//go:generate go run ./gen
