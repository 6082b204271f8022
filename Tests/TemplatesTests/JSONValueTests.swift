import Testing
@testable import Templates

struct JSONValueTests {
    @Test func parsesEveryNumberAsDouble() throws {
        #expect(try JSONValue(parsing: #"{"a":1,"b":-2.5e3,"c":[true,null,"x"]}"#)
            == .object(["a": .number(1), "b": .number(-2500), "c": .array([.bool(true), .null, .string("x")])]))
    }

    /// Integers of up to 15 digits are read without strtod; longer ones and fractions go through it: both agree
    /// with Swift's own correctly rounded parse.
    @Test(arguments: ["0", "-0", "7", "-42", "999999999999999", "-999999999999999", "1234567890123456", "9007199254740993",
                      "12345678901234567890", "0.5", "-0.0", "1e2", "1E+2", "10e-1"])
    func numbersParseAsSwiftsDoubleDoes(text: String) throws {
        guard case .number(let value) = try JSONValue(parsing: text) else { Issue.record("not a number: \(text)"); return }
        #expect(value.bitPattern == Double(text)!.bitPattern, "\(text)")
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        #expect(try JSONValue(parsing: #""a\n\u00e9\ud83d\ude00""#) == .string("a\né😀"))
    }

    @Test(arguments: ["", "{", "[1,]", "01", "1.", "\"\u{01}\"", "{\"a\" 1}", "nul", "1 2", "1e999"])
    func rejectsInvalidText(text: String) {
        #expect(throws: TemplateError.self) { try JSONValue(parsing: text) }
    }

    @Test func writesJSONAsGoDoes() {
        let value = JSONValue.object(["b": .number(1e21), "a": .string("<&>"), "c": .number(0.000001), "d": .array([])])
        #expect(value.jsonText() == #"{"a":"\u003c\u0026\u003e","b":1e+21,"c":0.000001,"d":[]}"#)
        #expect(JSONValue.array([.number(1), .null]).jsonText(indent: "  ") == "[\n  1,\n  null\n]")
    }
}
