/// `arrays.<name>`: one IBM FlashSystem array.
public struct StorageArray: Sendable, Hashable {
    public var name: String
    public var model: ArrayModel
    public var capacity: ByteCount
    public var site: String?
    public var locations = FieldLocations()

    public init(name: String, model: ArrayModel, capacity: ByteCount, site: String? = nil) {
        self.name = name
        self.model = model
        self.capacity = capacity
        self.site = site
    }
}
