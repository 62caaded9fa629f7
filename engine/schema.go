package engine

import _ "embed"

// Schema is the JSON Schema (draft 2020-12) of a flow file, for editors
// that complete and check keys as they are typed: point YAML files at it
// with a "# yaml-language-server: $schema=PATH" first line, or print it
// with "ivrctl schema". It describes the keys and the shape of their
// values; Load goes further (references, variables, 8x8's limits), so a
// file the schema accepts can still have diagnostics. Do not modify it.
//
//go:embed flow.schema.json
var Schema []byte
