/// Why a row was rejected, as the fallback file records it.
struct RowRejection: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
