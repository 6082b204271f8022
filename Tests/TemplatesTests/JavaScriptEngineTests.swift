import Testing
@testable import Templates

struct JavaScriptEngineTests {
    private let engine: JavaScriptEngine
    private let event = JSONValue.object([
        "event_type": .string("site_page"), "app": .string("shop"), "n": .number(3),
        "user": .object(["id": .string("u1")]),
    ])

    init() throws {
        engine = try JavaScriptEngine()
    }

    @Test(arguments: [
        ("$.event_type", JSONValue.string("site_page")),
        ("_.app + \"_events\"", .string("shop_events")),
        ("var a = $.app; a + \"_t\"", .string("shop_t")),
        ("const a = $.n\nconst b = 2\na * b", .number(6)),
        ("if ($.n > 2) { return 'big' }\nreturn 'small'", .string("big")),
        ("{a: $.n, b: undefined}", .object(["a": .number(3)])),
        ("`${$.app}-${$.user?.id ?? 'anon'}`", .string("shop-u1")),
        ("[1, 'x', null, true]", .array([.number(1), .string("x"), .null, .bool(true)])),
        ("undefined", .null),
        ("$.missing", .null),
        ("function f(x) {\n  return x + 1\n}\nf($.n)", .number(4)),
        ("(() => $.n * 2)()", .number(6)),
    ])
    func evaluatesWithTheEventBoundToDollarAndUnderscore(expression: String, expected: JSONValue) throws {
        #expect(try engine.evaluate(expression, object: event) == expected)
    }

    @Test func theEventReachesJavaScriptUnchanged() throws {
        let text = JSONValue.string("quote \" backslash \\ <b>&amp; \n\r\t\u{01}\u{1f} \u{2028}\u{2029} é 😀")
        let tricky = JSONValue.object([
            "text": text,
            "numbers": .array([.number(0), .number(-0.0), .number(1), .number(-42), .number(0.1), .number(142.5),
                               .number(1e21), .number(1e-7), .number(9_007_199_254_740_993), .number(-1.5e300),
                               .number(5e-324), .number(123_456_789_012)]),
            "nested": .object(["b": .null, "a": .bool(true), "é": .bool(false), "Z": .array([])]),
            "empty": .object([:]),
        ])
        #expect(try engine.evaluate("$", object: tricky) == tricky)
        // Keys arrive in bytewise order, as Go's json.Marshal writes them.
        #expect(try engine.evaluate("Object.keys($.nested).join()", object: tricky) == .string("Z,a,b,é"))
        #expect(try engine.evaluate("$.numbers.map(n => Object.is(n, -0) ? '-0' : String(n)).join()", object: tricky)
            == .string("0,-0,1,-42,0.1,142.5,1e+21,1e-7,9007199254740992,-1.5e+300,5e-324,123456789012"))
        #expect(try engine.evaluate("$.text", object: tricky) == text)
    }

    @Test(arguments: [
        ("$.user === $.user && $.list === $.list", JSONValue.bool(true)),
        ("$.user.id = 'u2'; $.list.push(4); [$.user.id, $.list.length]", .array([.string("u2"), .number(4)])),
        ("$.user.id = 'u2'; $.list[0] = 0; $", .object([
            "event_type": .string("site_page"), "app": .string("shop"), "n": .number(3), "user": .object(["id": .string("u2")]),
            "list": .array([.number(0), .number(2), .number(3)]), "b": .null, "10": .bool(true), "2": .bool(false)])),
        // Array indices first, ascending, then the other keys bytewise, as JSON.parse of Go's text would give them.
        ("Object.keys($).join()", .string("2,10,app,b,event_type,list,n,user")),
        ("$.app = 'x'; $.added = 1; Object.keys($).join()", .string("2,10,app,b,event_type,list,n,user,added")),
        ("delete $.app; delete $.user; [Object.keys($).join(), 'app' in $, $.app === undefined, $.user === undefined]",
         .array([.string("2,10,b,event_type,list,n"), .bool(false), .bool(true), .bool(true)])),
        ("delete $.app; $.app = 'back'; Object.keys($).join()", .string("2,10,b,event_type,list,n,user,app")),
        ("$.list; $.app = 'x'; JSON.stringify({...$, n: 4})",
         .string(#"{"2":false,"10":true,"app":"x","b":null,"event_type":"site_page","list":[1,2,3],"n":4,"user":{"id":"u1"}}"#)),
        ("Object.prototype.toString.call($) + ($ instanceof Object) + $.hasOwnProperty('n') + $.hasOwnProperty('toString')",
         .string("[object Object]truetruefalse")),
        ("var k = []; for (var key in $.user) k.push(key + '=' + $.user[key]); k.concat(Object.entries($.user).flat()).join()",
         .string("id=u1,id,u1")),
        ("[Array.isArray($.list), typeof $.user, $.b === null, $.missing === undefined, 'missing' in $]",
         .array([.bool(true), .string("object"), .bool(true), .bool(true), .bool(false)])),
    ])
    func theEventBehavesAsAParsedObject(expression: String, expected: JSONValue) throws {
        // Its members are converted as the script reads them; what the script sees must not show it.
        var fields: [String: JSONValue] = ["list": .array([.number(1), .number(2), .number(3)]), "b": .null, "10": .bool(true), "2": .bool(false)]
        if case .object(let base) = event { fields.merge(base) { $1 } }
        #expect(try engine.evaluate(expression, object: .object(fields)) == expected)
    }

    @Test func objectsLeftToTheCollectorDoNotDisturbLaterEvaluations() throws {
        // Each evaluation leaves wrapped objects behind; collections run many times over and free them.
        let nested = JSONValue.object(["user": .object(["id": .string("u1")]), "list": .array([.object(["k": .number(1)])])])
        for round in 0..<20_000 {
            let expression = round.isMultiple(of: 2) ? "$.user.id + $.list[0].k" : "$.user.x = 1; JSON.stringify($)"
            let expected: JSONValue = round.isMultiple(of: 2) ? .string("u11") : .string(#"{"list":[{"k":1}],"user":{"id":"u1","x":1}}"#)
            #expect(try engine.evaluate(expression, object: nested) == expected)
        }
    }

    @Test(arguments: [3, 17, 40])
    func keysArriveInBytewiseOrderWhateverTheObjectsSize(count: Int) throws {
        // Keys sharing their first eight bytes are ordered by the rest; large objects take the library's sort.
        let keys = (0..<count).map { "property_\($0)" } + (0..<count).map { "k\($0)" }
        let object = JSONValue.object(Dictionary(uniqueKeysWithValues: keys.map { ($0, JSONValue.object([:])) }))
        let expected = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: ",")
        #expect(try engine.evaluate("Object.keys($).join()", object: object) == .string(expected))
    }

    @Test(arguments: [
        ("'text'", JSONValue.string("text")), ("1 / 0", .null), ("0 / 0", .null), ("-0", .number(0)),
        ("true", .bool(true)), ("null", .null), ("'\\ud800x'", .string("\u{FFFD}x")), ("new String('s')", .string("s")),
        ("() => 1", .null), ("Symbol('s')", .null),
    ])
    func primitiveResultsMatchTheirJSON(expression: String, expected: JSONValue) throws {
        #expect(try engine.evaluate(expression, object: event) == expected)
    }

    @Test func syntaxErrorsAreReported() {
        #expect {
            try engine.evaluate("this is not javascript", object: event)
        } throws: { error in
            guard case .javascript(let message) = error as? TemplateError else { return false }
            return message.hasPrefix("SyntaxError")
        }
    }

    @Test func exceptionsAreReported() {
        #expect(throws: TemplateError.javascript("TypeError: undefined is not an object (evaluating '$.nope.deeper')")) {
            try engine.evaluate("$.nope.deeper", object: event)
        }
    }

    @Test func infiniteLoopsStopAtTheTimeLimitAndTheEngineStaysUsable() throws {
        let limited = try JavaScriptEngine(timeLimit: 0.05)
        #expect(throws: TemplateError.javascript("JavaScript timed out after 50 ms")) {
            try limited.evaluate("while (true) {}", object: event)
        }
        #expect(try limited.evaluate("$.n + 1", object: event) == .number(4))
    }

    @Test func evaluatorRoutesJavaScriptAndReformats() throws {
        let evaluator = TemplateEvaluator(javascript: engine)
        let evaluation = try evaluator.evaluate(expression: "$.event_type", object: event)
        #expect(evaluation == Evaluation(result: .json(.string("site_page")), format: .javascript))
        let reformatted = try evaluator.evaluate(expression: "$.app + '-Events'", object: event, reformat: true)
        #expect(reformatted.result == .text("shop_events"))
        #expect {
            try evaluator.evaluate(expression: "{{.x", object: event)
        } throws: { error in
            guard case .notAnExpression(let go, let javascript) = error as? TemplateError else { return false }
            return go == "template: expression:1: unclosed action" && javascript.hasPrefix("SyntaxError")
        }
    }
}
