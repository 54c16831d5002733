//go:build !race

package main

// raceDetector: the test binary was built without -race.
const raceDetector = false
