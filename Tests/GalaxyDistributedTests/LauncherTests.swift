import Foundation
import Testing
import GalaxyTraining
import GalaxyDistributed

/// MPI itself is exercised for real under mpirun by the CLI tests (DistributedCLITests); here,
/// that a process started without a launcher never touches MPI.
@Suite("Launcher")
struct LauncherTests {
    @Test func withoutMpirunTheProcessTrainsAlone() {
        let underLauncher = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"].contains { ProcessInfo.processInfo.environment[$0] != nil }
        #expect(Launcher.isMPI == underLauncher)
        if !underLauncher {
            let group = Launcher.processGroup()
            #expect(group is SingleProcess && group.rank == 0 && group.size == 1)
        }
    }
}
