import Foundation

/// Kills (SIGKILL) the process whose pid a server wrote to `file`, if any. Test servers are stopped this way
/// because SIGTERM, which `ServiceProcess.stop()` sends first, never arrives: children spawned from Swift's worker
/// threads inherit libdispatch's signal mask, which blocks it, and `stop()` then waits 5 s before its SIGKILL.
func killProcess(listedIn file: URL) {
    guard let text = try? String(contentsOf: file, encoding: .utf8),
          let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { return }
    kill(pid, SIGKILL)
}
