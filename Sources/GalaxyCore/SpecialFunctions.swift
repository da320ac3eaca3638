#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// log Γ and ψ (digamma) in double precision, for x > 0: the recurrence moves x to 10 or above,
/// then the Stirling series (next term below 1e-12 there). Written here rather than taken from libm
/// because glibc's lgamma writes the global `signgam`, a data race under parallel kernels.
public enum SpecialFunctions {
    public static func logGamma(_ x: Double) -> Double {
        guard x > 0 else { return .nan }
        var x = x, shift = 0.0
        while x < 10 { shift += log(x); x += 1 }
        let f = 1 / (x * x)
        let series = (1 / x) * (1.0 / 12 - f * (1.0 / 360 - f * (1.0 / 1260 - f * (1.0 / 1680 - f / 1188))))
        return (x - 0.5) * log(x) - x + 0.918_938_533_204_672_7 + series - shift
    }

    public static func digamma(_ x: Double) -> Double {
        guard x > 0 else { return .nan }
        var x = x, shift = 0.0
        while x < 10 { shift += 1 / x; x += 1 }
        let f = 1 / (x * x)
        let series = f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f / 132))))
        return log(x) - 0.5 / x - series - shift
    }
}
