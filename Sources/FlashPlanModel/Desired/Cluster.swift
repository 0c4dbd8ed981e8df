/// `clusters.<name>`: one SAN Volume Controller cluster.
public struct Cluster: Sendable, Hashable {
    public static let ioGroupRange = 1...4

    public var name: String
    public var site: String?
    public var ioGroups: Int
    public var locations = FieldLocations()

    public init(name: String, site: String? = nil, ioGroups: Int = 1) {
        self.name = name
        self.site = site
        self.ioGroups = ioGroups
    }
}
