import FlashPlanModel

/// Messages of the decoding stage: the shape of the YAML against the language.
extension Diagnostic {
    static func yamlSyntax(at location: SourceLocation, _ problem: String) -> Diagnostic {
        .error(.yamlSyntax, at: location, "YAML syntax error: \(problem)", note: "check indentation, colons and quotes on this line")
    }

    static func duplicateKey(_ key: String, at location: SourceLocation) -> Diagnostic {
        .error(.duplicateKey, at: location, "key '\(key)' appears twice in the same mapping", note: "remove or merge one of them")
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

    static func outOfRange(_ value: Int, key: String, range: ClosedRange<Int>, at location: SourceLocation) -> Diagnostic {
        .error(.valueOutOfRange, at: location, "'\(key)' is \(value), outside \(range.lowerBound)..\(range.upperBound)")
    }

    static func unsupportedVersion(_ value: Int, at location: SourceLocation) -> Diagnostic {
        .error(.unsupportedVersion, at: location, "version \(value) is not supported", note: "this flashplan reads version: 1")
    }

    static func retentionMissing(at location: SourceLocation) -> Diagnostic {
        .error(.retentionInvalid, at: location, "retention needs 'count' or 'days'", note: Language.retentionHelp)
    }

    static func retentionBoth(at location: SourceLocation) -> Diagnostic {
        .error(.retentionInvalid, at: location, "retention has both 'count' and 'days'; give one", note: Language.retentionHelp)
    }

    static func retentionRange(_ key: String, _ value: Int, range: ClosedRange<Int>, at location: SourceLocation) -> Diagnostic {
        .error(
            .retentionOutOfRange, at: location,
            "retention \(key) \(value) is outside \(range.lowerBound)..\(range.upperBound)",
            note: key == "count" ? "a FlashSystem volume holds at most 255 snapshots" : "days go from 1 to 36500 (100 years)")
    }
}
