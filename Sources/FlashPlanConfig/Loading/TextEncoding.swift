import FlashPlanModel

/// Checks that a file is UTF-8 before YAML sees it, naming what it is instead: UTF-16 or
/// UTF-32 (by their byte order mark, or by the NUL bytes of ASCII text in them), a byte
/// that is not UTF-8 at its line and column, a NUL byte at its place.
enum TextEncoding {
    /// The text without a UTF-8 byte order mark, or where and why it is not UTF-8.
    static func utf8(_ bytes: [UInt8], file: String) -> Result<ArraySlice<UInt8>, Refusal> {
        func fail(_ line: Int, _ column: Int, _ problem: String) -> Result<ArraySlice<UInt8>, Refusal> {
            .failure(Refusal(.invalidEncoding(problem, at: SourceLocation(file: file, line: line, column: column))))
        }
        let b = bytes
        if b.starts(with: [0xFF, 0xFE, 0, 0]) { return fail(1, 1, "the file is UTF-32 (little-endian, it starts with a byte order mark), not UTF-8") }
        if b.starts(with: [0, 0, 0xFE, 0xFF]) { return fail(1, 1, "the file is UTF-32 (big-endian, it starts with a byte order mark), not UTF-8") }
        if b.starts(with: [0xFF, 0xFE]) { return fail(1, 1, "the file is UTF-16 (little-endian, it starts with a byte order mark), not UTF-8") }
        if b.starts(with: [0xFE, 0xFF]) { return fail(1, 1, "the file is UTF-16 (big-endian, it starts with a byte order mark), not UTF-8") }
        if b.count >= 4, b[0] != 0, b[1] == 0, b[2] != 0, b[3] == 0 { return fail(1, 1, "the file looks like UTF-16 (little-endian, no byte order mark), not UTF-8") }
        if b.count >= 4, b[0] == 0, b[1] != 0, b[2] == 0, b[3] != 0 { return fail(1, 1, "the file looks like UTF-16 (big-endian, no byte order mark), not UTF-8") }
        let start = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var i = start, line = 1, column = 1
        while i < b.count {
            let byte = b[i]
            if byte < 0x80 {
                if byte == 0 { return fail(line, column, "a NUL byte (0x00) is in the text; YAML files cannot contain one") }
                if byte == 0x0A { line += 1; column = 1 } else { column += 1 }
                i += 1
                continue
            }
            let length = sequenceLength(b, at: i)
            guard length > 0 else {
                return fail(line, column, "byte 0x\(String(byte, radix: 16, uppercase: true)) is not UTF-8 (the file may be Latin-1 or Windows-1252)")
            }
            i += length
            column += 1
        }
        return .success(b[start...])
    }

    /// The length of the well-formed UTF-8 sequence at `i` (Unicode Table 3-7), 0 if it is not one.
    static func sequenceLength(_ b: [UInt8], at i: Int) -> Int {
        func continuation(_ k: Int, _ range: ClosedRange<UInt8> = 0x80...0xBF) -> Bool { k < b.count && range.contains(b[k]) }
        switch b[i] {
        case 0xC2...0xDF: return continuation(i + 1) ? 2 : 0
        case 0xE0: return continuation(i + 1, 0xA0...0xBF) && continuation(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(i + 1) && continuation(i + 2) ? 3 : 0
        case 0xED: return continuation(i + 1, 0x80...0x9F) && continuation(i + 2) ? 3 : 0
        case 0xF0: return continuation(i + 1, 0x90...0xBF) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        case 0xF1...0xF3: return continuation(i + 1) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        case 0xF4: return continuation(i + 1, 0x80...0x8F) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        default: return 0
        }
    }

    /// Line and column (in characters, as libyaml counts them) of a byte offset.
    static func position(ofByte offset: Int, in bytes: ArraySlice<UInt8>) -> (line: Int, column: Int) {
        var line = 1, column = 1
        var i = bytes.startIndex
        let end = min(bytes.endIndex, bytes.startIndex + max(0, offset))
        while i < end {
            if bytes[i] == 0x0A { line += 1; column = 1 } else if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }
}
