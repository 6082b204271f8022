/// The little XML S3 exchanges here: one element's text read out of an answer (error bodies, the upload id of a
/// multipart upload) and text escaped for the part list sent to complete one. S3's answers are flat and small, so a
/// tag search is enough and needs no parser.
enum S3XML {
    private static let entities = [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&apos;", "'")]

    /// The text of the first `<name>` element, with XML's predefined entities decoded; nil when there is none.
    static func element(_ name: String, in xml: String) -> String? {
        guard let open = xml.range(of: "<\(name)>"), let close = xml.range(of: "</\(name)>", range: open.upperBound..<xml.endIndex) else {
            return nil
        }
        var text = String(xml[open.upperBound..<close.lowerBound])
        // `&amp;` last, so an escaped entity such as `&amp;lt;` decodes to `&lt;` and no further.
        for (entity, character) in entities + [("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text
    }

    /// `text` safe inside an element: `&` first, so the other escapes are not escaped again.
    static func escaped(_ text: String) -> String {
        var text = text.replacingOccurrences(of: "&", with: "&amp;")
        for (entity, character) in entities {
            text = text.replacingOccurrences(of: character, with: entity)
        }
        return text
    }
}
