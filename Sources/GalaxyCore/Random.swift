/// A small, fast, seedable random number generator (xoshiro256**), so that the same seed
/// gives the same run on every machine. Randomness is always passed in explicitly.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Codable, Hashable {
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeds the four state words from `seed` through SplitMix64, as the xoshiro authors advise.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator for a sub-stream identified by `keys` (e.g. seed, step, image index), so that
    /// work done on any thread in any order draws the same numbers.
    public init(seed: UInt64, stream keys: UInt64...) {
        var mixed = seed
        for key in keys { mixed = (mixed ^ key) &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019; mixed ^= mixed >> 29 }
        self.init(seed: mixed)
    }

    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 bits of precision.
    public mutating func nextUniform() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Standard normal deviate (Box–Muller; one of the pair is discarded to keep the state simple).
    public mutating func nextNormal() -> Float {
        let u1 = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return Float((-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2))
    }

    /// Two independent standard normal deviates (both outputs of one Box–Muller step).
    public mutating func nextNormalPair() -> (Float, Float) {
        let u1 = max(Float(next() >> 40) * (1.0 / 16_777_216.0), 1e-30)
        let angle = 2 * Float.pi * Float(next() >> 40) * (1.0 / 16_777_216.0)
        let radius = (-2 * _logf(u1)).squareRoot()
        return (radius * _cosf(angle), radius * _sinf(angle))
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    // Codable/Hashable for checkpoints: the four words as an array.
    public init(from decoder: Decoder) throws {
        let words = try [UInt64](from: decoder)
        guard words.count == 4 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected 4 state words, found \(words.count)"))
        }
        state = (words[0], words[1], words[2], words[3])
    }
    public func encode(to encoder: Encoder) throws { try [state.0, state.1, state.2, state.3].encode(to: encoder) }
    public static func == (a: Self, b: Self) -> Bool { a.state == b.state }
    public func hash(into h: inout Hasher) { h.combine(state.0); h.combine(state.1); h.combine(state.2); h.combine(state.3) }
}

// Foundation-free libm access keeps GalaxyTensor dependency-light.
#if canImport(Glibc)
import Glibc
@inline(__always) func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Glibc.cos(x) }
@inline(__always) func _logf(_ x: Float) -> Float { Glibc.logf(x) }
@inline(__always) func _cosf(_ x: Float) -> Float { Glibc.cosf(x) }
@inline(__always) func _sinf(_ x: Float) -> Float { Glibc.sinf(x) }
#else
import Darwin
@inline(__always) func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Darwin.cos(x) }
@inline(__always) func _logf(_ x: Float) -> Float { Darwin.logf(x) }
@inline(__always) func _cosf(_ x: Float) -> Float { Darwin.cosf(x) }
@inline(__always) func _sinf(_ x: Float) -> Float { Darwin.sinf(x) }
#endif
