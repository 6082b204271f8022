// Command goreference evaluates (template, object) pairs with Go's own text/template, so the Swift engine in
// Sources/Templates can be compared with the language it implements. It reads one JSON request per line on stdin,
// {"template": "...", "object": {...}}, and writes one JSON reply per line on stdout:
// {"output": "..."} on success, or {"error": "...", "kind": "parse"|"exec"} on failure.
//
// The object is decoded the way Jitsu decodes events (encoding/json into interface{}, every number a float64), and
// the extra functions and the _timestamp rule mirror Sources/Templates; change both together.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/template"
	"time"
)

type request struct {
	Template string                 `json:"template"`
	Object   map[string]interface{} `json:"object"`
}

type reply struct {
	Output *string `json:"output,omitempty"`
	Error  string  `json:"error,omitempty"`
	Kind   string  `json:"kind,omitempty"`
}

// functions are Jitsu's additions to the built-in template functions.
var functions = template.FuncMap{
	"json": func(v interface{}) string {
		b, err := json.Marshal(v)
		if err != nil {
			return err.Error()
		}
		return string(b)
	},
	"json_indent": jsonIndent,
	"json_indent_quote": func(v interface{}) string {
		return strings.ReplaceAll(jsonIndent(v), `"`, `\"`)
	},
	"get": get,
}

func jsonIndent(v interface{}) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// get follows a JSON path such as "/a/b" through nested objects and returns def when any step is missing.
func get(obj interface{}, path string, def interface{}) interface{} {
	current := obj
	for _, part := range strings.Split(strings.Trim(path, "/"), "/") {
		if part == "" {
			continue
		}
		m, ok := current.(map[string]interface{})
		if !ok {
			return def
		}
		if current, ok = m[part]; !ok {
			return def
		}
	}
	return current
}

func evaluate(req request) reply {
	if strings.Contains(req.Template, "_timestamp") {
		if s, ok := req.Object["_timestamp"].(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				req.Object["_timestamp"] = t
			}
		}
	}
	tmpl, err := template.New("expression").Funcs(functions).Parse(req.Template)
	if err != nil {
		return reply{Error: err.Error(), Kind: "parse"}
	}
	var out bytes.Buffer
	if err := tmpl.Execute(&out, req.Object); err != nil {
		return reply{Error: err.Error(), Kind: "exec"}
	}
	s := out.String()
	return reply{Output: &s}
}

func main() {
	// Offsets in parsed timestamps must resolve the same way on every machine.
	time.Local = time.UTC
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<26)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		var req request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			fmt.Fprintln(os.Stderr, "bad request:", err)
			os.Exit(2)
		}
		if err := enc.Encode(evaluate(req)); err != nil {
			fmt.Fprintln(os.Stderr, "write:", err)
			os.Exit(2)
		}
	}
}
