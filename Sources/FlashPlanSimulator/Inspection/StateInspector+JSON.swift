import FlashPlanModel
import Foundation

extension StateInspector {
    /// `state list --format json`, written piece by piece to `output`.
    ///
    /// Everything but the snapshots goes through `encoder()`; the snapshots (a million in a
    /// large fleet) are written by hand in the same shape — snake_case keys in sorted
    /// order, ISO-8601 UTC dates, absent optionals left out — one object per line, which
    /// takes a fraction of the time and memory of encoding them as values.
    public static func writeJSON(_ state: ObservedState, to output: (String) -> Void) throws {
        var rest = state
        rest.snapshots = []
        let encoded = String(decoding: try encoder().encode(rest), as: UTF8.self)
        let marker = "\"snapshots\" : ["
        guard let range = encoded.range(of: marker),
            let close = encoded[range.upperBound...].firstIndex(of: "]")
        else {
            output(encoded + "\n")
            return
        }
        output(String(encoded[..<range.upperBound]))
        var chunk = ""
        chunk.reserveCapacity(1 << 16)
        for (index, snapshot) in state.snapshots.enumerated() {
            chunk += index == 0 ? "\n    " : ",\n    "
            appendJSON(snapshot, to: &chunk)
            if chunk.utf8.count >= 1 << 16 {
                output(chunk)
                chunk.removeAll(keepingCapacity: true)
            }
        }
        chunk += state.snapshots.isEmpty ? "\n\n  " : "\n  "
        output(chunk)
        output(String(encoded[close...]) + "\n")
    }

    static func appendJSON(_ snapshot: ObservedSnapshot, to out: inout String) {
        out += "{\"content\" : "
        out += String(snapshot.content)
        out += ", \"created\" : \""
        out += snapshot.created.iso8601
        out += "\""
        if let group = snapshot.group {
            out += ", \"group\" : "
            appendQuoted(group, to: &out)
        }
        out += ", \"hosts\" : ["
        for (index, host) in snapshot.hosts.enumerated() {
            if index > 0 { out += ", " }
            appendQuoted(host, to: &out)
        }
        out += "]"
        if let until = snapshot.immutableUntil {
            out += ", \"immutable_until\" : \""
            out += until.iso8601
            out += "\""
        }
        out += ", \"label\" : "
        appendQuoted(snapshot.label, to: &out)
        out += ", \"name\" : "
        appendQuoted(snapshot.name, to: &out)
        if let tag = snapshot.tag {
            out += ", \"tag\" : "
            appendQuoted(tag, to: &out)
        }
        out += ", \"volume\" : "
        appendQuoted(snapshot.volume, to: &out)
        out += "}"
    }

    /// A JSON string literal.
    static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
