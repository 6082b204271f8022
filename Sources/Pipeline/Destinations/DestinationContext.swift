import HTTP
import Logging
import Loop
import Templates

/// What the node lends its destinations: the loop, its HTTP client, templates for keys and bodies, and a directory.
public struct DestinationContext: Sendable {
    public let loop: EventLoop
    public let http: HTTPClient
    public let templates: TemplateEvaluator
    /// The node's data directory; file destinations resolve relative paths against it.
    public let dataDirectory: String
    public let logger: Logger

    public init(loop: EventLoop, http: HTTPClient, templates: TemplateEvaluator, dataDirectory: String, logger: Logger) {
        self.loop = loop
        self.http = http
        self.templates = templates
        self.dataDirectory = dataDirectory
        self.logger = logger
    }
}
