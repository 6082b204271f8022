import Foundation

/// Where a replay may read from (design.md, "Durability rules"): a fallback file of this node by its bare name, or
/// an absolute path inside one of `server.replay_allowed_dirs`. Nothing else: no `..`, no relative paths, no
/// symlink leading out of the directory, only regular files. Blocking (it resolves links on disk).
enum ReplayPath {
    /// The real path to read, or why not.
    static func resolve(_ name: String, fallbackDirectory: String, allowedDirectories: [String]) throws(ReplayError) -> String {
        guard !name.isEmpty, !name.contains("\0") else { throw .refused("file_name is empty") }
        let directories: [String]
        let candidate: String
        if name.hasPrefix("/") {
            guard !name.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) else {
                throw .refused("file_name '\(name)' must not contain '.' or '..' segments")
            }
            directories = allowedDirectories
            guard !directories.isEmpty else {
                throw .refused("file_name '\(name)' is a path, and this node allows no replay directories (server.replay_allowed_dirs)")
            }
            candidate = name
        } else {
            guard !name.contains("/"), name != "..", name != "." else {
                throw .refused("file_name '\(name)' must be a fallback file's name or an absolute path in server.replay_allowed_dirs")
            }
            guard !name.hasSuffix(ReplayMark.suffix), FallbackFileName(name) != nil else {
                throw .refused("'\(name)' is not a fallback file name (<instance>-errors-<destination>[-<time>].log)")
            }
            directories = [fallbackDirectory]
            candidate = "\(fallbackDirectory)/\(name)"
        }
        guard let real = realPath(candidate) else { throw .notFound("no file '\(name)' on this node") }
        let inside = directories.contains { directory in
            guard let root = realPath(directory) else { return false }
            let prefix = root.hasSuffix("/") ? root : root + "/"
            return real.hasPrefix(prefix)
        }
        guard inside else { throw .refused("file_name '\(name)' leads outside the directories replay may read") }
        var status = stat()
        guard stat(real, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw .refused("'\(name)' is not a regular file")
        }
        return real
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
