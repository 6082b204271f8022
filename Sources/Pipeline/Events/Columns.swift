import Templates

/// The column names of a row, in the order of its values. Rows with the same names share one shape, so a batch's
/// rows, which mostly come in a few shapes, are typed and encoded once per shape rather than looked up by name
/// row by row (hashing every name of every row was a fifth of a replay's time).
public final class ColumnShape: Sendable {
    public let names: [String]
    /// The position of each name.
    let positions: [String: Int]

    /// Nil when a name repeats.
    init?(names: [String]) {
        var positions = [String: Int](minimumCapacity: names.count)
        for (position, name) in names.enumerated() {
            guard positions.updateValue(position, forKey: name) == nil else { return nil }
        }
        self.names = names
        self.positions = positions
    }
}

/// A row's flattened columns (`Flattener`): names without repeats, each with a value that is never an object.
/// Compares as a dictionary does: the order of the columns does not matter.
public struct Columns: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public let shape: ColumnShape
    /// The value of each of `shape.names`.
    public let values: [JSONValue]

    init(shape: ColumnShape, values: [JSONValue]) {
        self.shape = shape
        self.values = values
    }

    public init(_ dictionary: [String: JSONValue]) {
        var shapes = ColumnShapes()
        self = shapes.columns(dictionary)
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    public subscript(name: String) -> JSONValue? {
        shape.positions[name].map { values[$0] }
    }

    public var count: Int { values.count }
    public var isEmpty: Bool { values.isEmpty }
    public var keys: [String] { shape.names }

    public var dictionary: [String: JSONValue] {
        Dictionary(uniqueKeysWithValues: zip(shape.names, values))
    }

    public func makeIterator() -> Zip2Sequence<[String], [JSONValue]>.Iterator {
        zip(shape.names, values).makeIterator()
    }

    public static func == (lhs: Columns, rhs: Columns) -> Bool {
        if lhs.shape === rhs.shape { return lhs.values == rhs.values }
        return lhs.count == rhs.count && lhs.allSatisfy { rhs[$0.0] == $0.1 }
    }
}

/// Gives rows with the same names the same `ColumnShape`. The previous shape is tried first, by comparing names
/// (no hashing): the events of one source mostly carry the same keys in the same order. Not shared between threads:
/// each shaping pass has its own.
public struct ColumnShapes: Sendable {
    private var last: ColumnShape?
    private var known: [[String]: ColumnShape] = [:]
    /// Beyond this many shapes the cache starts over, so events with ever new keys cannot grow it without bound.
    private static let capacity = 256

    public init() {}

    /// The shape of `names`, or nil when a name repeats.
    public mutating func shape(of names: [String]) -> ColumnShape? {
        if let last, last.names == names { return last }
        if let shape = known[names] {
            last = shape
            return shape
        }
        guard let shape = ColumnShape(names: names) else { return nil }
        if known.count >= Self.capacity { known.removeAll(keepingCapacity: true) }
        known[names] = shape
        last = shape
        return shape
    }

    /// The columns of `names` and `values`; where a name repeats, its last value is kept, as a dictionary would.
    public mutating func columns(names: [String], values: [JSONValue]) -> Columns {
        if let shape = shape(of: names) { return Columns(shape: shape, values: values) }
        var dictionary: [String: JSONValue] = [:]
        for (name, value) in zip(names, values) { dictionary[name] = value }
        return columns(dictionary)
    }

    /// The columns of `dictionary`, in sorted order of names.
    public mutating func columns(_ dictionary: [String: JSONValue]) -> Columns {
        let names = dictionary.keys.sorted()
        return Columns(shape: shape(of: names)!, values: names.map { dictionary[$0]! })
    }
}
