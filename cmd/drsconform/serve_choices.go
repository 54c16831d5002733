package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/drsconform/drsconform/reference"
)

// registerChoices adds --choices, the preset of allowed choices (README.md,
// "A server for every allowed behaviour"), and makes each choice flag of
// serve default to the preset's value: it stays empty unless given, so that
// reference.Config takes the preset's, and a flag given overrides it.
func registerChoices(fs *flag.FlagSet) *choiceFlag {
	choices := &choiceFlag{value: string(reference.ChoicesReference),
		allowed: []string{string(reference.ChoicesReference), string(reference.ChoicesOther)}}
	fs.Var(choices, "choices", "the preset of allowed choices: reference (the reference's own) or other (every choice the reference does not make; see above)")
	for _, p := range []struct{ name, reference, other string }{
		{"duplicates", string(reference.DuplicatesAccept), string(reference.DuplicatesReject)},
		{"unknown-fields", string(reference.UnknownFieldsIgnore), string(reference.UnknownFieldsReject)},
		{"other-language", string(reference.OtherLanguageDefault), string(reference.OtherLanguageReject)},
		{"content-type-status", "400", "415"},
	} {
		f := fs.Lookup(p.name)
		f.Value.(*choiceFlag).value, f.DefValue = "", ""
		f.Usage += presetDefault(p.reference, p.other)
	}
	return choices
}

// presetDefault says what a choice flag defaults to under each preset of --choices.
func presetDefault(ref, other string) string {
	return fmt.Sprintf(" (default: %s with --choices reference, %s with --choices other)", ref, other)
}

// flagGiven reports whether the flag name was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// The help of serve says what --choices does (set here, beside the flag,
// rather than in help.go's table).
func init() {
	h := helpTexts["serve"]
	h.examples = append(h.examples, "serve --choices other --duplicates accept")
	h.details = serveChoicesHelp()
	helpTexts["serve"] = h
}

// serveChoicesHelp is the paragraph of `serve --help` on the presets of
// --choices: each choice, the requirement that allows it, and its flag.
func serveChoicesHelp() string {
	var b strings.Builder
	b.WriteString("Serves the reference implementation. Where the spec allows several answers, --choices\n" +
		"picks whose: reference (the default) or other, a correct server that makes every choice\n" +
		"the reference does not, so that a client's tests can run against both. A flag named\n" +
		"below, when given, overrides the preset. The choices (requirement IDs of\n" +
		"conformance/requirements.yaml):\n")
	for _, c := range reference.OtherChoices() {
		fmt.Fprintf(&b, "  %s: %s\n      reference: %s\n      other:     %s\n", c.Requirements, c.What, c.Reference, c.Other)
		if c.Flag != "" {
			fmt.Fprintf(&b, "      flag:      %s\n", c.Flag)
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}
