/// The IBM FlashSystem models flashplan knows, with the capacities each is sold with (DOMAIN.md §2).
public enum ArrayModel: String, Sendable, Hashable, Codable, CaseIterable {
    case flashSystem710 = "FlashSystem 710"
    case flashSystem810 = "FlashSystem 810"
    case flashSystem720 = "FlashSystem 720"
    case flashSystem820 = "FlashSystem 820"

    /// Capacities sold, in decimal terabytes.
    public var capacitiesTB: [UInt64] {
        switch self {
        case .flashSystem710: [1, 2, 3, 4, 5]
        case .flashSystem810: [2, 4, 6, 8, 10]
        case .flashSystem720: Array(6...12)
        case .flashSystem820: Array(12...24)
        }
    }

    public var capacities: [ByteCount] { capacitiesTB.map { .tb($0) } }

    /// 720 and 820 have system-level RAID 5 across modules with a hot spare: they
    /// survive a whole module failure (degraded); 710 and 810 do not.
    public var survivesModuleFailure: Bool {
        self == .flashSystem720 || self == .flashSystem820
    }

    public var flash: String {
        switch self {
        case .flashSystem710, .flashSystem720: "SLC"
        case .flashSystem810, .flashSystem820: "eMLC"
        }
    }
}
