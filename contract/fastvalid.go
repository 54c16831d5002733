package contract

import (
	"encoding/json"
	"math/big"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// surelyValid reports whether v certainly conforms to s, for the keywords
// the schemas of this API use (type, enum of strings, required, properties,
// additionalProperties, items, minItems, minLength, minimum, $ref, boolean
// schemas). A schema with any other keyword, and any value that breaks
// one, gets false: validateBodyWith then runs jsonschema/v5, whose verdict
// and messages stand. So this never lets through what jsonschema/v5 would
// refuse; it spares the common case (a conforming answer, thousands of
// results) jsonschema/v5's bookkeeping of each value, which costs several
// times the check itself.
func surelyValid(s *jsonschema.Schema, v any) bool {
	if s == nil {
		return true
	}
	if !fastSupported(s) {
		return false
	}
	if s.Always != nil {
		return *s.Always
	}
	if s.Ref != nil && !surelyValid(s.Ref, v) {
		return false
	}
	if len(s.Types) > 0 && !typeMatches(s.Types, v) {
		return false
	}
	if len(s.Enum) > 0 {
		str, ok := v.(string)
		if !ok {
			return false
		}
		found := false
		for _, e := range s.Enum {
			if e.(string) == str { // fastSupported: every enum value is a string
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	switch t := v.(type) {
	case map[string]any:
		for _, k := range s.Required {
			if _, ok := t[k]; !ok {
				return false
			}
		}
		for k, e := range t {
			if ps, ok := s.Properties[k]; ok {
				if !surelyValid(ps, e) {
					return false
				}
				continue
			}
			switch ap := s.AdditionalProperties.(type) {
			case nil:
			case bool:
				if !ap {
					return false
				}
			case *jsonschema.Schema:
				if !surelyValid(ap, e) {
					return false
				}
			default:
				return false
			}
		}
	case []any:
		if s.MinItems != -1 && len(t) < s.MinItems {
			return false
		}
		if s.Items != nil {
			is, ok := s.Items.(*jsonschema.Schema)
			if !ok {
				return false
			}
			for _, e := range t {
				if !surelyValid(is, e) {
					return false
				}
			}
		}
	case string:
		if s.MinLength != -1 && utf8.RuneCountInString(t) < s.MinLength {
			return false
		}
	case json.Number:
		if s.Minimum != nil {
			n, ok := new(big.Rat).SetString(string(t))
			if !ok || n.Cmp(s.Minimum) < 0 {
				return false
			}
		}
	}
	return true
}

// fastSupported: s uses no keyword surelyValid does not check.
func fastSupported(s *jsonschema.Schema) bool {
	for _, e := range s.Enum {
		if _, ok := e.(string); !ok {
			return false
		}
	}
	_, itemsList := s.Items.([]*jsonschema.Schema)
	return !itemsList && s.Format == "" && s.RecursiveRef == nil && s.DynamicRef == nil &&
		len(s.Constant) == 0 && s.Not == nil && len(s.AllOf) == 0 && len(s.AnyOf) == 0 && len(s.OneOf) == 0 && s.If == nil &&
		s.MinProperties == -1 && s.MaxProperties == -1 && s.PropertyNames == nil && len(s.PatternProperties) == 0 &&
		len(s.Dependencies) == 0 && len(s.DependentRequired) == 0 && len(s.DependentSchemas) == 0 && s.UnevaluatedProperties == nil &&
		s.MaxItems == -1 && !s.UniqueItems && s.AdditionalItems == nil && len(s.PrefixItems) == 0 && s.Items2020 == nil &&
		s.Contains == nil && s.UnevaluatedItems == nil &&
		s.MaxLength == -1 && s.Pattern == nil && s.ContentEncoding == "" && s.ContentMediaType == "" && s.ContentSchema == nil &&
		s.ExclusiveMinimum == nil && s.Maximum == nil && s.ExclusiveMaximum == nil && s.MultipleOf == nil && len(s.Extensions) == 0
}

// typeMatches is jsonschema/v5's type check: a number is an integer when
// its value is whole (1.0 is).
func typeMatches(types []string, v any) bool {
	var vt string
	switch v.(type) {
	case nil:
		vt = "null"
	case bool:
		vt = "boolean"
	case json.Number:
		vt = "number"
	case string:
		vt = "string"
	case []any:
		vt = "array"
	case map[string]any:
		vt = "object"
	default:
		return false
	}
	for _, t := range types {
		if t == vt {
			return true
		}
		if t == "integer" && vt == "number" {
			if n, ok := new(big.Rat).SetString(string(v.(json.Number))); ok && n.IsInt() {
				return true
			}
		}
	}
	return false
}
