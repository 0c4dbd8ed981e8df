/// `pools.<name>`: a virtualized SVC storage pool built from array capacity.
public struct Pool: Sendable, Hashable {
    public struct Extent: Sendable, Hashable, Codable {
        public var array: String
        public var capacity: ByteCount
        public var location: SourceLocation = .unknown

        public init(array: String, capacity: ByteCount, location: SourceLocation = .unknown) {
            self.array = array
            self.capacity = capacity
            self.location = location
        }

        enum CodingKeys: String, CodingKey { case array, capacity }
    }

    public var name: String
    public var cluster: String
    public var capacityFrom: [Extent]
    public var warningThreshold: Percentage = Percentage(80)
    public var maxOvercommit: Percentage = Percentage(300)
    public var easyTier: Bool = false
    public var locations = FieldLocations()

    public init(name: String, cluster: String, capacityFrom: [Extent]) {
        self.name = name
        self.cluster = cluster
        self.capacityFrom = capacityFrom
    }

    public var physicalCapacity: ByteCount { capacityFrom.reduce(.zero) { $0 + $1.capacity } }
    public var arrays: [String] { capacityFrom.map(\.array) }
}
