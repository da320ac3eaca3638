import Foundation
import GalaxyTensor
import GalaxyImaging

/// One update of a data-parallel run: each process differentiates its share of the global batch,
/// the gradients are summed over the group as autodiff finishes them, and every process applies
/// the same update. The processes agree on the loss and on stopping, and compare weight
/// checksums every `replicaCheckEvery` updates. With one process it is a plain update.
public struct DataParallelUpdate {
    public let group: any ProcessGroup
    /// Images per update over all processes.
    public let globalBatch: Int

    /// Updates between weight checksums compared across processes.
    public static let replicaCheckEvery = 50

    public init(group: any ProcessGroup, globalBatch: Int) {
        self.group = group
        self.globalBatch = globalBatch
    }

    /// Updates `step` on this process's share `batch`; returns the global batch's MSE.
    public func callAsFunction(_ step: inout TrainingStep, batch: AugmentedBatch, times: inout TrainingStep.Times) throws -> Float {
        let share = Float(batch.indices.count) / Float(globalBatch)
        let sum = group.gradientSum(count: step.model.parameterPaths.count)
        let g = step.gradients(for: batch, share: share, times: &times, ready: sum.ready)
        var loss = [Double(g.meanSquaredError) * Double(share)]
        let waitStart = Date()
        let gradients = sum.finish()
        group.sum(&loss)
        times.communication += Date().timeIntervalSince(waitStart)
        step.apply(gradients, times: &times)
        if group.size > 1 && step.step % Self.replicaCheckEvery == 0 {
            let checksums = group.gather(parameterChecksum(step.model.parameters.map(\.value)))
            if Set(checksums).count > 1 { throw TrainingError.replicasDiverged(step: step.step, checksums: checksums) }
        }
        return Float(loss[0])
    }

    /// Whether any process has been asked to stop (all processes stop at the same update).
    public func stopRequested(_ stop: StopSignal) -> Bool {
        var flag = [stop.isRequested ? 1.0 : 0]
        group.sum(&flag)
        return flag[0] > 0
    }
}
