import FlashPlanModel

/// Messages of the decoding stage: the shape of the YAML against the language.
extension Diagnostic {
    static func yamlSyntax(at location: SourceLocation, _ problem: String) -> Diagnostic {
        .error(.yamlSyntax, at: location, "YAML syntax error: \(problem)", note: "check indentation, colons and quotes on this line")
    }

    static func duplicateKey(_ key: String, at location: SourceLocation, first: SourceLocation? = nil) -> Diagnostic {
        .error(
            .duplicateKey, at: location, "key '\(key)' appears twice in the same mapping",
            note: "remove or merge one of them" + (first.map { "; the first is at \($0)" } ?? ""))
    }

    static func unknownKey(_ key: String, at location: SourceLocation, allowed: [String]) -> Diagnostic {
        let guess = Suggestion.closest(to: key, in: allowed)
        return .error(
            .unknownKey, at: location,
            "unknown key '\(key)'" + (guess.map { "; did you mean '\($0)'?" } ?? ""),
            note: "allowed keys here: " + allowed.joined(separator: ", "))
    }

    static func missingKey(_ key: String, in context: String, at location: SourceLocation) -> Diagnostic {
        .error(.missingKey, at: location, "\(context) needs '\(key)'", note: "add '\(key):' here")
    }

    static func wrongType(_ key: String, expected: String, found: String, at location: SourceLocation) -> Diagnostic {
        .error(.wrongType, at: location, "'\(key)' must be \(expected), not \(found)")
    }

    static func invalidName(_ name: String, at location: SourceLocation) -> Diagnostic {
        .error(
            .invalidName, at: location, "'\(name)' is not a valid name",
            note: "names start with a letter or _, then letters, digits, '.', '_' or '-', at most 63 characters")
    }

    static func invalidSize(_ text: String, key: String, at location: SourceLocation) -> Diagnostic {
        .error(.invalidSize, at: location, "'\(key)' must be a size such as 512GiB, 2TiB or 1.5TB, not '\(text)'")
    }

    static func invalidPercentage(_ text: String, key: String, at location: SourceLocation) -> Diagnostic {
        .error(.invalidPercentage, at: location, "'\(key)' must be a percentage such as 80%, not '\(text)'")
    }

    static func invalidChoice(_ text: String, key: String, choices: [String], at location: SourceLocation) -> Diagnostic {
        .error(
            .invalidValue, at: location,
            "'\(text)' is not a valid \(key)" + Suggestion.hint(for: text, in: choices),
            note: "use one of: " + choices.joined(separator: ", "))
    }

    static func outOfRange(_ value: some CustomStringConvertible, key: String, range: ClosedRange<Int>, at location: SourceLocation) -> Diagnostic {
        .error(.valueOutOfRange, at: location, "'\(key)' is \(value), outside \(range.lowerBound)..\(range.upperBound)")
    }

    static func sizeTooLarge(_ text: String, key: String, at location: SourceLocation) -> Diagnostic {
        .error(
            .valueOutOfRange, at: location, "'\(key)' is \(text), more than the largest size, \(ByteCount(bytes: Limits.maximumSize))",
            note: "check the unit (a FlashSystem volume is at most 256TiB)")
    }

    static func percentageOutOfRange(_ text: String, key: String, range: ClosedRange<Double>, at location: SourceLocation) -> Diagnostic {
        .error(
            .valueOutOfRange, at: location,
            "'\(key)' is \(text), outside \(Percentage(range.lowerBound))..\(Percentage(range.upperBound))")
    }

    static func unsupportedVersion(_ value: some CustomStringConvertible, at location: SourceLocation) -> Diagnostic {
        .error(.unsupportedVersion, at: location, "version \(value) is not supported", note: "this flashplan reads version: 1")
    }

    static func retentionMissing(at location: SourceLocation) -> Diagnostic {
        .error(.retentionInvalid, at: location, "retention needs 'count' or 'days'", note: Language.retentionHelp)
    }

    static func retentionBoth(at location: SourceLocation) -> Diagnostic {
        .error(.retentionInvalid, at: location, "retention has both 'count' and 'days'; give one", note: Language.retentionHelp)
    }

    static func retentionRange(_ key: String, _ value: some CustomStringConvertible, range: ClosedRange<Int>, at location: SourceLocation) -> Diagnostic {
        .error(
            .retentionOutOfRange, at: location,
            "retention \(key) \(value) is outside \(range.lowerBound)..\(range.upperBound)",
            note: key == "count" ? "a FlashSystem volume holds at most 255 snapshots" : "days go from 1 to 36500 (100 years)")
    }
}

/// Messages about the file itself: what the path is, its size, encoding and limits.
extension Diagnostic {
    static func fileUnreadable(_ what: String, note: String, at location: SourceLocation) -> Diagnostic {
        .error(.fileUnreadable, at: location, "the path \(what)", note: note)
    }

    static func fileTooLarge(bytes: Int64, at location: SourceLocation) -> Diagnostic {
        let mib = Double(bytes) / 1_048_576
        return .error(
            .fileTooLarge, at: location,
            "the file is \(mib < 10_000 ? String(format: "%.1f", mib) : "over 10000") MiB, more than the \(Limits.maximumFileSize >> 20) MiB a configuration file may have; it is not read",
            note: "split the configuration into several files")
    }

    static func invalidEncoding(_ problem: String, at location: SourceLocation) -> Diagnostic {
        .error(.invalidEncoding, at: location, "\(problem); the file is not read", note: "save it as UTF-8")
    }

    static func valueTooLong(_ length: Int, at location: SourceLocation) -> Diagnostic {
        .error(
            .valueTooLong, at: location,
            "a key or value of \(length) bytes, more than the \(Limits.maximumScalarLength >> 10) KiB allowed; the rest of the file is not checked",
            note: "shorten it")
    }

    static func documentTooComplex(_ problem: String, at location: SourceLocation) -> Diagnostic {
        .error(.documentTooComplex, at: location, "\(problem); the rest of the file is not checked", note: "write the values out, or use fewer aliases")
    }

    static func unsupportedTag(_ tag: String, key: String, expected: String, at location: SourceLocation) -> Diagnostic {
        .error(
            .unsupportedTag, at: location, "tag '\(tag)' is not allowed on '\(key)', which is \(expected); tags cannot change a value's type",
            note: "remove the tag")
    }

    static func duplicateEntry(_ what: String, in list: String, at location: SourceLocation, first: SourceLocation) -> Diagnostic {
        .error(.duplicateEntry, at: location, "\(what) is listed twice in \(list)", note: "first listed at \(first); remove one of them")
    }
}
