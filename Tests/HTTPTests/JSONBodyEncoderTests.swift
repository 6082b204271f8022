import Foundation
import Testing
@testable import HTTP

@Suite struct JSONBodyEncoderTests {
    struct Inner: Codable, Equatable {
        let flag: Bool
        let ratio: Double
        let list: [Int?]
    }

    struct Outer: Codable, Equatable {
        let name: String
        let count: Int
        let missing: String?
        let inner: Inner
        let byName: [String: UInt8]
        let nested: [[String]]
    }

    private func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try JSONBodyEncoder.encode(value), as: UTF8.self)
    }

    @Test func keysFollowDeclarationOrderAndNilIsOmitted() throws {
        let value = Outer(name: "n", count: -3, missing: nil, inner: Inner(flag: true, ratio: 0.25, list: [1, nil]),
                          byName: ["b": 2, "a": 1, "c": 3], nested: [["x"], []])
        #expect(try text(value) == #"{"name":"n","count":-3,"inner":{"flag":true,"ratio":0.25,"list":[1,null]},"byName":{"a":1,"b":2,"c":3},"nested":[["x"],[]]}"#)
        #expect(try JSONDecoder().decode(Outer.self, from: Data(JSONBodyEncoder.encode(value))) == value)
    }

    @Test func stringsAreEscapedAsJSONRequiresAndSlashesAreNot() throws {
        let tricky = "quote\" backslash\\ newline\n tab\t bell\u{07} slash/ é ☃"
        #expect(try text(["s": tricky]) == #"{"s":"quote\" backslash\\ newline\n tab\t bell\u0007 slash/ é ☃"}"#)
        #expect(try JSONDecoder().decode([String: String].self, from: Data(JSONBodyEncoder.encode(["s": tricky]))) == ["s": tricky])
    }

    @Test func numbersPrintLikeJSONProducers() throws {
        #expect(try text([1.0, 1.5, -0.125, 1e20, 3]) == "[1,1.5,-0.125,1e+20,3]")
        #expect(try text(UInt64.max) == "18446744073709551615")
    }

    @Test func nonFiniteNumbersThrow() {
        #expect(throws: EncodingError.self) { try JSONBodyEncoder.encode(["x": Double.nan]) }
        #expect(throws: EncodingError.self) { try JSONBodyEncoder.encode([Double.infinity]) }
    }

    @Test func topLevelScalarsAndEmptyContainers() throws {
        #expect(try text("a") == #""a""#)
        #expect(try text([String]()) == "[]")
        #expect(try text([String: Int]()) == "{}")
        #expect(try text(Optional<Int>.none) == "null")
    }
}
