/// Encodes response bodies to JSON bytes, several times faster than Foundation's `JSONEncoder` on Linux, which
/// checks every value for Date, URL, Data and Decimal and builds two intermediate trees; response encoding was the
/// largest user-space cost of an admin call. No listed package offers this, hence this file.
///
/// Output: object keys in the order `encode(to:)` writes them, which for synthesized conformances is declaration
/// order (Go's and Jitsu's order); dictionaries, whose order is random, get their keys sorted. `nil` optionals are
/// omitted, slashes are not escaped, non-finite numbers throw.
public enum JSONBodyEncoder {
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = JSONNode()
        try root.encode(value, codingPath: [])
        var out: [UInt8] = []
        out.reserveCapacity(256)
        root.write(into: &out)
        return out
    }
}

/// One value of the tree being encoded: a scalar already in its JSON bytes, or a container of nodes.
final class JSONNode {
    enum Content {
        case empty
        case scalar([UInt8])
        case object([(key: String, node: JSONNode)])
        case array([JSONNode])
    }

    var content = Content.empty

    func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        try value.encode(to: NodeEncoder(node: self, codingPath: codingPath))
        if value is any StringKeyedDictionary, case .object(let entries) = content {
            content = .object(entries.sorted { $0.key < $1.key })
        }
    }

    /// Turns the node into an object, keeping entries already written (a type may ask for its container twice).
    func objectEntries() {
        if case .object = content { return }
        content = .object([])
    }

    func arrayElements() {
        if case .array = content { return }
        content = .array([])
    }

    func append(key: String) -> JSONNode {
        let child = JSONNode()
        if case .object(var entries) = content {
            content = .empty  // Drop the reference so the append does not copy.
            entries.append((key, child))
            content = .object(entries)
        }
        return child
    }

    func appendElement() -> JSONNode {
        let child = JSONNode()
        if case .array(var elements) = content {
            content = .empty
            elements.append(child)
            content = .array(elements)
        }
        return child
    }

    var count: Int {
        switch content {
        case .array(let elements): elements.count
        case .object(let entries): entries.count
        default: 0
        }
    }

    func write(into out: inout [UInt8]) {
        switch content {
        case .empty: out += [0x6e, 0x75, 0x6c, 0x6c]  // null
        case .scalar(let bytes): out += bytes
        case .object(let entries):
            out.append(0x7b)
            for (index, entry) in entries.enumerated() {
                if index > 0 { out.append(0x2c) }
                JSONScalar.appendString(entry.key, to: &out)
                out.append(0x3a)
                entry.node.write(into: &out)
            }
            out.append(0x7d)
        case .array(let elements):
            out.append(0x5b)
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(0x2c) }
                element.write(into: &out)
            }
            out.append(0x5d)
        }
    }
}

/// Dictionaries with string keys encode as objects whose key order is random; these get sorted.
protocol StringKeyedDictionary {}
extension Dictionary: StringKeyedDictionary where Key == String {}

/// JSON text of scalars.
enum JSONScalar {
    static let null: [UInt8] = Array("null".utf8)

    static func string(_ value: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(value.utf8.count + 2)
        appendString(value, to: &out)
        return out
    }

    static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(0x22)
        for byte in value.utf8 {
            switch byte {
            case 0x22: out += [0x5c, 0x22]
            case 0x5c: out += [0x5c, 0x5c]
            case 0x0a: out += [0x5c, 0x6e]
            case 0x0d: out += [0x5c, 0x72]
            case 0x09: out += [0x5c, 0x74]
            case 0x00..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out += [0x5c, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xf)]]
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }

    static func number<F: BinaryFloatingPoint & LosslessStringConvertible>(_ value: F, codingPath: [any CodingKey]) throws -> [UInt8] {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: codingPath, debugDescription: "\(value) is not a JSON number"))
        }
        // Whole numbers print without ".0", as JSON producers conventionally do.
        if value == value.rounded(), abs(value) < 1e15 { return Array(String(Int64(value)).utf8) }
        return Array(value.description.utf8)
    }

    static func integer<I: BinaryInteger>(_ value: I) -> [UInt8] { Array(String(value).utf8) }
}

private struct NodeEncoder: Encoder {
    let node: JSONNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        node.objectEntries()
        return KeyedEncodingContainer(KeyedContainer(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        node.arrayElements()
        return UnkeyedContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueContainer(node: node, codingPath: codingPath)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONNode
    let codingPath: [any CodingKey]

    private func put(_ bytes: [UInt8], _ key: Key) { node.append(key: key.stringValue).content = .scalar(bytes) }

    mutating func encodeNil(forKey key: Key) throws { put(JSONScalar.null, key) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { put(Array((value ? "true" : "false").utf8), key) }
    mutating func encode(_ value: String, forKey key: Key) throws { put(JSONScalar.string(value), key) }
    mutating func encode(_ value: Double, forKey key: Key) throws { put(try JSONScalar.number(value, codingPath: codingPath + [key]), key) }
    mutating func encode(_ value: Float, forKey key: Key) throws { put(try JSONScalar.number(value, codingPath: codingPath + [key]), key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { put(JSONScalar.integer(value), key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { put(JSONScalar.integer(value), key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { put(JSONScalar.integer(value), key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { put(JSONScalar.integer(value), key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { put(JSONScalar.integer(value), key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { put(JSONScalar.integer(value), key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { put(JSONScalar.integer(value), key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { put(JSONScalar.integer(value), key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { put(JSONScalar.integer(value), key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { put(JSONScalar.integer(value), key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try node.append(key: key.stringValue).encode(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = node.append(key: key.stringValue)
        child.objectEntries()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = node.append(key: key.stringValue)
        child.arrayElements()
        return UnkeyedContainer(node: child, codingPath: codingPath + [key])
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.append(key: "super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder { NodeEncoder(node: node.append(key: key.stringValue), codingPath: codingPath + [key]) }
}

private struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: JSONNode
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    private func put(_ bytes: [UInt8]) { node.appendElement().content = .scalar(bytes) }

    mutating func encodeNil() throws { put(JSONScalar.null) }
    mutating func encode(_ value: Bool) throws { put(Array((value ? "true" : "false").utf8)) }
    mutating func encode(_ value: String) throws { put(JSONScalar.string(value)) }
    mutating func encode(_ value: Double) throws { put(try JSONScalar.number(value, codingPath: codingPath)) }
    mutating func encode(_ value: Float) throws { put(try JSONScalar.number(value, codingPath: codingPath)) }
    mutating func encode(_ value: Int) throws { put(JSONScalar.integer(value)) }
    mutating func encode(_ value: Int64) throws { put(JSONScalar.integer(value)) }
    mutating func encode(_ value: UInt64) throws { put(JSONScalar.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try node.appendElement().encode(value, codingPath: codingPath)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = node.appendElement()
        child.objectEntries()
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.appendElement()
        child.arrayElements()
        return UnkeyedContainer(node: child, codingPath: codingPath)
    }

    mutating func superEncoder() -> any Encoder { NodeEncoder(node: node.appendElement(), codingPath: codingPath) }
}

private struct SingleValueContainer: SingleValueEncodingContainer {
    let node: JSONNode
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { node.content = .scalar(JSONScalar.null) }
    mutating func encode(_ value: Bool) throws { node.content = .scalar(Array((value ? "true" : "false").utf8)) }
    mutating func encode(_ value: String) throws { node.content = .scalar(JSONScalar.string(value)) }
    mutating func encode(_ value: Double) throws { node.content = .scalar(try JSONScalar.number(value, codingPath: codingPath)) }
    mutating func encode(_ value: Float) throws { node.content = .scalar(try JSONScalar.number(value, codingPath: codingPath)) }
    mutating func encode(_ value: Int) throws { node.content = .scalar(JSONScalar.integer(value)) }
    mutating func encode(_ value: Int8) throws { node.content = .scalar(JSONScalar.integer(value)) }
    mutating func encode(_ value: Int16) throws { node.content = .scalar(JSONScalar.integer(value)) }
    mutating func encode(_ value: Int32) throws { node.content = .scalar(JSONScalar.integer(value)) }
    mutating func encode(_ value: Int64) throws { node.content = .scalar(JSONScalar.integer(value)) }
    mutating func encode(_ value: UInt) throws { node.content = .scalar(JSONScalar.integer(value)) }
    mutating func encode(_ value: UInt8) throws { node.content = .scalar(JSONScalar.integer(value)) }
    mutating func encode(_ value: UInt16) throws { node.content = .scalar(JSONScalar.integer(value)) }
    mutating func encode(_ value: UInt32) throws { node.content = .scalar(JSONScalar.integer(value)) }
    mutating func encode(_ value: UInt64) throws { node.content = .scalar(JSONScalar.integer(value)) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try node.encode(value, codingPath: codingPath)
    }
}

/// JSON text that is already encoded, such as a stored record's value, placed into a response as it is instead of
/// being decoded and encoded again. The caller vouches that it is valid JSON. Only `JSONBodyEncoder` can write it.
public struct RawJSON: Encodable, Sendable {
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public func encode(to encoder: any Encoder) throws {
        guard let encoder = encoder as? NodeEncoder else {
            throw EncodingError.invalidValue(bytes, .init(codingPath: encoder.codingPath, debugDescription: "RawJSON needs JSONBodyEncoder"))
        }
        encoder.node.content = .scalar(bytes)
    }
}
