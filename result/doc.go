// Package result is the result model of a run: verdicts, findings, the
// evidence of each exchange, case and requirement results, choices, the
// selection, the report and its roll-up (Report.Finish). The runner produces
// it, report/ renders it, and report.json is its JSON form.
package result
