import Foundation
import Loop
import Testing
import TestSupport

@Suite struct BackgroundWorkTests {
    struct Refusal: Error, Equatable {}

    @Test func runsAtLowerPriorityAndResumesOnTheLoop() async throws {
        let harness = try LoopHarness()
        let (nice, onLoop) = try await harness.onLoop { () async throws -> (Int32, Bool) in
            let nice = try await BackgroundWork.shared.run { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
            return (nice, harness.loop.isInLoopThread)
        }
        #expect(nice == 10)
        #expect(onLoop, "the caller continues on its own executor")
        await #expect(throws: Refusal.self) {
            try await harness.onLoop { try await BackgroundWork.shared.run { () throws -> Int in throw Refusal() } }
        }
        #expect(await harness.finish() == 0)
    }

    @Test func threadsCarryTheirPoolsNameForTheKernel() async throws {
        let harness = try LoopHarness()
        let names = try await harness.onLoop { () async throws -> [String] in
            [try await BackgroundWork.shared.run(Self.currentThreadName),
             try await BackgroundWork.blocking.run(Self.currentThreadName)]
        }
        #expect(names[0].hasPrefix("rivulet-bg-"), "\(names)")
        #expect(names[1].hasPrefix("rivulet-io-"), "\(names)")
        #expect(await harness.finish() == 0)
    }

    @Test func bulkThreadsKeepOffOneCoreWhenThereAreTwoOrMore() async throws {
        let harness = try LoopHarness()
        let (bulk, blocking) = try await harness.onLoop { () async throws -> (Set<Int>, Set<Int>) in
            (try await BackgroundWork.shared.run(Self.allowedCPUs), try await BackgroundWork.blocking.run(Self.allowedCPUs))
        }
        let process = Self.allowedCPUs()
        #expect(blocking == process)
        if process.count >= 2 {
            #expect(bulk == process.subtracting([process.min()!]), "\(bulk) of \(process)")
        } else {
            #expect(bulk == process)
        }
        #expect(await harness.finish() == 0)
    }

    /// The CPUs the calling thread may run on (`Cpus_allowed_list` of /proc/thread-self/status, like `0-1,4`).
    @Sendable static func allowedCPUs() -> Set<Int> {
        let status = (try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return [] }
        var cpus = Set<Int>()
        for range in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            if let low = bounds.first, let high = bounds.last { cpus.formUnion(low...high) }
        }
        return cpus
    }

    @Sendable static func currentThreadName() -> String {
        (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?.trimmingCharacters(in: .newlines) ?? ""
    }
}
