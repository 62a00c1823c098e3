// swift-tools-version: 6.1
//
// CANP benchmarks: a package of its own, so that building and testing the
// library never builds benchmark tooling. Run with
//   swift package --package-path Benchmarks benchmark
// Every benchmark runs its peer in the same run; README ratios come from here.
import PackageDescription

let benchmarkNames = ["MemoryPoolBenchmarks", "ThreadPoolBenchmarks", "PipelineBenchmarks"]

let package = Package(
    name: "CanpBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "canp", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: []),
    ],
    targets: [
        // Allocation loops of the peers (jemalloc, glibc) and of the pool, in C.
        .target(
            name: "CBenchPeers",
            dependencies: [.product(name: "CCanpCore", package: "canp")],
            path: "Sources/CBenchPeers",
            linkerSettings: [.linkedLibrary("jemalloc"), .linkedLibrary("pthread")]
        ),
        // Parquet encode and write throughput on decoded data (a plain program: one
        // timed pass per repetition over tables held in memory; its pyarrow peer is
        // scripts/peers/pyarrow_parquet_peer.py on the same tables).
        .executableTarget(
            name: "ParquetThroughput",
            dependencies: [.product(name: "Canp", package: "canp")],
            path: "Benchmarks/ParquetThroughput",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ] + benchmarkNames.map { name in
        .executableTarget(
            name: name,
            dependencies: [
                "CBenchPeers",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Canp", package: "canp"),
                .product(name: "CCanpCore", package: "canp"),
            ],
            path: "Benchmarks/\(name)",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    }
)
