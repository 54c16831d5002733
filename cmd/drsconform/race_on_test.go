//go:build race

package main

// raceDetector: the test binary was built with -race, so a binary the tests
// build uses it too and finds its packages in the build cache.
const raceDetector = true
