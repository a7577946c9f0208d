/// SplitMix64: seeds other generators and hashes (seed, index) pairs into independent streams.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    @inline(__always)
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A well-mixed 64-bit hash of `x`.
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var g = SplitMix64(seed: x)
        return g.next()
    }
}

/// xoshiro256**: the generator's workhorse. Deterministic for a seed, on every platform.
public struct Xoshiro256: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var sm = SplitMix64(seed: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1).
    @inline(__always)
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    @inline(__always)
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * uniform() }

    /// Uniform integer in lo...hi.
    @inline(__always)
    public mutating func int(_ lo: Int, _ hi: Int) -> Int {
        lo + Int((next() >> 1) % UInt64(hi - lo + 1))
    }

    /// True with probability p.
    @inline(__always)
    public mutating func chance(_ p: Double) -> Bool { uniform() < p }

    /// A standard normal deviate (Box–Muller, both values used).
    @inline(__always)
    public mutating func gaussian() -> Double {
        if let g = spare { spare = nil; return g }
        var u = uniform()
        if u < 1e-300 { u = 1e-300 }
        let r = (-2 * _log(u)).squareRoot()
        let theta = 2 * Double.pi * uniform()
        spare = r * _sin(theta)
        return r * _cos(theta)
    }

    private var spare: Double?
}

/// A bijection of [0, 2^40): scrambles sequential indices into distinct, non-sequential ids.
@inline(__always)
func scramble40(_ i: UInt64, key: UInt64) -> UInt64 {
    let mask: UInt64 = (1 << 40) - 1
    var x = (i ^ key) & mask
    x = (x &* 0x9E37_79B9_7F4B) & mask  // odd multiplier: bijective mod 2^40
    x ^= x >> 19
    x = (x &* 0xC2B2_AE3D_27D5) & mask
    x ^= x >> 21
    x = (x &+ (key >> 24)) & mask
    x = (x &* 0x1656_67B1_9E37) & mask
    x ^= x >> 17
    return x
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#elseif canImport(Darwin)
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Darwin.sin(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
