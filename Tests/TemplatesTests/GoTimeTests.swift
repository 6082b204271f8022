import Testing
@testable import Templates

struct GoTimeTests {
    @Test func parsesRFC3339WithFractionsAndOffsets() throws {
        let time = try #require(GoTime.parseRFC3339("2023-12-31T23:59:59.5+05:30"))
        #expect(time.offset == 19_800)
        #expect(time.nanosecond == 500_000_000)
        #expect(time.description == "2023-12-31 23:59:59.5 +0530 +0530")
        #expect(GoTime.parseRFC3339("2024-03-05T07:08:09Z")?.description == "2024-03-05 07:08:09 +0000 UTC")
    }

    @Test(arguments: ["2023-02-29T00:00:00Z", "2023-01-01 00:00:00Z", "2023-01-01T24:00:00Z", "2023-01-01T00:00:00",
                      "2023-01-01T00:00:00.Z", "x"])
    func rejectsWhatGoRejects(text: String) {
        #expect(GoTime.parseRFC3339(text) == nil)
    }

    @Test(arguments: [
        ("2006-01-02 15:04:05", "2024-03-05 07:08:09"),
        ("Mon Jan _2 3:04PM", "Tue Mar  5 7:08AM"),
        ("Monday, January 2, 06", "Tuesday, March 5, 24"),
        ("2006_01", "2024_03"),
        (".000 .999 ,000", ".120 .12 ,120"),
        ("Z07:00 -0700 MST", "Z +0000 UTC"),
        ("Janet", "Janet"),
    ])
    func formatsWithGoReferenceLayouts(layout: String, expected: String) throws {
        let time = try #require(GoTime.parseRFC3339("2024-03-05T07:08:09.12Z"))
        #expect(time.format(layout) == expected)
    }
}
