import GalaxyTensor

/// Compares reverse-mode gradients with central finite differences.
///
/// The function's output is reduced to a scalar with fixed random weights R (L = Σ f(x)·R, summed
/// in Double so that rounding in the reduction does not swamp the difference quotient). For each
/// input the result is max |analytic − numeric| / max(max |numeric|, 1e-6): the worst error
/// relative to the size of that input's gradient.
public enum GradientCheck {
    public static func relativeErrors(inputs: [Tensor], epsilon: Float = 1e-2, seed: UInt64 = 7,
                                      _ f: ([Variable]) -> Variable) -> [Float] {
        let probe = f(inputs.map { Variable($0) }).value
        var generator = SeededGenerator(seed: seed)
        let weights = Tensor.randomNormal(shape: probe.shape, standardDeviation: 1, generator: &generator).scalars

        func loss(_ xs: [Tensor]) -> Double {
            let y = f(xs.map { Variable($0) }).value.scalars
            var total = 0.0
            for i in y.indices { total += Double(y[i]) * Double(weights[i]) }
            return total
        }

        let variables = inputs.map { Variable(parameter: $0) }
        let output = f(variables)
        let seedTensor = Tensor(shape: output.shape, scalars: weights, backend: output.backend)
        let analytic = gradients(of: output, wrt: variables, seed: seedTensor).map(\.scalars)

        return inputs.indices.map { which in
            var numeric = [Float](repeating: 0, count: inputs[which].count)
            for element in 0..<inputs[which].count {
                var plus = inputs, minus = inputs
                plus[which] = perturbed(inputs[which], element, epsilon)
                minus[which] = perturbed(inputs[which], element, -epsilon)
                numeric[element] = Float((loss(plus) - loss(minus)) / (2 * Double(epsilon)))
            }
            let scale = max(numeric.map(abs).max() ?? 0, 1e-6)
            return zip(analytic[which], numeric).map { abs($0 - $1) }.max().map { $0 / scale } ?? 0
        }
    }

    private static func perturbed(_ t: Tensor, _ element: Int, _ delta: Float) -> Tensor {
        var values = t.scalars
        values[element] += delta
        return Tensor(shape: t.shape, scalars: values, backend: t.backend)
    }
}
