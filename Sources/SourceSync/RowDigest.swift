import Crypto
import Loop
import Templates

/// A SHA-256 over a full refresh's rows in the order read, so a run can tell an unchanged table from a changed
/// one without keeping the rows. Each page's rows are hashed on a background thread, pages at once while the next
/// ones are read (serializing every row as JSON on the loop was a third of a sync's time there); the page hashes
/// are chained in page order. `CopyRows` are hashed as their text, with their columns' names and types.
struct RowDigest {
    private var pages: [Task<[UInt8], any Error>] = []
    private(set) var rows = 0

    mutating func add(_ page: SourcePage) {
        rows += page.count
        pages.append(Task { try await BackgroundWork.shared.run { Self.hash(page) } })
    }

    private static func hash(_ page: SourcePage) -> [UInt8] {
        var bytes: [UInt8] = []
        switch page {
        case .objects(let objects):
            bytes.reserveCapacity(objects.count * 256)
            for row in objects { append(.object(row), to: &bytes) }
        case .copyRows(let rows):
            append(.array(zip(rows.columns, rows.types).map { .array([.string($0), .number(Double($1))]) }), to: &bytes)
            var hash = SHA256()
            hash.update(data: bytes)
            hash.update(data: rows.text)
            return Array(hash.finalize())
        }
        return Array(SHA256.hash(data: bytes))
    }

    /// A value in a form that tells values apart without formatting numbers as text (Go's float formatting was
    /// most of the digest's cost): a tag, then the value; lengths before strings and containers, object keys sorted.
    private static func append(_ value: JSONValue, to bytes: inout [UInt8]) {
        switch value {
        case .null: bytes.append(0)
        case .bool(let flag): bytes += [1, flag ? 1 : 0]
        case .number(let number):
            bytes.append(2)
            append(number.bitPattern, to: &bytes)
        case .string(let text): append(text, tag: 3, to: &bytes)
        case .array(let items):
            bytes.append(4)
            append(UInt64(items.count), to: &bytes)
            for item in items { append(item, to: &bytes) }
        case .object(let object):
            bytes.append(5)
            append(UInt64(object.count), to: &bytes)
            for key in object.keys.sorted() {
                append(key, tag: 6, to: &bytes)
                append(object[key]!, to: &bytes)
            }
        }
    }

    private static func append(_ text: String, tag: UInt8, to bytes: inout [UInt8]) {
        bytes.append(tag)
        append(UInt64(text.utf8.count), to: &bytes)
        bytes += text.utf8
    }

    private static func append(_ number: UInt64, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: number.littleEndian) { bytes += $0 }
    }

    /// `rows:<hex>`, once every page is hashed.
    func signature() async throws -> String {
        var chain = SHA256()
        for page in pages { chain.update(data: try await page.value) }
        return "\(rows):" + chain.finalize().map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
