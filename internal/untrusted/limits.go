package untrusted

// The limits on what a target (or its fixture harness) can make the suite
// keep, print or write. README.md, "Limits", lists them for users.
const (
	// QuoteBytes bounds each string of a target quoted into a finding or a message.
	QuoteBytes = 256
	// MaxResponseHeaderBytes bounds the response headers the client reads;
	// a larger answer is a transport error (Go's default is 10 MB).
	MaxResponseHeaderBytes = 64 << 10
	// EvidenceHeaders bounds the headers kept as evidence per request or
	// response; the rest are counted in one line.
	EvidenceHeaders = 100
	// EvidenceHeaderBytes bounds each header name and value kept as evidence.
	EvidenceHeaderBytes = 512
	// EvidenceBodyBytes bounds each body kept as evidence (after redaction).
	EvidenceBodyBytes = 16 << 10
	// FindingsPerCase bounds the findings of one case; the rest are counted
	// in one more finding.
	FindingsPerCase = 50
	// FindingTextBytes bounds the expected and got texts of a finding.
	FindingTextBytes = 2 << 10
	// MessagesPerCase bounds the messages of one case.
	MessagesPerCase = FindingsPerCase + 2
	// SummaryLinesPerCase and SummaryLineBytes bound what the terminal
	// summary prints for one case.
	SummaryLinesPerCase = 20
	SummaryLineBytes    = 512
	// ReportDirBytes bounds report.json, junit.xml, report.md and
	// report.html together; above it evidence is dropped, never a verdict.
	ReportDirBytes = 64 << 20
)
