/// `hosts.<name>`: a server that volumes are mapped to.
public struct Host: Sendable, Hashable {
    public var name: String
    public var site: String?
    public var locations = FieldLocations()

    public init(name: String, site: String? = nil) {
        self.name = name
        self.site = site
    }
}
