import CCanpCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Misuse that the C API leaves undefined, caught by CANP_ASSERT in debug
/// builds (exit tests: each runs in a child process). The tests run in debug
/// builds, where Package.swift sets CANP_DEBUG=2.
@Suite("canp_pool misuse (debug assertions)")
struct PoolCoreMisuseTests {
    /// Allocates a block from a pool with one 512-byte tier, changes it with
    /// `forge`, and gives it back.
    static func freeForgedBlock(_ forge: (inout canp_block_t) -> Void) {
        var config = PoolCoreTests.makeConfig(tiers: [(512, CANP_FAMILY_GENERAL)])
        var pool: OpaquePointer?
        precondition(canp_pool_create(&config, &pool) == 0)
        var block = canp_block_t()
        precondition(canp_pool_alloc(pool, 100, CANP_FAMILY_GENERAL.rawValue, &block) == 0)
        forge(&block)
        canp_pool_free(pool, block)
    }

#if DEBUG
    @Test func freeingABlockWithAForgedCapacityAborts() async {
        await #expect(processExitsWith: .signal(SIGABRT)) {
            PoolCoreMisuseTests.freeForgedBlock { $0.capacity = 4096 }   // not the 512 of its tier
        }
    }

    @Test func freeingABlockOfATierThePoolDoesNotHaveAborts() async {
        await #expect(processExitsWith: .signal(SIGABRT)) {
            PoolCoreMisuseTests.freeForgedBlock { $0.tier = 7 }
        }
    }
#endif
}
