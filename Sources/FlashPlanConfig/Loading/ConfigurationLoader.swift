import FlashPlanModel
import FlashPlanSchedule
import Foundation
import Yams

/// Loads every `*.yaml`/`*.yml` under a directory, recursively and in path order,
/// checks it against the language, merges the sections and validates the result.
public enum ConfigurationLoader {
    /// Thrown only for the fatal: the directory cannot be read at all.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func load(directory: String) throws -> LoadResult {
        let files = try configurationFiles(in: directory)
        let sources = try files.map { path in
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw LoadError(description: "\(path): cannot read the file (not UTF-8, or no permission)")
            }
            return SourceFile(path: path, text: text)
        }
        return load(sources: sources)
    }

    /// Loads already-read files; what tests and `diff` use.
    public static func load(sources: [SourceFile]) -> LoadResult {
        var diagnostics: [Diagnostic] = []
        var documents: [ConfigValue] = []
        for source in sources {
            var decoder = SpecDecoder(file: source.path)
            do {
                // Types are checked against the language, not guessed by YAML tag resolution
                // (which costs a regular expression per scalar): the basic resolver.
                if let root = try Yams.compose(yaml: source.text, .basic), let value = decoder.decodeFile(root) {
                    documents.append(value)
                }
            } catch let error as YamlError {
                diagnostics.append(diagnostic(for: error, file: source.path, text: source.text))
            } catch {
                diagnostics.append(.yamlSyntax(at: SourceLocation(file: source.path, line: 1, column: 1), "\(error)"))
            }
            diagnostics += decoder.diagnostics
        }
        var builder = ConfigurationBuilder()
        builder.build(documents)
        diagnostics += builder.diagnostics
        var configuration = builder.configuration
        configuration.digest = digest(of: sources)
        var validator = ConfigurationValidator(configuration, declared: builder.declared)
        diagnostics += validator.validate()
        configuration.settings.timeZone = TimeZone(identifier: configuration.settings.timezone) ?? TimeZone(identifier: "UTC")!
        for (group, schedules) in validator.parsedSchedules {
            for (index, schedule) in schedules { configuration.resourceGroups[group]?.policies[index].parsedSchedule = schedule }
        }
        return LoadResult(configuration: configuration, diagnostics: diagnostics.sortedByLocation(), sources: sources)
    }

    /// Every `*.yaml`/`*.yml` below `directory`, sorted by path.
    public static func configurationFiles(in directory: String) throws -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LoadError(description: "\(directory): configuration directory not found (use --config DIR or FLASHPLAN_CONFIG)")
        }
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else {
            throw LoadError(description: "\(directory): cannot list the directory")
        }
        var paths: [String] = []
        while let relative = enumerator.nextObject() as? String {
            guard relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") else { continue }
            let components = relative.split(separator: "/")
            if components.contains(where: { $0.hasPrefix(".") }) { continue }
            let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
            paths.append(base + "/" + relative)
        }
        return paths.sorted()
    }

    static func diagnostic(for error: YamlError, file: String, text: String = "") -> Diagnostic {
        func at(_ mark: Mark) -> SourceLocation { SourceLocation(file: file, line: mark.line, column: mark.column) }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { "\($0.text) at line \($0.mark.line), " } ?? ""
            return .yamlSyntax(at: at(mark), detail + problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            // Yams marks the first occurrence; point at the repeated one, which is the one to remove.
            var location = at(context.mark)
            if let key = duplicates.first, let repeated = repeatedKey(key, first: location, in: text) { location = repeated }
            return .duplicateKey(duplicates.joined(separator: ", "), at: location)
        case .reader(let problem, _, _, _):
            return .yamlSyntax(at: SourceLocation(file: file, line: 1, column: 1), problem)
        default:
            return .yamlSyntax(at: SourceLocation(file: file, line: 1, column: 1), "\(error)")
        }
    }

    /// Where `key` is written again in the mapping whose first `key` is at `first`: later on
    /// the same line after `{` or `,` (flow mapping), or on a later line at the same column
    /// with only blanks or `-` before it (block mapping). Nil when not found (e.g. quoted keys).
    static func repeatedKey(_ key: String, first: SourceLocation, in text: String) -> SourceLocation? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        let key = Array(key.unicodeScalars)
        guard !key.isEmpty, first.line >= 1, first.line <= lines.count, first.column >= 1 else { return nil }
        func isKey(_ line: [Unicode.Scalar], at index: Int) -> Bool {
            guard index >= 0, index + key.count <= line.count, Array(line[index..<index + key.count]) == key else { return false }
            var end = index + key.count
            while end < line.count, line[end] == " " { end += 1 }
            return end < line.count && line[end] == ":"
        }
        let line = lines[first.line - 1]
        var index = first.column - 1 + key.count
        while index < line.count {
            if isKey(line, at: index) {
                var before = index - 1
                while before >= 0, line[before] == " " { before -= 1 }
                if before >= 0, line[before] == "," || line[before] == "{" {
                    return SourceLocation(file: first.file, line: first.line, column: index + 1)
                }
            }
            index += 1
        }
        let column = first.column - 1
        for number in first.line..<lines.count {
            let candidate = lines[number]
            if column <= candidate.count, candidate[..<column].allSatisfy({ $0 == " " || $0 == "-" }), isKey(candidate, at: column) {
                return SourceLocation(file: first.file, line: number + 1, column: first.column)
            }
        }
        return nil
    }

    /// A stable digest of the files' paths and contents (FNV-1a 64, hex), for plans.
    static func digest(of sources: [SourceFile]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for source in sources {
            for byte in source.path.utf8 + [0] + source.text.utf8 + [0] {
                hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            }
        }
        return String(hash, radix: 16)
    }
}
