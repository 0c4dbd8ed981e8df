import Foundation

/// Backups flashplan no longer manages (DESIGN §4): those of a resource group that is
/// no longer declared, held on a volume no longer in its group, or on a destination
/// its group no longer replicates to. They are reported and kept, never pruned.
public struct UnmanagedBackups: Sendable, Hashable, Codable {
    public enum Cause: String, Sendable, Hashable, Codable {
        /// The resource group is no longer declared.
        case groupRemoved = "group_removed"
        /// The group is declared, but no longer protects this volume.
        case volumeRemoved = "volume_removed"
        /// A destination volume the group no longer replicates to.
        case destinationRemoved = "destination_removed"
    }

    public var group: String
    public var cause: Cause
    /// Volumes holding them, sorted.
    public var volumes: [String]
    /// Distinct backups (names), and the snapshots holding them.
    public var backups: Int
    public var snapshots: Int
    public var newest: Date

    public init(group: String, cause: Cause, volumes: [String], backups: Int, snapshots: Int, newest: Date) {
        self.group = group
        self.cause = cause
        self.volumes = volumes
        self.backups = backups
        self.snapshots = snapshots
        self.newest = newest
    }
}
