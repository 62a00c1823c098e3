// swift-tools-version: 6.1
//
// CANP: a layered, batched, concurrent pipeline for binary CAN bus logs.
//
// Build switch: by default the C core links Debian's jemalloc, which is not
// symbol-prefixed and therefore becomes the allocator of the WHOLE process
// (Swift runtime included). Set `CANP_NO_JEMALLOC=1` in the environment to
// build the C core on plain malloc/free instead: sanitizer runs need this
// (jemalloc's C++ operator new/delete crash TSan and ASan), and so may library
// users who do not want their allocator replaced.
import Foundation
import PackageDescription

let environment = ProcessInfo.processInfo.environment
let useJemalloc = environment["CANP_NO_JEMALLOC"] == nil

// Sanitizer switch: `CANP_SANITIZE=thread` (or `address`) instruments this
// package's own targets only. `swift test --sanitize=thread` would also
// instrument swift-collections, whose BasicContainers module crashes the
// Swift 6.3.1 compiler under TSan ("Invalid bitcast"); its code is not ours
// to check. Sanitizer runs must also set CANP_NO_JEMALLOC=1 (see above).
let sanitizer = environment["CANP_SANITIZE"]
let sanitizerSwiftSettings: [SwiftSetting] = sanitizer.map { [.unsafeFlags(["-sanitize=\($0)"])] } ?? []
let sanitizerCSettings: [CSetting] = sanitizer.map { [.unsafeFlags(["-fsanitize=\($0)", "-fno-omit-frame-pointer"])] } ?? []
let sanitizerLinkerSettings: [LinkerSetting] = sanitizer.map { [.unsafeFlags(["-sanitize=\($0)"])] } ?? []

// Assertion level of the C core (Sources/CCanpCore/canp_debug.h): 2 (every
// check, the O(n) ones included) in debug builds, which the tests run, and
// in sanitizer builds, whatever their configuration (the fuzz targets build
// in release); 0 in release.
let debugCSettings: [CSetting] = sanitizer != nil
    ? [.define("CANP_DEBUG", to: "2")]
    : [.define("CANP_DEBUG", to: "2", .when(configuration: .debug)),
       .define("CANP_DEBUG", to: "0", .when(configuration: .release))]

var coreCSettings: [CSetting] = [.define("_GNU_SOURCE")] + debugCSettings + sanitizerCSettings
var coreLinkerSettings: [LinkerSetting] = [
    .linkedLibrary("uring"),
    .linkedLibrary("deflate"),
    // Parquet page compression. libsnappy is C++ (its C API wraps it) and
    // brings libstdc++ into the link.
    .linkedLibrary("zstd"),
    .linkedLibrary("snappy"),
    .linkedLibrary("pthread"),
]
if useJemalloc {
    coreCSettings.append(.define("CANP_USE_JEMALLOC", to: "1"))
    coreLinkerSettings.insert(.linkedLibrary("jemalloc"), at: 0)
}

let package = Package(
    name: "canp",
    products: [
        .library(name: "Canp", targets: ["Canp"]),
        .library(name: "CCanpCore", type: .dynamic, targets: ["CCanpCore"]),
        .executable(name: "canp", targets: ["canp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "CCanpCore",
            cSettings: coreCSettings,
            linkerSettings: coreLinkerSettings
        ),
        // What the Swift library needs from C beyond the public API (thread
        // naming, the zlib peer of the benchmarks, the register-passing free of
        // MemoryBlock): a module of its own, not a product, so that the public
        // headers of CCanpCore stay the API for C consumers.
        .target(
            name: "CCanpInternal",
            dependencies: ["CCanpCore"],
            cSettings: [.define("_GNU_SOURCE")] + debugCSettings + sanitizerCSettings,
            linkerSettings: [.linkedLibrary("z"), .linkedLibrary("pthread")]
        ),
        .target(
            name: "Canp",
            dependencies: [
                "CCanpCore",
                "CCanpInternal",
                .product(name: "BasicContainers", package: "swift-collections"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)] + sanitizerSwiftSettings,
            linkerSettings: sanitizerLinkerSettings
        ),
        .executableTarget(
            name: "canp",
            dependencies: [
                "Canp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)] + sanitizerSwiftSettings,
            linkerSettings: sanitizerLinkerSettings
        ),
        .testTarget(
            name: "CCanpCoreTests",
            dependencies: ["CCanpCore", "CCanpInternal"],
            swiftSettings: [.swiftLanguageMode(.v6)] + sanitizerSwiftSettings,
            linkerSettings: sanitizerLinkerSettings
        ),
        .testTarget(
            name: "CanpTests",
            dependencies: ["Canp", "CCanpCore", "CCanpInternal"],
            swiftSettings: [.swiftLanguageMode(.v6)] + sanitizerSwiftSettings,
            linkerSettings: sanitizerLinkerSettings
        ),
    ],
    cLanguageStandard: .c11
)
