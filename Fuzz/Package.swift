// swift-tools-version: 6.1
//
// CANP fuzz targets: a package of its own, so that `swift build` of the main
// package never builds them. Build and run them with `scripts/fuzz`, which
// sets the environment this needs:
//   CANP_NO_JEMALLOC=1               jemalloc's operator new/delete crash ASan
//   CANP_SANITIZE=fuzzer,address     the main package instruments its own
//                                    targets (coverage + ASan), not swift-collections
// Every target here is an executable whose `main` comes from libFuzzer
// (`-parse-as-library`, `LLVMFuzzerTestOneInput` exported with @_cdecl).
// The C pool target (fuzz-pool) is compiled with clang by scripts/fuzz.
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name (`main`, `wt-fuzz`, ...).
let parent = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let fuzzSwift: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .unsafeFlags(["-sanitize=fuzzer,address", "-parse-as-library"]),
]
let fuzzLink: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]

let package = Package(
    name: "CanpFuzz",
    dependencies: [
        .package(path: ".."),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [.product(name: "Canp", package: parent)],
            swiftSettings: fuzzSwift
        ),
    ] + ["fuzz-reader", "fuzz-file", "fuzz-dbc", "fuzz-text", "fuzz-blf"].map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "Canp", package: parent)],
            swiftSettings: fuzzSwift,
            linkerSettings: fuzzLink
        )
    }
)
