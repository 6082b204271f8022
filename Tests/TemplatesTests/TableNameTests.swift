import Testing
@testable import Templates

struct TableNameTests {
    @Test(arguments: [
        ("site_page", "site_page"),
        ("Page View", "page_view"),
        ("  Trimmed\n", "trimmed"),
        ("a--b", "a__b"),
        ("événement", "_v_nement"),
        ("<no value>", "null"),
        ("events_<no value>", "events_null"),
        ("2024_03", "2024_03"),
        ("", ""),
    ])
    func reformatLowercasesAndReplacesEachOtherCharacter(input: String, expected: String) {
        #expect(TableName.reformat(input) == expected)
    }

    @Test func nonStringResultsBecomeTextBeforeReformatting() {
        #expect(TableName.text(of: .string("x")) == "x")
        #expect(TableName.text(of: .number(3)) == "3")
        #expect(TableName.text(of: .number(2.5)) == "2.5")
        #expect(TableName.text(of: .bool(false)) == "false")
        #expect(TableName.text(of: .null) == "null")
        #expect(TableName.text(of: .array([.number(1)])) == "null")
        #expect(TableName.text(of: .object([:])) == "null")
    }
}
