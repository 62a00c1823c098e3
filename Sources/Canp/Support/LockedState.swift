#if canImport(Glibc)
import Glibc
#endif

/// A value guarded by a pthread mutex, stored with the mutex in one
/// allocation.
///
/// Used instead of `Synchronization.Mutex` everywhere in the package. On
/// Linux, `Mutex` takes its contended path through the kernel's
/// priority-inheritance futex (`FUTEX_LOCK_PI` / `FUTEX_UNLOCK_PI`): the lock
/// word changes hands inside the kernel, with no user-space atomic that
/// ThreadSanitizer could see, so under contention TSan cannot tell that the
/// lock orders the accesses it guards and reports false data races (seen in
/// CI: `ParallelJob.wait()` against `ParallelJob.work()`). ThreadSanitizer
/// intercepts `pthread_mutex_lock`, so this lock is understood by it, and the
/// suite's TSan run checks the code that ships.
///
/// Cost: an uncontended lock and unlock is two glibc calls (about 20 ns); no
/// caller holds it on a per-item path.
struct LockedState<Value>: @unchecked Sendable {
    // @unchecked: the value is only touched between `pthread_mutex_lock` and
    // `pthread_mutex_unlock` on the mutex stored beside it. (A struct around
    // the buffer because `ManagedBuffer` itself may not be `Sendable`.)

    /// The value as the header, the mutex as the one tail element.
    final class Storage: ManagedBuffer<Value, pthread_mutex_t> {
        deinit {
            _ = withUnsafeMutablePointerToElements { pthread_mutex_destroy($0) }
        }
    }

    private let storage: Storage

    private init(storage: Storage) { self.storage = storage }

    /// A new lock guarding `initial`.
    static func make(_ initial: Value) -> LockedState<Value> {
        let buffer = Storage.create(minimumCapacity: 1) { _ in initial }
        let storage = unsafeDowncast(buffer, to: Storage.self)
        storage.withUnsafeMutablePointerToElements { mutex in
            mutex.initialize(to: pthread_mutex_t())
            let rc = pthread_mutex_init(mutex, nil)
            precondition(rc == 0, "pthread_mutex_init failed (\(rc))")
        }
        return LockedState(storage: storage)
    }

    /// Runs `body` with exclusive access to the value.
    ///
    /// - Parameter body: Reads or changes the value; must not take this lock
    ///   again (pthread default mutexes are not recursive).
    /// - Returns: What `body` returns.
    @inline(__always)
    func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        let (value, mutex) = storage.withUnsafeMutablePointers { ($0, $1) }
        pthread_mutex_lock(mutex)
        defer {
            pthread_mutex_unlock(mutex)
            withExtendedLifetime(storage) {}
        }
        return try body(&value.pointee)
    }
}
