package ovsdb

import (
	"encoding/json"
	"fmt"
)

// schema is what the parser needs of a database schema (RFC 7047 §3.2): the
// tables and, per column, whether it holds more than one element (a diff
// then adds and removes elements instead of replacing the value).
type schema struct {
	Name    string
	Version string
	tables  map[string]map[string]colType
}

type colType struct {
	composite bool // max > 1: a set or map whose diffs are element-wise
}

type rawSchema struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Tables  map[string]struct {
		Columns map[string]struct {
			Type json.RawMessage `json:"type"`
		} `json:"columns"`
	} `json:"tables"`
}

func parseSchema(b []byte) (*schema, error) {
	var raw rawSchema
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if raw.Name == "" || raw.Tables == nil {
		return nil, fmt.Errorf("schema: no name or no tables")
	}
	sc := &schema{Name: raw.Name, Version: raw.Version, tables: map[string]map[string]colType{}}
	for tn, t := range raw.Tables {
		cols := map[string]colType{}
		for cn, c := range t.Columns {
			ct, err := parseType(c.Type)
			if err != nil {
				return nil, fmt.Errorf("schema: table %s column %s: %w", tn, cn, err)
			}
			cols[cn] = ct
		}
		sc.tables[tn] = cols
	}
	return sc, nil
}

// parseType reads a column type: an atomic type name, or {"key": …,
// "value": …, "min": n, "max": n|"unlimited"} with max defaulting to 1.
func parseType(b json.RawMessage) (colType, error) {
	if len(b) > 0 && b[0] == '"' {
		return colType{}, nil
	}
	var t struct {
		Max json.RawMessage `json:"max"`
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return colType{}, err
	}
	switch {
	case len(t.Max) == 0:
		return colType{}, nil
	case string(t.Max) == `"unlimited"`:
		return colType{composite: true}, nil
	}
	var n int64
	if err := json.Unmarshal(t.Max, &n); err != nil {
		return colType{}, fmt.Errorf("max: %w", err)
	}
	return colType{composite: n > 1}, nil
}
