/// Stops with `message` when a programmer error is detected (a shape mismatch, say).
///
/// Used instead of `precondition`, whose message optimised builds drop: a user of a release
/// build must still read which shapes disagreed.
@inlinable @inline(__always)
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
                    file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
