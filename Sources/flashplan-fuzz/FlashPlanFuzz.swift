// The libFuzzer entry over configuration loading and validation, and over the value
// parsers (calendar events, sizes, percentages, command-line times, addresses).
//
// Built for fuzzing by .ci/fuzz.sh, which defines FUZZING:
//
//   swift build --scratch-path .build-fuzz --product flashplan-fuzz \
//     --sanitize=fuzzer --sanitize=address -Xswiftc -DFUZZING
//
// libFuzzer then supplies `main` and calls `LLVMFuzzerTestOneInput`. In the ordinary
// build (no FUZZING) the same executable replays inputs instead, one file each, without
// sanitizers: `swift run flashplan-fuzz [--target config|values] FILE...`.
//
// The target is chosen by FLASHPLAN_FUZZ_TARGET (`config`, the default, or `values`).
// docs/reliability.md ("Fuzzing") says what each covers and what was found.

import FlashPlanConfig
import FlashPlanModel
import FlashPlanSchedule
import Foundation

/// What one input is fed to.
enum FuzzTarget: String, CaseIterable {
    /// The input is the contents of one or more YAML files (separated by a line
    /// `#@file`), loaded and validated as a configuration directory is.
    case config
    /// The input is one value, given to every value parser.
    case values

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["FLASHPLAN_FUZZ_TARGET"] ?? "config"
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("FLASHPLAN_FUZZ_TARGET=\(name): write config or values\n".utf8))
            exit(2)
        }
        return target
    }()

    func run(_ bytes: [UInt8]) {
        switch self {
        case .config: FuzzConfig.run(bytes)
        case .values: FuzzValues.run(bytes)
        }
    }
}

/// A broken invariant: crashes, so that libFuzzer keeps the input.
func violated(_ what: String) -> Never {
    fatalError("fuzz invariant violated: \(what)")
}

enum FuzzConfig {
    /// The line that separates files in one input.
    static let separator: [UInt8] = Array("\n#@file\n".utf8)

    /// `f0.yaml`, `f1.yaml`, … from the input split at `separator` (at most 8 files).
    static func files(_ bytes: [UInt8]) -> [(path: String, bytes: [UInt8])] {
        var parts: [[UInt8]] = []
        var start = 0, i = 0
        while i + separator.count <= bytes.count, parts.count < 7 {
            if bytes[i] == separator[0], bytes[i..<(i + separator.count)].elementsEqual(separator) {
                parts.append(Array(bytes[start..<(i + 1)]))  // keeps the newline that ends the file
                start = i + separator.count
                i = start
            } else {
                i += 1
            }
        }
        parts.append(Array(bytes[start...]))
        return parts.enumerated().map { (path: "f\($0.offset).yaml", bytes: $0.element) }
    }

    static func run(_ bytes: [UInt8]) {
        let files = files(bytes)
        let result = ConfigurationLoader.load(contents: files)
        // Every diagnostic points into a file given, at a line and column that exist (the
        // column may be just after the line's end), and shows that line with a caret:
        // bad input is reported where it is, never nowhere.
        let lines = Dictionary(uniqueKeysWithValues: files.map { file in
            (file.path, file.bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) })
        })
        let renderer = result.renderer
        for diagnostic in result.diagnostics {
            let at = diagnostic.location
            guard let text = lines[at.file] else { violated("\(diagnostic.rule) has no file: \(diagnostic)") }
            guard (1...text.count).contains(at.line) else {
                violated("\(diagnostic.rule) at \(at) is past the end of \(at.file) (\(text.count) lines): \(diagnostic)")
            }
            // A file that is not UTF-8 is refused before it is read as text: no snippet.
            if diagnostic.rule == .invalidEncoding { continue }
            let line = text[at.line - 1].unicodeScalars.count
            guard (1...(line + 1)).contains(at.column) else {
                violated("\(diagnostic.rule) at \(at) is outside its line (\(line) characters): \(diagnostic)")
            }
            guard renderer.render(diagnostic).contains("^") else {
                violated("\(diagnostic.rule) at \(at) renders without its line: \(renderer.render(diagnostic))")
            }
        }
        // What `validate` prints.
        _ = renderer.render(result.diagnostics)
        _ = renderer.render(result.diagnostics.promotingWarnings())
        // A configuration with errors is never planned.
        guard !result.hasErrors else { return }
        // The schedules validation parsed, as the planner uses them.
        let base = Date(timeIntervalSince1970: 1_774_742_400)  // 2026-03-29, a DST change in Europe
        for group in result.configuration.resourceGroups.values {
            for entry in group.policies {
                guard let schedule = entry.parsedSchedule else { continue }
                _ = schedule.event.nextElapses(after: base, count: 3, defaultTimeZone: schedule.timeZone)
                _ = schedule.event.previousElapse(atOrBefore: base, defaultTimeZone: schedule.timeZone)
            }
        }
    }
}

enum FuzzValues {
    static let zones = ["UTC", "Europe/Rome", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham"]

    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = ByteCount(parsing: text)
        _ = Percentage(parsing: text)
        _ = try? CommandLineTime.parse(text)
        _ = try? Address(parsing: text)
        let event: CalendarEvent
        do {
            event = try CalendarEvent(parsing: text)
        } catch {
            // The offset is where the caret goes: inside the expression, or just after it.
            guard (0...text.count).contains(error.offset) else {
                violated("calendar event error offset \(error.offset) outside 0...\(text.count): \(error.message)")
            }
            _ = error.rendered(expression: text)
            return
        }
        _ = event.normalized
        let zone = TimeZone(identifier: zones[bytes.count % zones.count])!
        // The epoch, and 2026-03-29 (a DST change in Europe).
        for base in [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_774_742_400)] {
            let next = event.nextElapses(after: base, count: 3, defaultTimeZone: zone)
            for (a, b) in zip([base] + next, next) where !(a < b) {
                violated("elapses not increasing after \(base): \(next)")
            }
        }
        // Away from a zone change (2026-01-15): near one, previousElapse steps elapse by
        // elapse on purpose (its documentation), slow for every-second events no policy may use.
        let quiet = Date(timeIntervalSince1970: 1_768_478_400)
        if let previous = event.previousElapse(atOrBefore: quiet, defaultTimeZone: zone), previous > quiet {
            violated("previous elapse \(previous) after \(quiet)")
        }
        _ = event.maximumElapsesPerDay(defaultTimeZone: zone)
        // minimumInterval (up to 5,000 elapses) is left to the config target, whose
        // validation calls it once per distinct schedule.
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.selected.run(bytes)
    return 0
}

#if !FUZZING
/// Without libFuzzer: replays each file given once (to reproduce a finding without sanitizers).
@main
enum Replay {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        var target = FuzzTarget.selected
        if arguments.first == "--target", arguments.count >= 2 {
            guard let chosen = FuzzTarget(rawValue: arguments[1]) else {
                print("usage: flashplan-fuzz [--target config|values] FILE...")
                exit(2)
            }
            target = chosen
            arguments.removeFirst(2)
        }
        if arguments.isEmpty || arguments.first?.hasPrefix("-") == true {
            print("usage: flashplan-fuzz [--target config|values] FILE...")
            print("Replays each file through the fuzz target; .ci/fuzz.sh builds it with libFuzzer to fuzz.")
            exit(arguments.isEmpty ? 0 : 2)
        }
        for path in arguments {
            guard let data = FileManager.default.contents(atPath: path) else {
                print("\(path): cannot be read")
                exit(1)
            }
            let started = Date()
            target.run(Array(data))
            print("\(path): ok (\(String(format: "%.3f", Date().timeIntervalSince(started))) s)")
        }
    }
}
#endif
