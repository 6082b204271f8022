import Crypto
import Pipeline
import Templates

/// A SHA-256 over a full refresh's rows in the order read (each row's canonical JSON, keys sorted), so a run can
/// tell an unchanged table from a changed one without keeping the rows.
struct RowDigest {
    private var hash = SHA256()
    private(set) var rows = 0

    mutating func add(_ page: [[String: JSONValue]]) {
        for row in page {
            hash.update(data: EventJSON.bytes(row))
            hash.update(data: [0x0A])
            rows += 1
        }
    }

    var signature: String {
        "\(rows):" + hash.finalize().map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}
