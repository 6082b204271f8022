// Command templatesbench is the reference side of the templates benchmark (scripts/bench/templates.sh): it runs the
// Go-template cases of cases.json with Go's own text/template and prints evaluations per second, measured the same
// way as Sources/templates-bench, so the two can be printed side by side.
//
// The event is decoded the way the differential tests' reference program decodes it (encoding/json into
// interface{}, every number a float64, an RFC 3339 _timestamp turned into a time.Time). That happens once, before
// timing: Go is measured on execution alone, the strictest reference for rivulet, which converts per evaluation.
//
// Output: one line per case, "<case>\t<variant>\t<evaluations per second>\t<FNV-1a of the output>"; lines
// starting with # are comments.
//
//	go run . cases.json
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"os"
	"runtime"
	"sort"
	"strings"
	"text/template"
	"time"
)

// The measurement both programs share: a warm-up that also sizes batches to about a millisecond, so the clock is
// read rarely enough not to weigh on the fastest case, then three measured windows of whole batches. The median
// window is reported because one window on shared cores moved by up to a fifth between runs.
const (
	warmUp           = 500 * time.Millisecond
	window           = time.Second
	windows          = 3
	batchesPerWarmUp = 500
)

type benchCase struct {
	Name       string `json:"name"`
	Language   string `json:"language"`
	Expression string `json:"expression"`
}

type cases struct {
	Event map[string]interface{} `json:"event"`
	Cases []benchCase            `json:"cases"`
}

// rate runs evaluate for the warm-up and then the measured windows, and returns evaluations per second in the
// median window.
func rate(evaluate func()) float64 {
	count := 0
	warmUpStart := time.Now()
	for time.Since(warmUpStart) < warmUp {
		evaluate()
		count++
	}
	batch := count / batchesPerWarmUp
	if batch < 1 {
		batch = 1
	}
	rates := make([]float64, 0, windows)
	for w := 0; w < windows; w++ {
		count = 0
		start := time.Now()
		var elapsed time.Duration
		for elapsed < window {
			for i := 0; i < batch; i++ {
				evaluate()
			}
			count += batch
			elapsed = time.Since(start)
		}
		rates = append(rates, float64(count)/elapsed.Seconds())
	}
	sort.Float64s(rates)
	return rates[windows/2]
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "templatesbench: "+format+"\n", args...)
	os.Exit(2)
}

func main() {
	if len(os.Args) != 2 {
		fail("usage: templatesbench CASES.json")
	}
	// Offsets in parsed timestamps must resolve the same way on every machine, as in the reference program.
	time.Local = time.UTC
	text, err := os.ReadFile(os.Args[1])
	if err != nil {
		fail("%v", err)
	}
	var input cases
	if err := json.Unmarshal(text, &input); err != nil {
		fail("%s: %v", os.Args[1], err)
	}
	if s, ok := input.Event["_timestamp"].(string); ok {
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			input.Event["_timestamp"] = t
		}
	}
	fmt.Println("# Go", strings.TrimPrefix(runtime.Version(), "go"), "text/template, one goroutine")
	var out bytes.Buffer
	for _, c := range input.Cases {
		if c.Language != "go" {
			continue
		}
		tmpl, err := template.New("expression").Parse(c.Expression)
		if err != nil {
			fail("%s: %v", c.Name, err)
		}
		// A buffer reused across evaluations, as a caller producing a string per event would keep one.
		perSecond := rate(func() {
			out.Reset()
			if err := tmpl.Execute(&out, input.Event); err != nil {
				fail("%s: %v", c.Name, err)
			}
		})
		hash := fnv.New64a()
		hash.Write(out.Bytes())
		fmt.Printf("%s\ttext/template\t%.0f\t%016x\n", c.Name, perSecond, hash.Sum64())
	}
}
