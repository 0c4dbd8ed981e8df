import FlashPlanEngine
import Foundation
import Logging

/// swift-log handler writing one line per event to standard error: plain text, or
/// JSON (`--log-format json`) for journald and log shippers.
public struct LogLineHandler: LogHandler {
    public enum Format: String, Sendable, CaseIterable { case text, json }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let format: Format
    let sink: @Sendable (String) -> Void

    public init(label: String, format: Format, sink: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.format = format
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        switch format {
        case .text:
            let extra = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            sink("flashplan: \(event.level.rawValue): \(event.message)" + (extra.isEmpty ? "" : " \(extra)") + "\n")
        case .json:
            var object: [String: String] = ["level": event.level.rawValue, "message": "\(event.message)", "logger": label]
            for (key, value) in all { object[key] = "\(value)" }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            sink(String(decoding: data, as: UTF8.self) + "\n")
        }
    }
}
