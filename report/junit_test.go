package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/drsconform/drsconform/result"
)

// The JUnit output is checked against report/testdata/junit.xsd twice: by
// xmllint when it is installed (Debian libxml2-utils), and always by the
// structural check below, which reads its rules (elements in order, their
// counts, attributes, required ones, numeric types) from the same XSD.

func TestJUnitValidatesWithXmllint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (Debian package libxml2-utils); the structural check still runs")
	}
	for _, file := range junitSamples(t) {
		out, err := exec.Command(xmllint, "--noout", "--schema", filepath.Join("testdata", "junit.xsd"), file).CombinedOutput()
		if err != nil {
			t.Errorf("xmllint: %v\n%s", err, out)
		}
	}
}

func TestJUnitValidatesStructurally(t *testing.T) {
	schema := loadXSD(t, filepath.Join("testdata", "junit.xsd"))
	for _, file := range junitSamples(t) {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var root xmlNode
		if err := xml.Unmarshal(raw, &root); err != nil {
			t.Fatalf("%s: not XML: %v", file, err)
		}
		for _, p := range schema.validate(&root) {
			t.Errorf("%s: %s", filepath.Base(file), p)
		}
		checkJUnitCounts(t, filepath.Base(file), &root)
	}
}

func TestJUnitVerdicts(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var root xmlNode
	if err := xml.Unmarshal(buf.Bytes(), &root); err != nil {
		t.Fatal(err)
	}
	cases := map[string]*xmlNode{}
	for _, s := range root.children("testsuite") {
		for _, c := range s.children("testcase") {
			cases[c.attr("name")] = c
			if c.attr("classname") != s.attr("name") {
				t.Errorf("%s: classname %q, want the theme %q", c.attr("name"), c.attr("classname"), s.attr("name"))
			}
		}
	}
	if f := cases["non-deletable.incre-transfer-started"].children("failure"); len(f) != 1 || !strings.HasPrefix(f[0].attr("message"), "REQ-STA-02 (MUST)") {
		t.Errorf("a fail is not a <failure> whose message names the requirement: %+v", f)
	}
	warn := cases["bad.unknown-job.zh"]
	if len(warn.children("failure")) != 0 || !strings.Contains(warn.text("system-out"), "REQ-HDR-05") {
		t.Error("a warn of a run that is not strict must pass, with the SHOULD in system-out")
	}
	if len(cases["parent.dual-active"].children("skipped")) != 1 || len(cases["lifecycle.force-terminate"].children("error")) != 1 {
		t.Error("skip must be <skipped>, error must be <error>")
	}
	var reqs []string
	for _, p := range cases["delete.create-failed"].children("properties")[0].children("property") {
		if p.attr("name") == "requirement" {
			reqs = append(reqs, p.attr("value"))
		}
	}
	if strings.Join(reqs, ",") != "REQ-HTTP-01,REQ-STA-01" {
		t.Errorf("requirement properties %v", reqs)
	}

	strict := sampleReport()
	strict.Strict = true
	buf.Reset()
	if err := JUnit(&buf, strict); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<failure message="strict: REQ-HDR-05 (SHOULD)`) {
		t.Error("a warn of a strict run must be a <failure> naming the requirement")
	}
}

// junitSamples writes the JUnit of the sample run, plain and strict, and
// returns the files; the golden file is one of them.
func junitSamples(t *testing.T) []string {
	dir := t.TempDir()
	strict := sampleReport()
	strict.Strict, strict.Verdict = true, result.Fail
	var buf bytes.Buffer
	if err := JUnit(&buf, strict); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "strict.xml")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return []string{filepath.Join("testdata", "junit.xml.golden"), p}
}

// checkJUnitCounts: every suite's counts are its test cases', the root's the
// sum of its suites'.
func checkJUnitCounts(t *testing.T, file string, root *xmlNode) {
	sum := map[string]int{}
	for _, s := range root.children("testsuite") {
		n := map[string]int{"tests": len(s.children("testcase"))}
		for _, c := range s.children("testcase") {
			n["failures"] += len(c.children("failure"))
			n["errors"] += len(c.children("error"))
			n["skipped"] += len(c.children("skipped"))
		}
		for k, v := range n {
			if got := s.attr(k); got != strconv.Itoa(v) {
				t.Errorf("%s: testsuite %s: %s=%q, counted %d", file, s.attr("name"), k, got, v)
			}
			sum[k] += v
		}
	}
	for _, k := range []string{"tests", "failures", "errors"} {
		if got := root.attr(k); got != strconv.Itoa(sum[k]) {
			t.Errorf("%s: testsuites %s=%q, its suites add up to %d", file, k, got, sum[k])
		}
	}
}

// xmlNode is any XML element.
type xmlNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []*xmlNode `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n *xmlNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (n *xmlNode) children(name string) []*xmlNode {
	var out []*xmlNode
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
	}
	return out
}

func (n *xmlNode) text(child string) string {
	var b strings.Builder
	for _, c := range n.children(child) {
		b.WriteString(c.Text)
	}
	return b.String()
}

// xsd is the subset of XML Schema that junit.xsd uses: named complex types
// with a sequence of elements and choices, attributes, and simple types
// restricting decimals, integers and date-times.
type xsd struct {
	root   string
	types  map[string]*xsdType
	simple map[string]*regexp.Regexp // simple type → the lexical form it allows
}

type xsdType struct {
	particles []xsdParticle // in sequence order
	attrs     map[string]xsdAttr
	text      bool // simple content
}

type xsdParticle struct {
	names    map[string]string // element name → its type (one name unless a choice)
	min, max int               // max -1: unbounded
}

type xsdAttr struct {
	typ      string
	required bool
}

func loadXSD(t *testing.T, path string) *xsd {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc xmlNode
	if err := xml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	s := &xsd{types: map[string]*xsdType{}, simple: map[string]*regexp.Regexp{
		"xs:string": regexp.MustCompile(`(?s).*`),
	}}
	lexical := map[string]string{
		"xs:decimal":            `[0-9]+(\.[0-9]+)?`,
		"xs:nonNegativeInteger": `[0-9]+`,
		"xs:dateTime":           `[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?`,
	}
	for _, st := range doc.children("simpleType") {
		r := st.children("restriction")[0]
		expr := lexical[r.attr("base")]
		if p := r.children("pattern"); len(p) > 0 {
			expr = p[0].attr("value")
		}
		if expr == "" {
			t.Fatalf("junit.xsd: simple type %s: base %s not understood by this check", st.attr("name"), r.attr("base"))
		}
		s.simple[st.attr("name")] = regexp.MustCompile("^(?:" + expr + ")$")
	}
	occurs := func(n *xmlNode) (int, int) {
		lo, hi := 1, 1
		if v := n.attr("minOccurs"); v != "" {
			lo, _ = strconv.Atoi(v)
		}
		if v := n.attr("maxOccurs"); v == "unbounded" {
			hi = -1
		} else if v != "" {
			hi, _ = strconv.Atoi(v)
		}
		return lo, hi
	}
	parseType := func(ct *xmlNode) *xsdType {
		ty := &xsdType{attrs: map[string]xsdAttr{}}
		attrsOf := func(n *xmlNode) {
			for _, a := range n.children("attribute") {
				ty.attrs[a.attr("name")] = xsdAttr{typ: a.attr("type"), required: a.attr("use") == "required"}
			}
		}
		attrsOf(ct)
		for _, sc := range ct.children("simpleContent") {
			ty.text = true
			for _, ext := range sc.children("extension") {
				attrsOf(ext)
			}
		}
		for _, seq := range ct.children("sequence") {
			for _, p := range seq.Children {
				lo, hi := occurs(p)
				part := xsdParticle{names: map[string]string{}, min: lo, max: hi}
				switch p.XMLName.Local {
				case "element":
					part.names[p.attr("name")] = p.attr("type")
				case "choice":
					for _, e := range p.children("element") {
						part.names[e.attr("name")] = e.attr("type")
					}
				}
				ty.particles = append(ty.particles, part)
			}
		}
		return ty
	}
	for _, ct := range doc.children("complexType") {
		s.types[ct.attr("name")] = parseType(ct)
	}
	for _, el := range doc.children("element") {
		s.root = el.attr("name")
		s.types["#"+s.root] = parseType(el.children("complexType")[0])
	}
	return s
}

// validate checks n and its descendants; it returns the problems found.
func (s *xsd) validate(n *xmlNode) []string {
	if n.XMLName.Local != s.root {
		return []string{fmt.Sprintf("root element <%s>, want <%s>", n.XMLName.Local, s.root)}
	}
	var problems []string
	s.check(n, "#"+s.root, "/"+s.root, &problems)
	return problems
}

func (s *xsd) check(n *xmlNode, typ, where string, problems *[]string) {
	if re, ok := s.simple[typ]; ok || typ == "xs:string" {
		if len(n.Children) > 0 {
			*problems = append(*problems, where+": element content where text is expected")
		}
		if ok && typ != "xs:string" && !re.MatchString(n.Text) {
			*problems = append(*problems, fmt.Sprintf("%s: %q is not a %s", where, n.Text, typ))
		}
		return
	}
	ty, ok := s.types[typ]
	if !ok {
		*problems = append(*problems, fmt.Sprintf("%s: type %s not in the schema", where, typ))
		return
	}
	for _, a := range n.Attrs {
		def, ok := ty.attrs[a.Name.Local]
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s: attribute %s is not allowed", where, a.Name.Local))
			continue
		}
		if re, ok := s.simple[def.typ]; ok && !re.MatchString(a.Value) {
			*problems = append(*problems, fmt.Sprintf("%s/@%s: %q is not a %s", where, a.Name.Local, a.Value, def.typ))
		}
	}
	for name, def := range ty.attrs {
		if def.required && n.attr(name) == "" && !hasAttr(n, name) {
			*problems = append(*problems, fmt.Sprintf("%s: required attribute %s is missing", where, name))
		}
	}
	if !ty.text && strings.TrimSpace(n.Text) != "" {
		*problems = append(*problems, where+": text where only elements are allowed")
	}
	// Match the children against the sequence, greedily.
	i := 0
	for _, p := range ty.particles {
		count := 0
		for i < len(n.Children) && (p.max < 0 || count < p.max) {
			ct, ok := p.names[n.Children[i].XMLName.Local]
			if !ok {
				break
			}
			s.check(n.Children[i], ct, fmt.Sprintf("%s/%s[%d]", where, n.Children[i].XMLName.Local, i+1), problems)
			i++
			count++
		}
		if count < p.min {
			*problems = append(*problems, fmt.Sprintf("%s: %d of %v, want at least %d", where, count, keys(p.names), p.min))
		}
	}
	if i < len(n.Children) {
		*problems = append(*problems, fmt.Sprintf("%s: element <%s> is not allowed here", where, n.Children[i].XMLName.Local))
	}
}

func hasAttr(n *xmlNode, name string) bool {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return true
		}
	}
	return false
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// The structural check catches what it should: a test of the test.
func TestJUnitStructuralCheckRejects(t *testing.T) {
	schema := loadXSD(t, filepath.Join("testdata", "junit.xsd"))
	for _, bad := range []string{
		`<testsuites><testsuite tests="1" failures="0" errors="0"/></testsuites>`,                                                                 // no name
		`<testsuites><testsuite name="a" tests="x" failures="0" errors="0"/></testsuites>`,                                                        // not a count
		`<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="c" classname="a" time="1s"/></testsuite></testsuites>`, // time not numeric
		`<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="c" classname="a" time="1"><failure/><error/></testcase></testsuite></testsuites>`,
		`<testsuites><testsuite name="a" tests="1" failures="0" errors="0"><testcase name="c" classname="a" time="1"><system-out/><properties/></testcase></testsuite></testsuites>`,
	} {
		var root xmlNode
		if err := xml.Unmarshal([]byte(bad), &root); err != nil {
			t.Fatal(err)
		}
		if len(schema.validate(&root)) == 0 {
			t.Errorf("accepted %s", bad)
		}
	}
}

// A filtered run leaves the cases it did not select out of junit.xml: they
// were not run, so CI must not list them as skipped tests. A case skipped
// because it could not apply stays <skipped>.
func TestJUnitLeavesOutUnselectedCases(t *testing.T) {
	r := sampleReport()
	r.Cases = append(r.Cases,
		result.CaseResult{ID: "lifecycle.not-selected", Theme: "lifecycles", Verdict: result.Skip, FilteredOut: true,
			Requirements: []string{"REQ-STA-04"}, Messages: []string{"filtered out: tags"}},
		result.CaseResult{ID: "other.not-selected", Theme: "only-filtered", Verdict: result.Skip, FilteredOut: true,
			Requirements: []string{"REQ-STA-01"}, Messages: []string{"filtered out: tags"}})
	var buf bytes.Buffer
	if err := JUnit(&buf, r); err != nil {
		t.Fatal(err)
	}
	var root xmlNode
	if err := xml.Unmarshal(buf.Bytes(), &root); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range root.children("testsuite") {
		if s.attr("name") == "only-filtered" {
			t.Error("a theme whose cases were all filtered out has a testsuite")
		}
		for _, c := range s.children("testcase") {
			names[c.attr("name")] = true
		}
	}
	for _, id := range []string{"lifecycle.not-selected", "other.not-selected"} {
		if names[id] {
			t.Errorf("unselected case %s is in junit.xml", id)
		}
	}
	if !names["parent.dual-active"] {
		t.Error("a case skipped because it could not apply is missing from junit.xml")
	}
	if got, want := root.attr("tests"), strconv.Itoa(len(sampleReport().Cases)); got != want {
		t.Errorf("testsuites tests=%s, want %s (the selected cases)", got, want)
	}
	checkJUnitCounts(t, "filtered", &root)
}
