import GalaxyTensor

/// Elementwise programs (the optimiser updates, the weight average), parallel over contiguous
/// ranges and four lanes at a time. At batch 16 the dense layers' 42M weights make these passes
/// memory-bound: each reads and writes every element exactly once.
extension OneDNNBackend {
    public func run<P: ElementwiseProgram>(_ program: P, updating s0: inout Tensor, _ s1: inout Tensor, _ s2: inout Tensor, _ s3: inout Tensor,
                                           reading input: Tensor) {
        program.withBuffers(&s0, &s1, &s2, &s3, input: input) { buffers, x, count in
            Parallelism.forChunks(count: count) { program.run(buffers, x, $0, vectorised: true) }
        }
    }
}
