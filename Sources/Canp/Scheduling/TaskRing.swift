/// A growable FIFO ring of noncopyable elements: the queue of one priority
/// level of one task class.
///
/// Swift's `Deque` holds only copyable elements and `BasicContainers` has no
/// deque, so this is a minimal ring over manually managed storage. Not
/// thread-safe: its owner (``TaskClassQueue``) guards it with its lock.
struct TaskRing<Element: ~Copyable>: ~Copyable {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private var head = 0
    private(set) var count = 0

    init(capacity: Int = 64) {
        self.capacity = max(capacity, 4)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        for i in 0..<count { (storage + physical(i)).deinitialize(count: 1) }
        storage.deallocate()
    }

    var isEmpty: Bool { count == 0 }

    @inline(__always) private func physical(_ logical: Int) -> Int {
        let p = head + logical
        return p >= capacity ? p - capacity : p
    }

    /// Appends at the back. Amortized O(1).
    mutating func append(_ element: consuming Element) {
        if count == capacity { grow() }
        (storage + physical(count)).initialize(to: element)
        count += 1
    }

    /// Removes the front element. O(1).
    mutating func popFirst() -> Element? {
        guard count > 0 else { return nil }
        let element = (storage + head).move()
        head = head + 1 == capacity ? 0 : head + 1
        count -= 1
        return element
    }

    /// Removes and returns the first element matching `predicate`, keeping the
    /// others in order. O(count).
    mutating func remove(where predicate: (borrowing Element) -> Bool) -> Element? {
        var found = -1
        for i in 0..<count where predicate(storage[physical(i)]) {
            found = i
            break
        }
        guard found >= 0 else { return nil }
        let element = (storage + physical(found)).move()
        // Close the gap by shifting the later elements one slot forward.
        var i = found
        while i + 1 < count {
            (storage + physical(i)).initialize(to: (storage + physical(i + 1)).move())
            i += 1
        }
        count -= 1
        return element
    }

    private mutating func grow() {
        let newCapacity = capacity * 2
        let newStorage = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        for i in 0..<count {
            (newStorage + i).initialize(to: (storage + physical(i)).move())
        }
        storage.deallocate()
        storage = newStorage
        capacity = newCapacity
        head = 0
    }
}
