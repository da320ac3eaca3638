import Dispatch
import GalaxyTensor

/// A node of the recorded computation: which values an op read and how to send a gradient
/// back to them. Leaves (parameters) have no parents and no backward.
public final class GradientNode: @unchecked Sendable {
    let parents: [GradientNode?]
    let backward: ((Tensor) -> [Tensor?])?
    let shape: [Int]
    /// The op's kind, for profiles ("conv2d", "matmul", …).
    let kind: String

    init(parents: [GradientNode?], shape: [Int], kind: String = "other", backward: ((Tensor) -> [Tensor?])?) {
        self.parents = parents
        self.shape = shape
        self.kind = kind
        self.backward = backward
    }
}

/// Seconds spent in backward passes, by op kind (pass one to `gradients` to fill it).
public final class BackwardProfile: @unchecked Sendable {
    public private(set) var seconds: [String: Double] = [:]
    public init() {}
    func add(_ kind: String, _ s: Double) { seconds[kind, default: 0] += s }
}

/// A tensor taking part in differentiation.
///
/// Every op on variables computes its value at once and, if any operand needs a gradient,
/// records a node holding its backward (reverse-mode automatic differentiation). Constants —
/// inputs, labels, or parameters of a model used for inference — record nothing, so the same
/// layer code runs without gradients at no cost. `gradients(of:wrt:)` walks the recorded
/// nodes from a scalar back to the requested variables, adding up the contributions of a value
/// used several times.
public struct Variable: @unchecked Sendable {
    /// The value computed by the forward pass.
    public var value: Tensor
    /// The recorded node; nil for constants.
    public let node: GradientNode?

    /// A constant: gradients do not flow into it.
    public init(_ value: Tensor) {
        self.value = value
        self.node = nil
    }

    /// A leaf that gradients flow into (a trainable parameter).
    public init(parameter value: Tensor) {
        self.value = value
        self.node = GradientNode(parents: [], shape: value.shape, backward: nil)
    }

    init(value: Tensor, node: GradientNode?) {
        self.value = value
        self.node = node
    }

    /// Whether gradients flow into this variable.
    public var requiresGradient: Bool { node != nil }
    /// The same value as a constant.
    public var detached: Variable { Variable(value) }
    public var shape: [Int] { value.shape }
    public var backend: any Backend { value.backend }

    /// Records the result of an op. `backward` maps the gradient of `value` to one gradient per
    /// input (nil where that input needs none); it is only kept if some input needs a gradient.
    public static func record(_ value: Tensor, inputs: [Variable], kind: String = "other",
                              backward: @escaping (Tensor) -> [Tensor?]) -> Variable {
        guard inputs.contains(where: { $0.node != nil }) else { return Variable(value) }
        return Variable(value: value, node: GradientNode(parents: inputs.map(\.node), shape: value.shape, kind: kind, backward: backward))
    }
}

/// The gradient of `output` (a scalar, or any shape with an explicit `seed`) with respect to each
/// of `variables`; zeros for a variable the output does not depend on.
///
/// `ready(i, g)` is called as soon as the gradient of `variables[i]` is final (every op that read
/// it has run its backward), while the rest of the backward pass still has to run: a data-parallel
/// trainer starts summing it across processes there. Variables the output does not depend on
/// are reported at the end.
public func gradients(of output: Variable, wrt variables: [Variable], seed: Tensor? = nil, profile: BackwardProfile? = nil,
                      ready: ((Int, Tensor) -> Void)? = nil) -> [Tensor] {
    let seed = seed ?? Tensor(repeating: 1, shape: output.shape, backend: output.backend)
    require(seed.shape == output.shape, "gradients: seed shape \(seed.shape) differs from output shape \(output.shape)")
    guard let root = output.node else {
        return variables.map { Tensor(zeros: $0.shape, backend: $0.backend) }
    }

    // Post-order depth-first walk gives a topological order; reversed, every node comes
    // before the nodes it read.
    var order: [GradientNode] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(GradientNode, Bool)] = [(root, false)]
    while let (node, expanded) = stack.popLast() {
        if expanded { order.append(node); continue }
        guard visited.insert(ObjectIdentifier(node)).inserted else { continue }
        stack.append((node, true))
        for parent in node.parents { if let parent, !visited.contains(ObjectIdentifier(parent)) { stack.append((parent, false)) } }
    }

    let wanted = Set(variables.compactMap { $0.node.map(ObjectIdentifier.init) })
    var accumulated: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
    // For `ready`: how many recorded ops still have to pass a gradient to each wanted variable.
    var pending: [ObjectIdentifier: Int] = [:], reported = Set<Int>()
    var indices: [ObjectIdentifier: [Int]] = [:]
    if ready != nil {
        for (i, v) in variables.enumerated() { if let n = v.node { indices[ObjectIdentifier(n), default: []].append(i) } }
        for node in order where node.backward != nil {
            for parent in node.parents { if let parent, wanted.contains(ObjectIdentifier(parent)) { pending[ObjectIdentifier(parent), default: 0] += 1 } }
        }
    }
    for node in order.reversed() {
        let id = ObjectIdentifier(node)
        guard let backward = node.backward else { continue }
        // Interior gradients are dropped as soon as they are used: only the wanted ones stay.
        guard let gradient = wanted.contains(id) ? accumulated[id] : accumulated.removeValue(forKey: id) else { continue }
        let started = profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
        let inputGradients = backward(gradient)
        if let profile { profile.add(node.kind, Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9) }
        for (parent, g) in zip(node.parents, inputGradients) {
            guard let parent, let g else { continue }
            require(g.shape == parent.shape, "gradients: backward produced \(g.shape) for an input of shape \(parent.shape)")
            let pid = ObjectIdentifier(parent)
            if let existing = accumulated[pid] { accumulated[pid] = existing + g } else { accumulated[pid] = g }
        }
        if let ready {
            for parent in node.parents {
                guard let parent, let count = pending[ObjectIdentifier(parent)] else { continue }
                pending[ObjectIdentifier(parent)] = count - 1
                guard count == 1, let final = accumulated[ObjectIdentifier(parent)]?.plain else { continue }
                for i in indices[ObjectIdentifier(parent)] ?? [] where reported.insert(i).inserted { ready(i, final) }
            }
        }
    }
    let result = variables.map { v in
        v.node.flatMap { accumulated[ObjectIdentifier($0)] }?.plain ?? Tensor(zeros: v.shape, backend: v.backend)
    }
    if let ready { for i in result.indices where !reported.contains(i) { ready(i, result[i]) } }
    return result
}
