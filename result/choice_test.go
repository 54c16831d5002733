package result

import (
	"encoding/json"
	"testing"
)

// A choice is parsed once into its requirement and label, and report.json
// keeps the "REQ-ID=label" string it always had.
func TestChoiceJSONKeepsTheStringForm(t *testing.T) {
	c := CaseResult{ID: "x", Choices: []Choice{ParseChoice("REQ-STA-11=rejected-400")}}
	if got := c.Choices[0]; got.Requirement != "REQ-STA-11" || got.Label != "rejected-400" {
		t.Fatalf("ParseChoice: %+v", got)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var raw struct{ Choices []string }
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if len(raw.Choices) != 1 || raw.Choices[0] != "REQ-STA-11=rejected-400" {
		t.Errorf("report.json choices = %q, want [\"REQ-STA-11=rejected-400\"]", raw.Choices)
	}
	var back CaseResult
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Choices) != 1 || back.Choices[0] != c.Choices[0] {
		t.Errorf("read back %+v, want %+v", back.Choices, c.Choices)
	}
	if s := ParseChoice("REQ-X").String(); s != "REQ-X" {
		t.Errorf("a choice without a label reads back as %q", s)
	}
}
