import HTTP
import NodeConfig
import Pipeline
import Templates

/// `POST /api/v1/destinations/test`: the body is one destination's configuration, as under `destinations:` in the
/// YAML file. The node connects for real and proves it can write (see each destination type), within 10 s.
struct DestinationRoutes: Sendable {
    let admin: AdminAuthentication
    let services: PipelineServices

    func register(on router: inout Router) throws(RouterError) {
        try router.post("/api/v1/destinations/test", handler: admin(testDestination))
    }

    @Sendable func testDestination(_ request: HTTPRequest, _ context: RequestContext) async throws -> HTTPResponse {
        guard !request.body.isEmpty else { throw HTTPError(.badRequest, "Request body is empty; expected a destination configuration") }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: String(decoding: request.body, as: UTF8.self))
        } catch {
            throw HTTPError(.badRequest, "Request body is not valid JSON: \(error)")
        }
        let config: DestinationConfig
        do {
            config = try DestinationConfig(id: "test", value: Self.configValue(value), path: "")
        } catch {
            throw HTTPError(.badRequest, "invalid destination configuration: \(error)")
        }
        do {
            try await EventPipeline.test(config, context: services.requireContext())
        } catch let failure as DestinationFailure {
            throw HTTPError(.badRequest, "unable to connect to your destination: \(failure.cause)")
        }
        return IngestionRoutes.accepted
    }

    /// JSON as the configuration reader sees YAML: whole numbers are integers.
    static func configValue(_ value: JSONValue) -> ConfigValue {
        switch value {
        case .null: .null
        case .bool(let flag): .bool(flag)
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? .int(Int(number)) : .double(number)
        case .string(let text): .string(text)
        case .array(let items): .array(items.map(configValue))
        case .object(let fields): .map(fields.mapValues(configValue))
        }
    }
}
