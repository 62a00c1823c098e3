/// A snapshot of a ``PipelineThreadPool``'s counters.
///
/// Counts are exact once ``PipelineThreadPool/waitForCompletion()`` has
/// returned: every finished task updates its counters before it is retired.
/// Times are kept only when ``ThreadPoolConfig/statisticsEnabled`` is on;
/// with it off, `completed`, `failed` and the times stay zero (submitted and
/// cancelled are still counted).
public struct ThreadPoolStatistics: Sendable, CustomStringConvertible {
    /// Counters of one task class.
    public struct ClassStatistics: Sendable, Equatable {
        /// The class.
        public var type: PipelineTaskType
        /// Its worker threads.
        public var threads: Int
        /// Tasks accepted.
        public var submitted: Int = 0
        /// Tasks whose body returned.
        public var completed: Int = 0
        /// Tasks whose body threw.
        public var failed: Int = 0
        /// Tasks cancelled before they started.
        public var cancelled: Int = 0
        /// Tasks waiting in the queue now.
        public var queued: Int = 0
        /// Tasks running now.
        public var running: Int = 0
        /// Swift concurrency jobs run by this class as a `TaskExecutor`.
        public var executorJobs: Int = 0
        /// Total time spent in task bodies, in nanoseconds.
        public var totalExecutionNanoseconds: Int = 0
        /// Total time between creation and start, in nanoseconds.
        public var totalQueueWaitNanoseconds: Int = 0
        /// The longest wait between a task's creation and its start (an upper
        /// bound across workers), in nanoseconds.
        public var maxQueueWaitNanoseconds: Int = 0

        /// Tasks that ran (completed + failed).
        public var finished: Int { completed + failed }

        /// Mean body time per finished task.
        public var averageExecutionTime: Duration {
            finished == 0 ? .zero : .nanoseconds(totalExecutionNanoseconds / finished)
        }

        /// Mean wait between creation and start per finished task.
        public var averageQueueWait: Duration {
            finished == 0 ? .zero : .nanoseconds(totalQueueWaitNanoseconds / finished)
        }
    }

    /// What happened to memory blocks moved into tasks.
    public struct MemoryStatistics: Sendable, Equatable {
        /// Whether memory management is on (otherwise all zero).
        public var enabled: Bool
        /// Blocks moved into tasks at submission.
        public var blocksHandedToTasks: Int = 0
        /// Blocks returned to the memory pool when their task ended (success,
        /// failure or cancellation).
        public var blocksRecycled: Int = 0
        /// Blocks a task body removed from its array to keep them.
        public var blocksKeptByTasks: Int = 0
        /// Bytes the memory pool currently has handed out (its
        /// `currentMemory`), 0 without a memory pool.
        public var memoryPoolBytesInUse: Int = 0

        /// Recycled blocks per block handed to a task, 0...1 (1 when nothing
        /// was handed).
        public var reuseRate: Double {
            blocksHandedToTasks == 0 ? 1 : Double(blocksRecycled) / Double(blocksHandedToTasks)
        }
    }

    /// The IO class's file reads.
    public struct IOStatistics: Sendable, Equatable {
        /// The backend the IO workers use: `.ioUring` or `.pread`.
        public var backend: FileReader.Backend
        /// When the pool fell back to pread because io_uring could not be set
        /// up: that `errno`.
        public var ioUringSetupError: Int32?
        /// Whether `CANP_IO_BACKEND=pread` (or the configuration) forced the
        /// fallback.
        public var fallbackForced: Bool
        /// The readers' counters, summed.
        public var reads: FileReader.Statistics

        /// Whether reads fell back from io_uring to pread (forced or not).
        public var usesFallback: Bool { backend == .pread }
    }

    /// The pool's lifecycle state.
    public var state: ThreadPoolState
    /// Per class, in ``PipelineTaskType/allCases`` order.
    public var classes: [ClassStatistics]
    /// Memory management.
    public var memory: MemoryStatistics
    /// File reads.
    public var io: IOStatistics
    /// Tasks submitted and not yet finished, pool-wide.
    public var outstanding: Int

    /// The statistics of one class.
    public subscript(type: PipelineTaskType) -> ClassStatistics { classes[type.rawValue] }

    /// Totals over all classes (the `type` field is `.cpu`, `threads` the sum).
    public var total: ClassStatistics {
        var t = ClassStatistics(type: .cpu, threads: 0)
        for c in classes {
            t.threads += c.threads
            t.submitted += c.submitted
            t.completed += c.completed
            t.failed += c.failed
            t.cancelled += c.cancelled
            t.queued += c.queued
            t.running += c.running
            t.executorJobs += c.executorJobs
            t.totalExecutionNanoseconds += c.totalExecutionNanoseconds
            t.totalQueueWaitNanoseconds += c.totalQueueWaitNanoseconds
            t.maxQueueWaitNanoseconds = max(t.maxQueueWaitNanoseconds, c.maxQueueWaitNanoseconds)
        }
        return t
    }

    public var description: String {
        var lines = ["thread pool (\(state)), outstanding \(outstanding)"]
        for c in classes {
            lines.append(
                "  \(c.type): threads \(c.threads), submitted \(c.submitted), completed \(c.completed), "
                    + "failed \(c.failed), cancelled \(c.cancelled), queued \(c.queued), "
                    + "avg exec \(c.averageExecutionTime), avg wait \(c.averageQueueWait), "
                    + "jobs \(c.executorJobs)")
        }
        lines.append(
            "  memory: handed \(memory.blocksHandedToTasks), recycled \(memory.blocksRecycled), "
                + "kept \(memory.blocksKeptByTasks), reuse \(memory.reuseRate)")
        let fallback = io.ioUringSetupError.map { " (io_uring setup failed: errno \($0))" } ?? ""
        lines.append(
            "  io: \(io.backend)\(fallback)\(io.fallbackForced ? " (forced)" : ""), "
                + "requests \(io.reads.requests), bytes \(io.reads.bytesRead), "
                + "submissions \(io.reads.submissions), short reads \(io.reads.shortReads)")
        return lines.joined(separator: "\n")
    }
}
