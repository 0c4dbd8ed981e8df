import FlashPlanModel
import FlashPlanSchedule
import Foundation

/// Loads every `*.yaml`/`*.yml` under a directory, recursively and in path order,
/// checks it against the language, merges the sections and validates the result.
public enum ConfigurationLoader {
    /// Thrown only for the fatal: the directory cannot be read at all.
    public struct LoadError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public static func load(directory: String) throws -> LoadResult {
        let files = try configurationFiles(in: directory)
        return load(files: files.map { (path: $0, content: FileReader.read($0)) })
    }

    /// Loads already-read files; what tests and `diff` use.
    public static func load(sources: [SourceFile]) -> LoadResult {
        load(files: sources.map { (path: $0.path, content: Result<[UInt8], Refusal>.success(Array($0.text.utf8))) })
    }

    /// Loads files given as bytes, checked exactly as files read from disk are (their
    /// encoding first); what the fuzzer (`flashplan-fuzz`) feeds.
    public static func load(contents: [(path: String, bytes: [UInt8])]) -> LoadResult {
        load(files: contents.map { (path: $0.path, content: Result<[UInt8], Refusal>.success($0.bytes)) })
    }

    static func load(files: [(path: String, content: Result<[UInt8], Refusal>)]) -> LoadResult {
        var diagnostics: [Diagnostic] = []
        var documents: [ConfigValue] = []
        var sources: [SourceFile] = []
        // Root causes before their consequences: what a file that could not be parsed
        // declares is unknown, so a name written in it is not reported as undefined
        // elsewhere; when a file could not even be read, no name is.
        var failed = FailedFiles()
        for (path, content) in files {
            let bytes: ArraySlice<UInt8>
            switch content.flatMap({ TextEncoding.utf8($0, file: path) }) {
            case .failure(let refusal):
                diagnostics.append(refusal.diagnostic)
                failed.unreadable = true
                continue
            case .success(let text):
                bytes = text
            }
            let source = SourceFile(path: path, text: String(decoding: bytes, as: UTF8.self))
            sources.append(source)
            var decoder = SpecDecoder(file: path)
            do throws(YAMLComposer.Failure) {
                if let root = try YAMLComposer.compose(Array(bytes)) {
                    if let value = decoder.decodeFile(root) { documents.append(value) }
                }
            } catch {
                diagnostics.append(diagnostic(for: error, file: path, bytes: bytes))
                failed.addWords(of: source.text)
            }
            diagnostics += decoder.diagnostics
        }
        var builder = ConfigurationBuilder()
        builder.build(documents)
        diagnostics += builder.diagnostics
        var configuration = builder.configuration
        configuration.digest = digest(of: sources)
        var validator = ConfigurationValidator(configuration, declared: builder.declared)
        validator.failedFiles = failed
        diagnostics += validator.validate()
        configuration.settings.timeZone = TimeZone(identifier: configuration.settings.timezone) ?? TimeZone(identifier: "UTC")!
        for (group, schedules) in validator.parsedSchedules {
            for (index, schedule) in schedules { configuration.resourceGroups[group]?.policies[index].parsedSchedule = schedule }
        }
        return LoadResult(configuration: configuration, diagnostics: diagnostics.sortedByLocation(), sources: sources)
    }

    static func diagnostic(for failure: YAMLComposer.Failure, file: String, bytes: ArraySlice<UInt8>) -> Diagnostic {
        var at = SourceLocation(file: file, line: failure.line, column: failure.column)
        if let offset = failure.byteOffset {
            let position = TextEncoding.position(ofByte: offset, in: bytes)
            at.line = position.line
            at.column = position.column
        }
        switch failure.rule {
        case .valueTooLong: return .valueTooLong(Int(failure.message) ?? 0, at: at)
        case .documentTooComplex: return .documentTooComplex(failure.message, at: at)
        default: return .yamlSyntax(at: at, failure.message)
        }
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

/// What the files that failed to parse might declare.
struct FailedFiles: Sendable {
    /// A file could not be read at all: any name might be declared in it.
    var unreadable = false
    /// Every word that could be a name in the files that could not be parsed.
    var words: Set<Substring> = []

    mutating func addWords(of text: String) {
        for word in text.split(whereSeparator: { c in !(c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "." || c == "-")) }) {
            words.insert(word)
        }
    }

    func mayDeclare(_ name: String) -> Bool { unreadable || words.contains(Substring(name)) }
}
