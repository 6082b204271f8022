extension JSONValue {
    /// Parses JSON text (RFC 8259) the way Go's `encoding/json` fills an `interface{}`.
    /// - Throws: `TemplateError.invalidJSON` naming the offset of the first problem.
    public init(parsing text: String) throws(TemplateError) {
        var parser = JSONParser(text)
        self = try parser.parse()
    }

    /// Parses JSON given as UTF-8 bytes, as `init(parsing:)` does, without copying them into a `String` first.
    public init(parsingBytes bytes: [UInt8]) throws(TemplateError) {
        var parser = JSONParser(bytes: bytes)
        self = try parser.parse()
    }

    /// Parses a JSON object given as UTF-8 bytes straight into its leaves (see `JSONParser.parseFlattened`): each
    /// leaf's name and value in the order of the text (a name may repeat), the names of the nested objects, and the
    /// values of the top-level keys `capture` (nil where absent or an object).
    public static func flattenedObject(parsingBytes bytes: [UInt8], naming: (String, String) -> String, array: (JSONValue) -> JSONValue,
                                       capture: [String]) throws(TemplateError)
        -> (names: [String], values: [JSONValue], objects: [String], captured: [JSONValue?]) {
        var parser = JSONParser(bytes: bytes)
        let flattened = try parser.parseFlattened(naming: naming, array: array, capture: capture)
        return (flattened.names, flattened.values, flattened.objects, flattened.captured)
    }

    /// Parses the JSON object `bytes[range]` and flattens the object under its top-level key `member` (see
    /// `JSONParser.parseFlattened(member:)`): the member's leaves as `flattenedObject` gives them, the range of
    /// its text in `bytes` (nil when absent or not an object), and the object's other keys.
    public static func flattenedMember(_ member: String, parsingBytes bytes: [UInt8], in range: Range<Int>, naming: (String, String) -> String,
                                       array: (JSONValue) -> JSONValue, capture: [String]) throws(TemplateError)
        -> (names: [String], values: [JSONValue], objects: [String], captured: [JSONValue?], range: Range<Int>?, keys: [String]) {
        var parser = JSONParser(bytes: bytes, range: range)
        let (flattened, memberRange, keys) = try parser.parseFlattened(member: member, naming: naming, array: array, capture: capture)
        return (flattened.names, flattened.values, flattened.objects, flattened.captured, memberRange, keys)
    }

    /// The JSON text of this value as Go's `json.Marshal` writes it: object keys sorted, `<`, `>` and `&` escaped,
    /// numbers in shortest form. With an `indent`, nested values go on their own lines (`json.MarshalIndent`); the
    /// evaluate endpoint uses three spaces, as Jitsu does.
    public func jsonText(indent: String = "") -> String {
        var encoder = GoJSONEncoder(indent: indent)
        encoder.write(Value(self))
        return encoder.output
    }
}
