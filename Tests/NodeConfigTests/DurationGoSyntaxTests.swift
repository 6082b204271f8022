import Testing
@testable import NodeConfig

struct DurationGoSyntaxTests {
    @Test(arguments: [
        ("0", Duration.zero),
        ("10s", .seconds(10)),
        ("500ms", .milliseconds(500)),
        ("1m", .seconds(60)),
        ("2h", .seconds(7200)),
        ("1h30m", .seconds(5400)),
        ("1m30.5s", .milliseconds(90_500)),
        ("1.5h", .seconds(5400)),
        (".5s", .milliseconds(500)),
        ("3.s", .seconds(3)),
        ("250us", .microseconds(250)),
        ("250µs", .microseconds(250)),
        ("250μs", .microseconds(250)),
        ("42ns", .nanoseconds(42)),
        ("1.9ns", .nanoseconds(1)),
        ("0.000000001s", .nanoseconds(1)),
    ])
    func parsesGoDurations(_ text: String, _ expected: Duration) {
        #expect(Duration(goSyntax: text) == expected)
    }

    @Test(arguments: ["", "s", "10", "1.5", "10 s", "-1s", "+1s", "1d", "1S", "1h-1m", ".s", "9999999999h"])
    func rejectsOtherText(_ text: String) {
        #expect(Duration(goSyntax: text) == nil)
    }
}
