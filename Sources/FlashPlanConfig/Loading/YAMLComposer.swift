// libyaml is Yams' C target (CYaml, built with Yams; not a product of its own). Yams'
// composer throws at the first repeated key, hides explicit tags and hashes whole
// subtrees of complex keys (a billion-laughs key never finishes), so flashplan composes
// libyaml's event stream itself.
import CYaml
import FlashPlanModel

/// One node of a composed YAML document, as written: explicit tags and repeated keys are
/// kept so that the decoder can report them; an alias is the anchored node itself (shared,
/// never copied), so composing is linear in the size of the file whatever the aliases.
final class YAMLNode: Sendable {
    enum Content {
        case scalar(String, plain: Bool)
        case sequence([YAMLNode])
        /// Pairs in the order written, repeated keys included.
        case mapping([(key: YAMLNode, value: YAMLNode)])
    }

    let content: Content
    /// The tag as written (`!foo`, `tag:yaml.org,2002:str` for `!!str`), nil when none.
    let tag: String?
    let line: Int
    let column: Int
    /// Nodes in this subtree once aliases are expanded (saturating), for the alias budget.
    let expandedCount: Int
    /// A scalar whose text stands in the source character for character on its one line,
    /// from `column` (one further when quoted): an offset into the text is then a column.
    /// False for folded or block scalars and for quoted ones with escapes, whose text
    /// differs from what was written.
    let verbatim: Bool

    init(_ content: Content, tag: String?, line: Int, column: Int, expandedCount: Int, verbatim: Bool = false) {
        self.content = content
        self.tag = tag
        self.line = line
        self.column = column
        self.expandedCount = expandedCount
        self.verbatim = verbatim
    }

    var string: String? { if case .scalar(let s, _) = content { s } else { nil } }

    var isNull: Bool {
        if tag == nil, case .scalar(let s, plain: true) = content { return ["", "~", "null", "Null", "NULL"].contains(s) }
        return false
    }
}

/// Composes one YAML document from UTF-8 bytes with libyaml, within the limits of `Limits`.
enum YAMLComposer {
    struct Failure: Error {
        var rule: Rule
        var line: Int
        var column: Int
        var message: String
        /// The byte offset of a reader error, which libyaml gives instead of a line.
        var byteOffset: Int?
    }

    static func compose(_ bytes: [UInt8]) throws(Failure) -> YAMLNode? {
        // On the heap and never copied: libyaml keeps a pointer to the parser in itself.
        let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
        defer { parser.deallocate() }
        parser.initialize(to: yaml_parser_t())
        guard yaml_parser_initialize(parser) == 1 else {
            throw Failure(rule: .yamlSyntax, line: 1, column: 1, message: "cannot initialise the YAML parser")
        }
        defer { yaml_parser_delete(parser) }
        yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING)
        let result: Result<YAMLNode?, Failure> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(parser, buffer.baseAddress, buffer.count)
            var state = State(parser: parser, lineStarts: Self.lineStarts(bytes))
            do throws(Failure) {
                return .success(try state.document())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The character index (as libyaml counts: one per UTF-8 sequence) at which each line
    /// starts, a line ending at LF.
    static func lineStarts(_ bytes: [UInt8]) -> [Int] {
        var starts = [0]
        var characters = 0
        for byte in bytes where byte & 0xC0 != 0x80 {
            characters += 1
            if byte == 0x0A { starts.append(characters) }
        }
        return starts
    }

    private struct State {
        let parser: UnsafeMutablePointer<yaml_parser_t>
        /// The character index at which each line starts (lines end at LF alone).
        let lineStarts: [Int]
        var anchors: [String: YAMLNode] = [:]
        var aliasExpansion = 0

        mutating func next() throws(Failure) -> Event {
            let event = Event()
            guard yaml_parser_parse(parser, &event.event) == 1 else { throw failure() }
            return event
        }

        mutating func document() throws(Failure) -> YAMLNode? {
            var event = try next()  // stream start
            if event.event.type == YAML_STREAM_START_EVENT { event = try next() }
            guard event.event.type == YAML_DOCUMENT_START_EVENT else { return nil }  // empty stream
            let root = try node(try next(), depth: 0)
            _ = try next()  // document end
            let after = try next()
            if after.event.type != YAML_STREAM_END_EVENT {
                let (line, column) = position(after.event.start_mark)
                throw Failure(
                    rule: .yamlSyntax, line: line, column: column,
                    message: "a second document (after `---` or `...`); a configuration file holds one")
            }
            return root
        }

        mutating func node(_ event: Event, depth: Int) throws(Failure) -> YAMLNode {
            let (line, column) = position(event.event.start_mark)
            if depth > Limits.maximumDepth {
                throw Failure(
                    rule: .documentTooComplex, line: line, column: column,
                    message: "values are nested more than \(Limits.maximumDepth) levels deep")
            }
            switch event.event.type {
            case YAML_ALIAS_EVENT:
                let name = string(event.event.data.alias.anchor) ?? ""
                guard let target = anchors[name] else {
                    throw Failure(rule: .yamlSyntax, line: line, column: column, message: "alias '*\(name)' refers to no anchor '&\(name)' above it")
                }
                aliasExpansion = aliasExpansion.addingReportingOverflow(target.expandedCount).overflow ? .max : aliasExpansion + target.expandedCount
                if aliasExpansion > Limits.maximumAliasExpansion {
                    throw Failure(
                        rule: .documentTooComplex, line: line, column: column,
                        message: "aliases expand the document by more than \(Limits.maximumAliasExpansion) values (alias '*\(name)'); a 'billion laughs' document?")
                }
                return target
            case YAML_SCALAR_EVENT:
                let scalar = event.event.data.scalar
                if scalar.length > Limits.maximumScalarLength {
                    throw Failure(rule: .valueTooLong, line: line, column: column, message: "\(scalar.length)")
                }
                let text = scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self) } ?? ""
                let plain = scalar.style == YAML_PLAIN_SCALAR_STYLE
                let quoted = scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE || scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE
                // Same line, and as many characters written (quotes aside) as the text
                // has: no folding, no escape, so the text is what was written.
                let (endLine, _) = position(event.event.end_mark)
                let written = Int(event.event.end_mark.index) - Int(event.event.start_mark.index) - (quoted ? 2 : 0)
                let verbatim = (plain || quoted) && endLine == line && written == text.unicodeScalars.count
                let node = YAMLNode(
                    .scalar(text, plain: plain), tag: string(scalar.tag),
                    line: line, column: column, expandedCount: 1, verbatim: verbatim)
                register(string(scalar.anchor), node)
                return node
            case YAML_SEQUENCE_START_EVENT:
                let start = event.event.data.sequence_start
                let anchor = string(start.anchor), tag = string(start.tag)
                var items: [YAMLNode] = []
                var count = 1
                while true {
                    let item = try next()
                    if item.event.type == YAML_SEQUENCE_END_EVENT { break }
                    let child = try node(item, depth: depth + 1)
                    count = Self.add(count, child.expandedCount)
                    items.append(child)
                }
                let node = YAMLNode(.sequence(items), tag: tag, line: line, column: column, expandedCount: count)
                register(anchor, node)
                return node
            case YAML_MAPPING_START_EVENT:
                let start = event.event.data.mapping_start
                let anchor = string(start.anchor), tag = string(start.tag)
                var pairs: [(key: YAMLNode, value: YAMLNode)] = []
                var count = 1
                while true {
                    let keyEvent = try next()
                    if keyEvent.event.type == YAML_MAPPING_END_EVENT { break }
                    let key = try node(keyEvent, depth: depth + 1)
                    let value = try node(try next(), depth: depth + 1)
                    count = Self.add(Self.add(count, key.expandedCount), value.expandedCount)
                    pairs.append((key, value))
                }
                let node = YAMLNode(.mapping(pairs), tag: tag, line: line, column: column, expandedCount: count)
                register(anchor, node)
                return node
            default:
                throw Failure(rule: .yamlSyntax, line: line, column: column, message: "unexpected YAML event")
            }
        }

        static func add(_ a: Int, _ b: Int) -> Int {
            let (sum, overflow) = a.addingReportingOverflow(b)
            return overflow ? .max : sum
        }

        mutating func register(_ anchor: String?, _ node: YAMLNode) {
            if let anchor { anchors[anchor] = node }
        }

        /// 1-based line and column of a mark, from its character index. libyaml's own line
        /// and column also break lines at CR, NEL, LS and PS, which the renderer and
        /// editors do not, and at the end of a file without a final newline it counts a line
        /// that is not there: its positions could name a line past the end of the file.
        func position(_ mark: yaml_mark_t) -> (line: Int, column: Int) {
            let index = Int(mark.index)
            // The last line start at or before `index`.
            var low = 0, high = lineStarts.count
            while high - low > 1 {
                let middle = (low + high) / 2
                if lineStarts[middle] <= index { low = middle } else { high = middle }
            }
            return (low + 1, index - lineStarts[low] + 1)
        }

        func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: $0) }
        }

        func failure() -> Failure {
            let parser = self.parser.pointee
            let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
            if parser.error == YAML_READER_ERROR {
                return Failure(
                    rule: .yamlSyntax, line: 1, column: 1,
                    message: problem + (parser.problem_value >= 0 ? String(format: " (#x%X)", parser.problem_value) : ""),
                    byteOffset: Int(parser.problem_offset))
            }
            let (line, column) = position(parser.problem_mark)
            var detail = ""
            if let context = parser.context.map({ String(cString: $0) }) {
                detail = "\(context) at line \(position(parser.context_mark).line), "
            }
            return Failure(rule: .yamlSyntax, line: line, column: column, message: detail + problem)
        }
    }

    /// Owns one `yaml_event_t`.
    private final class Event {
        var event = yaml_event_t()
        deinit { yaml_event_delete(&event) }
    }
}
