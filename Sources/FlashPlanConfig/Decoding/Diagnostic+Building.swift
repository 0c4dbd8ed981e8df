import FlashPlanModel

extension Diagnostic {
    static func duplicateName(_ kind: String, _ name: String, at location: SourceLocation, first: SourceLocation) -> Diagnostic {
        .error(
            .duplicateName, at: location, "\(kind) '\(name)' is defined twice",
            note: "first defined at \(first); rename one or remove it")
    }
}

extension Diagnostic {
    static func totalTooLarge(_ kind: String, at location: SourceLocation) -> Diagnostic {
        .error(
            .valueOutOfRange, at: location,
            "all \(kind) together pass \(ByteCount(bytes: Limits.maximumTotalSize)), the most a configuration may declare",
            note: "check the units: sizes are at most \(ByteCount(bytes: Limits.maximumSize)) each")
    }
}
