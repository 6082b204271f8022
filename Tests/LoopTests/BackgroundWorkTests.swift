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
}
