import Foundation
import HTTP

/// Where Jitsu's event routes find the token, first match wins: query `token`, header `X-Auth-Token`, header
/// `api_key`, the first `p_*` query parameter (Jitsu's obfuscated form), then the Basic-auth user name.
public enum TokenSource {
    public static func token(in request: HTTPRequest) -> String? {
        if let token = request.query["token"], !token.isEmpty { return token }
        if let token = request.headers["X-Auth-Token"], !token.isEmpty { return token }
        if let token = request.headers["api_key"], !token.isEmpty { return token }
        if let queryString = request.queryString {
            for pair in queryString.split(separator: "&") where pair.hasPrefix("p_") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, let name = parts[0].removingPercentEncoding, let token = request.query[name], !token.isEmpty {
                    return token
                }
            }
        }
        if let authorization = request.headers["Authorization"], authorization.lowercased().hasPrefix("basic "),
           let data = Data(base64Encoded: String(authorization.dropFirst(6)).trimmingCharacters(in: .whitespaces)) {
            let user = String(decoding: data, as: UTF8.self).split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first
            if let user, !user.isEmpty { return String(user) }
        }
        return nil
    }
}
