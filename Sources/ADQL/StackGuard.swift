// Protection against stack exhaustion on deeply nested input.
//
// The nesting limit bounds recursion for ordinary threads, but the parser may run on threads
// with small stacks (512 KiB is common for secondary threads) and in unoptimised builds whose
// frames are several times larger. The guard reads the current thread's stack bounds once per
// parse and makes the parser fail cleanly when less than `margin` bytes remain.

#if canImport(Glibc)
import Glibc

@_silgen_name("pthread_getattr_np")
private func adql_pthread_getattr_np(_ thread: pthread_t, _ attr: UnsafeMutablePointer<pthread_attr_t>) -> Int32

@_silgen_name("gettid")
private func adql_gettid() -> Int32
#elseif canImport(Musl)
import Musl

@_silgen_name("pthread_getattr_np")
private func adql_pthread_getattr_np(_ thread: pthread_t, _ attr: UnsafeMutablePointer<pthread_attr_t>) -> Int32

@_silgen_name("gettid")
private func adql_gettid() -> Int32
#elseif canImport(Darwin)
import Darwin
#endif

struct StackGuard {
    /// Bytes that must remain free below the deepest parser frame: room for the frames between
    /// two checks, error construction and the caller. Unoptimised frames are several times larger.
    #if DEBUG
    static let margin: UInt = 256 * 1024
    #else
    static let margin: UInt = 96 * 1024
    #endif

    /// The lowest address the parser may reach, or 0 when the bounds are unknown.
    let limit: UInt

    init() {
        #if canImport(Glibc) || canImport(Musl)
        // A thread's stack does not move: its limit is kept in thread-specific data, so only
        // the thread's first parse pays for the two system calls and the bounds lookup.
        if let key = StackGuard.limitKey, let cached = pthread_getspecific(key) {
            limit = UInt(bitPattern: cached) &- 1
            return
        }
        // For the main thread glibc finds the stack by reading /proc/self/maps, which is slow,
        // so its bounds are computed once; for other threads the lookup is cheap.
        limit = adql_gettid() == getpid() ? StackGuard.mainThreadLimit : StackGuard.currentThreadLimit()
        if let key = StackGuard.limitKey {
            // Stored plus one: an empty slot (nil) means "not computed yet", also for limit 0.
            _ = pthread_setspecific(key, UnsafeRawPointer(bitPattern: limit &+ 1))
        }
        #elseif canImport(Darwin)
        let top = UInt(bitPattern: pthread_get_stackaddr_np(pthread_self()))
        let size = UInt(pthread_get_stacksize_np(pthread_self()))
        limit = top > size ? top - size + StackGuard.margin : 0
        #else
        limit = 0
        #endif
    }

    #if canImport(Glibc) || canImport(Musl)
    private static let mainThreadLimit = currentThreadLimit()

    /// The thread-specific slot of each thread's limit (nil if no key could be created).
    private static let limitKey: pthread_key_t? = {
        var key = pthread_key_t()
        return pthread_key_create(&key, nil) == 0 ? key : nil
    }()

    private static func currentThreadLimit() -> UInt {
        let limit: UInt
        var attr = pthread_attr_t()
        var base: UnsafeMutableRawPointer?
        var size = 0
        if adql_pthread_getattr_np(pthread_self(), &attr) == 0 {
            if pthread_attr_getstack(&attr, &base, &size) == 0, let base {
                limit = UInt(bitPattern: base) + StackGuard.margin
            } else {
                limit = 0
            }
            pthread_attr_destroy(&attr)
        } else {
            limit = 0
        }
        return limit
    }
    #endif

    /// Whether the current frame is below the limit.
    @inline(never)
    func isExhausted() -> Bool {
        guard limit != 0 else { return false }
        var marker: UInt8 = 0
        return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) < limit }
    }
}
