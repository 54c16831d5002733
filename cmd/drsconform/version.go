package main

// version is the suite's version: it goes into every report and the results
// bundle's manifest, so a reviewer can tell which suite produced a report.
const version = "0.1.0"

func suiteVersion() string { return version }
