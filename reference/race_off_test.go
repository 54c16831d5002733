//go:build !race

package reference

// raceDetector: the test binary was built with -race.
const raceDetector = false
