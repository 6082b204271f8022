import HTTP
import NodeConfig

extension WebhookDestination {
    /// The `webhook:` section, Jitsu's webhook keys:
    ///
    /// ```yaml
    /// webhook:
    ///   url: "http://hooks.internal/{{.event_type}}"
    ///   method: POST
    ///   headers: {Authorization: "Bearer secret", X-Event: "{{.event_type}}"}
    ///   body: '{"id": "{{.eventn_ctx_event_id}}"}'
    /// ```
    public struct Settings: Sendable, Equatable {
        /// `url` (required): a template evaluated per event, which must give an `http://` URL (the node's HTTP
        /// client has no TLS).
        let url: String
        /// `method` (default `POST`).
        let method: HTTPMethod
        /// `headers`: name to template; a value without `{{` is sent as written.
        let headers: [String: String]
        /// `body`: a template (Go or JavaScript) evaluated per event; default: the event as JSON.
        let body: String?

        init(reading reader: inout SettingsReader) throws(ConfigError) {
            var section = try reader.section("webhook")
            url = try section.requiredString("url")
            // A URL that is not a template, or whose scheme is https whatever follows, is known to fail now.
            if !url.contains("{{") || url.lowercased().hasPrefix("https://") {
                do { _ = try HTTPURL(parsing: url) } catch {
                    throw ConfigError.invalidValue(path: section.path(of: "url"), reason: "\(error)")
                }
            }
            let method = HTTPMethod((try section.string("method") ?? "POST").uppercased())
            guard [.post, .put, .patch, .get, .delete].contains(method) else {
                throw ConfigError.invalidValue(path: section.path(of: "method"), reason: "must be POST, PUT, PATCH, GET or DELETE, not \(method)")
            }
            self.method = method
            headers = try section.stringMap("headers") ?? [:]
            body = try section.string("body")
            try section.finish()
        }
    }
}
