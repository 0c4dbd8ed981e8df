// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

// The commit `flashplan --version` names. contrib/package/build.sh sets FLASHPLAN_COMMIT;
// a build without it (a plain `swift build`) says "unknown" rather than guess. Only the
// characters of a commit id and "-dirty" pass, as the value becomes a C string literal.
let commit: String = {
    let value = Context.environment["FLASHPLAN_COMMIT"] ?? ""
    let allowed = Set("0123456789abcdefghijklmnopqrstuvwxyz-")
    return !value.isEmpty && value.count <= 64 && value.allSatisfy(allowed.contains) ? value : "unknown"
}()

let package = Package(
    name: "flashplan",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "flashplan", targets: ["flashplan"]),
        .library(name: "FlashPlanEngine", targets: ["FlashPlanEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-collections.git", exact: "1.6.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", exact: "2.37.6"),
    ],
    targets: [
        // systemd calendar events (OnCalendar=), parsing and next elapse. No dependencies.
        .target(name: "FlashPlanSchedule", swiftSettings: strict),
        // Desired/observed types, addresses, diagnostics, the backend protocol; a policy
        // entry holds its parsed schedule, so it depends on FlashPlanSchedule alone.
        .target(name: "FlashPlanModel", dependencies: ["FlashPlanSchedule"], swiftSettings: strict),
        // YAML -> model, validation, JSON Schema export.
        .target(
            name: "FlashPlanConfig",
            dependencies: ["FlashPlanModel", "FlashPlanSchedule", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict),
        // The simulated IBM FlashSystem/SVC backend and the state store: SQLite via GRDB, or
        // PostgreSQL via PostgresNIO (an in-memory SQLite copy replicated row by row).
        .target(
            name: "FlashPlanSimulator",
            dependencies: [
                "FlashPlanModel", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // Retention, planning, execution: (desired, observed, now) -> plan -> results.
        // No YAML, SQL, terminal, logging or metrics; knows backends only through
        // FlashPlanModel's protocols.
        .target(
            name: "FlashPlanEngine",
            dependencies: [
                "FlashPlanModel", "FlashPlanSchedule",
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strict),
        // The application layer: one function per command (load, lock, observe, plan,
        // execute, render) returning a typed outcome, from which the exit code and the
        // metrics derive. The executable only parses flags and hands it the backend.
        .target(
            name: "FlashPlanApp",
            dependencies: [
                "FlashPlanModel", "FlashPlanSchedule", "FlashPlanConfig", "FlashPlanEngine",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict),
        // The commit the binary was built from (see `commit` above).
        .target(name: "FlashPlanBuildInfo", cSettings: [.define("FLASHPLAN_COMMIT", to: "\"\(commit)\"")]),
        .executableTarget(
            name: "flashplan",
            dependencies: [
                "FlashPlanBuildInfo", "FlashPlanModel", "FlashPlanSchedule", "FlashPlanConfig", "FlashPlanSimulator", "FlashPlanEngine", "FlashPlanApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        // `swift run -c release flashplan-bench`: the performance targets of DESIGN §8.
        .executableTarget(
            name: "flashplan-bench",
            dependencies: [
                "FlashPlanEngine", "FlashPlanApp", "FlashPlanConfig", "FlashPlanModel", "FlashPlanSchedule", "FlashPlanSimulator",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        // libFuzzer over loading and validation (.ci/fuzz.sh); without FUZZING it replays inputs.
        .executableTarget(name: "flashplan-fuzz", dependencies: ["FlashPlanConfig", "FlashPlanModel", "FlashPlanSchedule"], swiftSettings: strict),
        .testTarget(name: "FlashPlanModelTests", dependencies: ["FlashPlanModel"]),
        .testTarget(name: "FlashPlanScheduleTests", dependencies: ["FlashPlanSchedule"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FlashPlanConfigTests", dependencies: ["FlashPlanConfig"], resources: [.copy("Fixtures")]),
        .testTarget(name: "FlashPlanSimulatorTests", dependencies: ["FlashPlanSimulator"]),
        .testTarget(
            name: "FlashPlanEngineTests",
            dependencies: ["FlashPlanEngine", "FlashPlanApp", "FlashPlanConfig", "FlashPlanModel", "FlashPlanSchedule", "FlashPlanSimulator"],
            resources: [.copy("Golden")]),
        // The planner and the executor against the simulator in memory, over simulated time.
        .testTarget(
            name: "ConvergenceTests",
            dependencies: ["FlashPlanEngine", "FlashPlanApp", "FlashPlanConfig", "FlashPlanModel", "FlashPlanSchedule", "FlashPlanSimulator"]),
        .testTarget(name: "EndToEndTests", dependencies: ["FlashPlanEngine", "FlashPlanApp", "FlashPlanModel", "FlashPlanSimulator"]),
    ],
    swiftLanguageModes: [.v6]
)
