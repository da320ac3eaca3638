import GalaxyPrediction

/// Bulk prediction under mpirun: the MPI world is the set of shard peers.
extension MPIProcessGroup: ShardPeers {}

extension Launcher {
    /// The shard to run: the one asked for; else under an MPI launcher the rank's own, with the
    /// peers to wait for; else none (the whole input in one process).
    public static func shard(asked: Shard?) -> (shard: Shard?, peers: (any ShardPeers)?) {
        guard asked == nil, isMPI else { return (asked, nil) }
        return (Shard(of: MPIProcessGroup.world), MPIProcessGroup.world)
    }
}
