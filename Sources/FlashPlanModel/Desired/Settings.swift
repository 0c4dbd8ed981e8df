import Foundation

/// The `settings` section.
public struct Settings: Sendable, Hashable {
    /// IANA time zone in which schedules without a zone, and backup names, are read.
    public var timezone: String = "UTC"
    /// `timezone` resolved once by validation (UTC when it names no zone, which is an error).
    public var timeZone: TimeZone = TimeZone(identifier: "UTC")!
    /// Prune backups whose label no policy of their group uses any more.
    public var pruneOrphanedLabels: Bool = false
    public var locations = FieldLocations()

    public init() {}
}
