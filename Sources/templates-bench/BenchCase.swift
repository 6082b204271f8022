/// One expression of `cases.json` to measure.
struct BenchCase {
    let name: String
    /// `go` for cases compared with Go's `text/template`, `javascript` for rivulet-only ones.
    let language: String
    let expression: String
}
