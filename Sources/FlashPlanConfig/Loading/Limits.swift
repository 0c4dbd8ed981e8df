/// What one configuration file may be, so that a hostile or broken file is refused in
/// bounded time and memory instead of stalling or exhausting a root timer job.
/// docs/configuration.md ("Limits") states the same numbers; a test keeps them equal.
public enum Limits {
    /// Bytes in one file: 16 MiB. A fleet of thousands of volumes is a few hundred KiB.
    public static let maximumFileSize = 16 << 20
    /// UTF-8 bytes in one scalar (a key or a value): 64 KiB.
    public static let maximumScalarLength = 64 << 10
    /// Levels of nested mappings and lists: the language needs 8.
    public static let maximumDepth = 64
    /// Values that aliases (`*name`) may add to a file once expanded: 100,000. A
    /// "billion laughs" document crosses it within a few aliases and fails at once.
    public static let maximumAliasExpansion = 100_000
    /// The largest size anywhere: 1 PiB (a FlashSystem volume is at most 256 TiB).
    public static let maximumSize: UInt64 = 1 << 50
    /// All sizes of one kind together (volume sizes; capacities of arrays; pool extents): 64 PiB,
    /// so that any sum of them, times any `max_overcommit`, stays far inside 63 bits.
    public static let maximumTotalSize: UInt64 = 1 << 56
}
