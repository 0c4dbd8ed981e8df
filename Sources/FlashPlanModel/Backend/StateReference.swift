/// The state a plan was computed against; a plan applies only to that lineage and serial.
public struct StateReference: Sendable, Hashable, Codable {
    public var lineage: String
    public var serial: Int

    public init(lineage: String, serial: Int) {
        self.lineage = lineage
        self.serial = serial
    }
}
