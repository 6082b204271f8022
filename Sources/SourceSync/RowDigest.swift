import Crypto
import Loop
import Pipeline
import Templates

/// A SHA-256 over a full refresh's rows in the order read, so a run can tell an unchanged table from a changed
/// one without keeping the rows. Each page's rows (their canonical JSON, keys sorted) are hashed on a background
/// thread, pages at once while the next ones are read (serializing every row on the loop was a third of a sync's
/// time there); the page hashes are chained in page order.
struct RowDigest {
    private var pages: [Task<[UInt8], any Error>] = []
    private(set) var rows = 0

    mutating func add(_ page: [[String: JSONValue]]) {
        rows += page.count
        pages.append(Task { try await BackgroundWork.shared.run { Self.hash(page) } })
    }

    private static func hash(_ page: [[String: JSONValue]]) -> [UInt8] {
        var hash = SHA256()
        for row in page {
            hash.update(data: EventJSON.bytes(row))
            hash.update(data: [0x0A])
        }
        return Array(hash.finalize())
    }

    /// `rows:<hex>`, once every page is hashed.
    func signature() async throws -> String {
        var chain = SHA256()
        for page in pages { chain.update(data: try await page.value) }
        return "\(rows):" + chain.finalize().map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
