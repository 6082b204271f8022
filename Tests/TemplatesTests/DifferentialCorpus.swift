/// The cases the differential test runs through both Go's `text/template` and the Swift engine: hand-written ones
/// for every construct and error, then generated combinations of functions, operands, verbs and layouts.
enum DifferentialCorpus {
    /// A template and the JSON text of the object it runs on.
    struct Case {
        let template: String
        let object: String
    }

    /// The event most cases run on: every JSON type, nesting, Unicode, HTML-sensitive text and two timestamps.
    static let event = #"""
    {"event_type":"page view","app":"Shop","n":3,"f":2.5,"big":123456789,"small":0.00001,"neg":-4,"zero":0,
     "t":true,"no":false,"nul":null,"s":"Hello, World","empty":"","html":"<a href=\"x\">&'</a>",
     "uni":"héllo wörld ✓","ctl":"tab\there\nline","arr":[1,"two",3.5,true,null,{"k":"v"}],"nums":[3,1,2],
     "strs":["b","a","c"],"emptyArr":[],"obj":{"b":2,"a":1,"c":{"d":"deep"}},"emptyObj":{},
     "user":{"id":"u1","email":"a@b.c","tags":["x","y"],"n":null},"_timestamp":"2024-03-05T07:08:09.123456Z",
     "ts2":"2023-12-31T23:59:59+05:30","i":1,"key":"a","layout":"2006-01-02","fmt":"%d-%s"}
    """#

    static let handWritten: [String] = [
        // Text, actions, trim markers, comments.
        "", "plain text", "{{.event_type}}", "a {{.app}} b", "{{- .app -}}", "x  {{- .app}}  y", "x  {{.app -}}  y",
        "x \n {{- /* comment */ -}} \n y", "{{/* only a comment */}}", "a{{/* c */}}b", "{{.app}}\n{{.n}}\n",
        "{{ .app }}", "{{\n.app\n}}", "{{-3}}", "{{- 3}}", "{{3 -}}", "{{.missing}}", "{{.nul}}", "{{.}}",
        "{{$}}", "{{.user}}", "{{.user.id}}", "{{.user.missing}}", "{{.user.missing.deeper}}", "{{.obj.c.d}}",
        "{{.missing.a.b}}", "{{.nul.a}}", "{{.user.n.x}}", "{{.s.x}}", "{{.n.x}}", "{{.arr.x}}", "{{.t.x}}",
        // Literals.
        "{{1}}", "{{1.0}}", "{{1.5}}", "{{-2}}", "{{+7}}", "{{0x1F}}", "{{0o17}}", "{{017}}", "{{0b101}}", "{{1_000}}",
        "{{1e3}}", "{{1e-7}}", "{{2.5e10}}", "{{1000000.0}}", "{{'a'}}", "{{'\\n'}}", "{{\"str\"}}", "{{`raw\\n`}}",
        "{{\"esc\\t\\u00e9\"}}", "{{true}}", "{{false}}", "{{nil}}", "{{99999999999999999999}}",
        "{{18446744073709551615}}", "{{print 9223372036854775807}}",
        // Numbers from JSON are float64 and print like Go's %v.
        "{{.n}}", "{{.f}}", "{{.big}}", "{{.small}}", "{{.neg}}", "{{.zero}}", "{{.arr}}", "{{.obj}}", "{{.nums}}",
        "{{.emptyArr}}", "{{.emptyObj}}", "{{.uni}}", "{{.ctl}}",
        // Variables.
        "{{$x := .app}}{{$x}}", "{{$x := 1}}{{$x = 2}}{{$x}}", "{{$x := .user}}{{$x.id}}",
        "{{$x := .nul}}{{$x.a}}", "{{with $x := .user}}{{$x.email}}{{end}}",
        "{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", "{{$x := 1}}{{if true}}{{$x := 2}}{{end}}{{$x}}",
        "{{$y}}", "{{if true}}{{$v := 1}}{{end}}{{$v}}", "{{$.app}}", "{{with .user}}{{$.app}}{{end}}",
        "{{$a, $b := 1}}", "{{range $a, $b, $c := .nums}}{{end}}",
        // if / else if / else.
        "{{if .t}}yes{{end}}", "{{if .no}}yes{{else}}no{{end}}", "{{if .missing}}y{{else}}n{{end}}",
        "{{if .nul}}y{{else}}n{{end}}", "{{if .empty}}y{{else}}n{{end}}", "{{if .emptyArr}}y{{else}}n{{end}}",
        "{{if .emptyObj}}y{{else}}n{{end}}", "{{if .zero}}y{{else}}n{{end}}", "{{if .arr}}y{{else}}n{{end}}",
        "{{if .no}}a{{else if .t}}b{{else}}c{{end}}", "{{if .no}}a{{else if .no}}b{{else if .n}}c{{end}}",
        "{{if}}x{{end}}", "{{if .t}}x", "{{if .t}}x{{else}}y{{else}}z{{end}}", "{{else}}", "{{end}}",
        "{{if .t}}{{end}}", "{{if gt .n 2}}big{{end}}", "{{if gt .n 2.0}}big{{end}}",
        "{{if and .t .no}}y{{else}}n{{end}}", "{{if or .no .n}}y{{end}}", "{{if not .no}}y{{end}}",
        // range.
        "{{range .nums}}{{.}},{{end}}", "{{range $i, $e := .strs}}{{$i}}={{$e}};{{end}}",
        "{{range $e := .strs}}{{$e}}{{end}}", "{{range $k, $v := .obj}}{{$k}}:{{$v}} {{end}}",
        "{{range .obj}}{{.}} {{end}}", "{{range .emptyArr}}x{{else}}empty{{end}}", "{{range .missing}}x{{else}}none{{end}}",
        "{{range .s}}x{{end}}", "{{range .n}}x{{end}}", "{{range .t}}x{{end}}", "{{range .arr}}[{{.}}]{{end}}",
        "{{range .nums}}{{if eq . 1.0}}{{break}}{{end}}{{.}}{{end}}",
        "{{range .nums}}{{if eq . 1.0}}{{continue}}{{end}}{{.}}{{end}}", "{{break}}", "{{continue}}",
        "{{range .nums}}{{break 1}}{{end}}", "{{range .arr}}{{.k}}{{end}}", "{{range $i, $e := .arr}}{{$e.x}}{{end}}",
        "{{range .user.tags}}{{$.app}}-{{.}} {{end}}", "{{range $i, $_ := .nums}}{{$i}}{{end}}",
        "{{range .nums}}{{range $.strs}}{{.}}{{end}}|{{end}}", "{{range .emptyObj}}x{{else}}e{{end}}",
        // with.
        "{{with .user}}{{.id}}{{end}}", "{{with .missing}}x{{else}}none{{end}}", "{{with .s}}{{.}}{{end}}",
        "{{with .s}}{{.y}}{{end}}", "{{with .empty}}x{{else}}empty{{end}}", "{{with .user}}{{with .tags}}{{.}}{{end}}{{end}}",
        // define, template, block.
        "{{define \"a\"}}A{{.}}{{end}}{{template \"a\" .app}}", "{{template \"nope\"}}",
        "{{define \"a\"}}[{{.}}]{{end}}{{template \"a\"}}", "{{block \"b\" .app}}B{{.}}{{end}}",
        "{{define \"a\"}}x{{end}}", "{{define \"a\"}}x{{end}}{{define \"a\"}}y{{end}}", "{{define \"a\"}}x{{else}}y{{end}}",
        "{{define \"r\"}}{{if .}}{{template \"r\" slice . 1}}{{.}}{{end}}{{end}}{{template \"r\" .s}}",
        "{{define \"a\"}}{{$x}}{{end}}", "{{$x := 1}}{{define \"a\"}}{{.}}{{end}}{{template \"a\" $x}}",
        "{{template \"a\" .}}{{define \"a\"}}{{.missing.x}}{{.s.x}}{{end}}", "{{template .app}}",
        "{{define \"a\"}}\n\n{{.n.q}}{{end}}{{template \"a\" .}}",
        // Pipelines and parentheses.
        "{{.app | printf \"%s!\"}}", "{{.n | printf \"%v %v\" 1}}", "{{\"a\" | len}}", "{{.app | len | print}}",
        "{{(len .s)}}", "{{(.user).id}}", "{{(index .arr 5).k}}", "{{(.s).x}}", "{{len (print .app .n)}}",
        "{{.app | 3}}", "{{. | .app}}", "{{.app |}}", "{{| .app}}", "{{(1) 2}}", "{{(nil).x}}", "{{nil | print}}",
        "{{\"abcdefghijklmnop\" 1}}", "{{.app 1}}", "{{.app | .user}}", "{{$x := 2 | print}}{{$x}}",
        // Built-in functions.
        "{{and 1 0 2}}", "{{and 1 2}}", "{{or 0 \"\" 3}}", "{{or 0 \"\"}}", "{{and}}", "{{or .missing .app}}",
        "{{and .t .missing.x}}", "{{not 0}}", "{{not .s}}", "{{not}}", "{{not 1 2}}", "{{len .s}}", "{{len .uni}}",
        "{{len .arr}}", "{{len .obj}}", "{{len .n}}", "{{len .missing}}", "{{len .nul}}", "{{len 3}}", "{{len}}",
        "{{index .arr 1}}", "{{index .arr 4}}", "{{index .arr 5 \"k\"}}", "{{index .arr 6}}", "{{index .arr -1}}",
        "{{index .obj \"a\"}}", "{{index .obj \"zz\"}}", "{{index .obj .key}}", "{{index .obj 1}}", "{{index .s 1}}",
        "{{index .s 100}}", "{{index .n 1}}", "{{index .missing 1}}", "{{index .arr .i}}", "{{index .arr 1.0}}",
        "{{index .arr}}", "{{index .user \"tags\" 1}}", "{{index .obj nil}}", "{{slice .s 1 3}}", "{{slice .s 2}}",
        "{{slice .s}}", "{{slice .arr 1 2}}", "{{slice .s 3 1}}", "{{slice .s 1 2 3}}", "{{slice .arr 1 2 3}}",
        "{{slice .arr 1 5 4}}", "{{slice .n 1}}", "{{slice .missing 1}}", "{{slice .s .i}}", "{{slice .s 1 2 3 4}}",
        "{{slice .s 0 100}}", "{{call .app}}", "{{call .missing}}", "{{print}}", "{{print 1 2}}", "{{print \"a\" 1 2 \"b\"}}",
        "{{print .missing}}", "{{print .nul .arr}}", "{{print .obj}}", "{{println .app .n}}", "{{println}}",
        "{{html .html}}", "{{html .missing}}", "{{html 1 \"<\"}}", "{{js .html}}", "{{js .uni}}", "{{js .ctl}}",
        "{{js \"a=b\"}}", "{{urlquery .s}}", "{{urlquery .uni \"&\"}}", "{{urlquery .missing}}", "{{nofunc}}",
        "{{.app | nofunc}}",
        // Comparisons: Go compares only the same basic kind, and JSON numbers are float64.
        "{{eq .n 3}}", "{{eq .n 3.0}}", "{{eq .app \"Shop\"}}", "{{eq .app \"x\" \"Shop\"}}", "{{eq .app}}",
        "{{eq .missing .missing}}", "{{eq .missing 1}}", "{{eq .nul .missing}}", "{{eq .arr .arr}}", "{{eq .obj .obj}}",
        "{{eq .arr .obj}}", "{{eq .t true}}", "{{eq 1 1}}", "{{eq .s 1}}", "{{eq .app nil}}", "{{ne .n 3.0}}",
        "{{ne .app \"x\"}}", "{{ne 1 \"a\"}}", "{{lt .n 5.0}}", "{{lt .n 5}}", "{{lt 1 2}}", "{{lt \"a\" \"b\"}}",
        "{{lt .t .no}}", "{{lt .missing 1}}", "{{lt .arr .arr}}", "{{le 2 2}}", "{{le .f 2.5}}", "{{le 1 \"a\"}}",
        "{{gt .big 1e8}}", "{{gt \"b\" \"a\"}}", "{{ge .n 3.0}}", "{{ge 1 2}}", "{{gt .n 2}}", "{{lt (index .s 0) 100}}",
        "{{eq (index .s 0) 72}}", "{{gt}}", "{{gt 1}}", "{{gt 1 2 3}}", "{{eq ._timestamp ._timestamp}}",
        // printf verbs, flags and Go's error forms.
        "{{printf \"%d\" 3}}", "{{printf \"%d\" .n}}", "{{printf \"%v|%s|%q\" .app .app .app}}", "{{printf \"%5d|%-5d|%05d\" 42 42 42}}",
        "{{printf \"%x %X %o %b %c %U\" 255 255 8 5 65 9731}}", "{{printf \"%f %.2f %8.3f %e %g %G\" .f .f .f .big .small .big}}",
        "{{printf \"%t %v\" .t .no}}", "{{printf \"%s\" .n}}", "{{printf \"%d\" .arr}}", "{{printf \"%v\" .obj}}",
        "{{printf \"%s %s\" .app}}", "{{printf \"%s\" .app .n}}", "{{printf \"%z\" 1}}", "{{printf \"100%%\"}}",
        "{{printf \"%\"}}", "{{printf \"%q\" .uni}}", "{{printf \"%q\" .ctl}}", "{{printf \"%x\" .s}}", "{{printf \"%.3s\" .s}}",
        "{{printf \"%10s|%-10s|\" .app .app}}", "{{printf \"%+d % d %+.1f\" 5 5 2.25}}", "{{printf \"%v\" .missing}}",
        "{{printf \"%d\" .missing}}", "{{printf \"%s\" .nul}}", "{{printf .fmt 1 \"a\"}}", "{{printf 1}}",
        "{{printf .n}}", "{{printf .missing}}", "{{printf}}", "{{printf \"%v\" ._timestamp}}", "{{printf \"%s\" .t}}",
        "{{printf \"%6.2f|%-8.3e|\" .f .big}}", "{{printf \"%#x %#o\" 255 8}}", "{{printf \"%q\" 65}}", "{{printf \"%.0f\" 2.5}}",
        // Jitsu's functions.
        "{{json .}}", "{{json .obj}}", "{{json .arr}}", "{{json .html}}", "{{json .uni}}", "{{json .missing}}",
        "{{json .n}}", "{{json .small}}", "{{json 1}}", "{{json_indent .user}}", "{{json_indent .emptyArr}}",
        "{{json_indent_quote .obj}}", "{{json ._timestamp}}", "{{json}}", "{{json .a .b}}", "{{get . \"/user/id\" \"none\"}}",
        "{{get . \"/user/nope\" \"none\"}}", "{{get . \"/obj/c/d\" 0}}", "{{get .user \"tags\" 0}}", "{{get . \"\" 0}}",
        "{{get . 1 0}}", "{{get . .app 0}}", "{{get . .n 0}}", "{{get . .missing 0}}", "{{get . \"/s/x\" \"d\"}}",
        "{{get . \"/nul\" \"d\"}}",
        // _timestamp as a Go time.
        "{{._timestamp}}", "{{._timestamp.Format \"2006_01\"}}", "{{._timestamp.Format \"2006-01-02T15:04:05Z07:00\"}}",
        "{{._timestamp.Format \"Mon Jan _2 3:04:05.000 PM MST 06\"}}", "{{._timestamp.Format \"Monday January 2 .999999 ,000000\"}}",
        "{{._timestamp.Format .layout}}", "{{._timestamp.Format}}", "{{._timestamp.Format 1}}", "{{._timestamp.Format .n}}",
        "{{._timestamp.Format \"a\" \"b\"}}", "{{._timestamp.Year}}", "{{._timestamp.Unix}}", "{{._timestamp.UnixMilli}}",
        "{{._timestamp.Hour}}:{{._timestamp.Minute}}:{{._timestamp.Second}}", "{{._timestamp.YearDay}}",
        "{{._timestamp.UTC}}", "{{._timestamp.Nope}}", "{{._timestamp.wall}}", "{{$t := ._timestamp}}{{$t.Format \"15h04\"}}",
        "{{$t := ._timestamp}}{{$t.x}}", "{{with ._timestamp}}{{.Format \"2006\"}}{{end}}", "{{if ._timestamp}}t{{end}}",
        "{{._timestamp.Format \"2006_01\"}}_{{.app}}", "{{printf \"%s\" ._timestamp}}", "{{._timestamp | printf \"%v\"}}",
        "{{.ts2}}", "{{range $k, $v := .}}{{if eq $k \"_timestamp\"}}{{$v}}{{end}}{{end}}",
        // Lexer and parser errors.
        "{{", "{{.app", "{{.app}", "{{.app}}}}", "}}", "{{\"unterminated}}", "{{`raw}}", "{{'a}}", "{{'ab'}}",
        "{{/* unclosed }}", "{{/* c */ .app}}", "{{.app)}}", "{{(.app}}", "{{)}}", "{{.a#b}}", "{{$x#}}", "{{@}}",
        "{{.app ~}}", "{{3k}}", "{{0x}}", "{{1.2.3}}", "{{.app :}}", "{{$x := }}", "{{$x := 1 2}}{{$x}}",
        "{{$x = 1}}", "{{\"a\".b}}", "{{1.x}}", "{{true.x}}", "{{..}}", "{{.app\n.x}}", "{{if .t}}\n{{.app\n",
        "{{range}}{{end}}", "{{with}}{{end}}", "{{range .nums}}{{else if .t}}{{end}}", "{{with .t}}{{else}}{{else}}{{end}}",
        "{{template}}", "{{template 1}}", "{{define 1}}{{end}}", "{{define \"a\"}}", "{{block}}", "{{if .t}}{{define \"a\"}}{{end}}{{end}}",
        "{{.app | 1}}", "{{1 | .app}}", "{{.app | \"x\"}}", "{{.app | .user}}", "{{.app | nil}}", "line1\nline2 {{.nope x}}",
        "line1\n{{if .t}}\n{{.app.bad.deeper}}\n{{end}}", "{{\"\\q\"}}", "{{'\\q'}}", "{{\"\\x4\"}}", "{{print \"\\u00e9\\U0001F600\"}}",
        "{{.s | printf \"%s\" | len}}", "{{$x := .n}}{{$x.y}}",
    ]

    /// The hand-written cases on the standard event, plus a few on other objects.
    static var handWrittenCases: [Case] {
        handWritten.map { Case(template: $0, object: event) } + [
            Case(template: "{{.a}}", object: "{}"),
            Case(template: "{{._timestamp}}", object: #"{"_timestamp":"not a time"}"#),
            Case(template: "{{._timestamp.Format \"2006\"}}", object: #"{"_timestamp":42}"#),
            Case(template: "{{._timestamp.Format \"15:04 MST -0700 Z07:00\"}}", object: #"{"_timestamp":"2020-02-29T23:30:00-08:00"}"#),
            Case(template: "{{._timestamp}}", object: #"{"_timestamp":"2020-02-30T00:00:00Z"}"#),
            Case(template: "{{._timestamp}}", object: #"{"_timestamp":"1969-07-20T20:17:40.5+00:00"}"#),
            Case(template: "{{._timestamp.Format \"Jan 2, 2006 at 3:04pm (MST)\"}}", object: #"{"_timestamp":"2000-01-01T00:00:00.000000001Z"}"#),
            Case(template: "{{.x}}", object: #"{"x":1e300}"#),
            Case(template: "{{printf \"%.3f|%e|%+.0f|%.40f|%# .1g\" .x .x .x .y .y}}", object: #"{"x":-1e300,"y":0.1}"#),
            Case(template: "{{.x}} {{json .x}}", object: #"{"x":-1.5e-10}"#),
            Case(template: "{{.x}} {{json .x}}", object: #"{"x":123456789012345678901234567890}"#),
            Case(template: "{{json .}}", object: #"{"z":{"y":[{"x":null}]},"\u2028":"a\u0001b"}"#),
            Case(template: "{{range .}}{{.}}{{end}}", object: #"{"b":1,"a":2,"B":3,"é":4}"#),
        ] + fieldsOnlyTemplates.map { Case(template: $0, object: fieldsOnlyEvent) }
    }

    /// Templates that only print fields (`GoTemplate` looks those up without the executor when it can), on an event
    /// where each field ends somewhere else: a string, number, boolean, null, object, array, nothing, or a path
    /// through a value that is not an object.
    static let fieldsOnlyTemplates = [
        "{{.s}}", "{{.n}}", "{{.big}}", "{{.tiny}}", "{{.int}}", "{{.t}}", "{{.f}}", "{{.null}}", "{{.o}}", "{{.a}}",
        "{{.missing}}", "x_{{.s}}-{{.o.k}}_{{.o.deeper.n}}y", "{{.o.missing}}", "{{.s.x}}", "{{.null.x}}",
        "{{.missing.x}}", "{{.a.x}}", "{{.n.x}}", "{{.o.deeper}}", "{{- .s -}} {{ .int }}",
    ]
    static let fieldsOnlyEvent = #"{"s":"text é","n":142.5,"big":1e21,"tiny":1e-7,"int":3,"t":true,"f":false,"null":null,"o":{"k":"v","deeper":{"n":-0.5}},"a":[1,"b"]}"#
}
