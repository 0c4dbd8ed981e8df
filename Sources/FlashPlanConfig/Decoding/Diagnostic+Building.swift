import FlashPlanModel

extension Diagnostic {
    static func duplicateName(_ kind: String, _ name: String, at location: SourceLocation, first: SourceLocation) -> Diagnostic {
        .error(
            .duplicateName, at: location, "\(kind) '\(name)' is defined twice",
            note: "first defined at \(first); rename one or remove it")
    }
}
