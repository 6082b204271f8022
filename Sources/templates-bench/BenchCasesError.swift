/// Why `cases.json` could not be read.
struct BenchCasesError: Error, CustomStringConvertible {
    let reason: String

    var description: String { reason }
}
