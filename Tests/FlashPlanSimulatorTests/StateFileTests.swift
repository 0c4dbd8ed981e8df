import FlashPlanModel
import FlashPlanSimulator
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `StateStore(path:access:)` in the library: what read-only means to SQLite, and how a
/// new state comes to exist. The command-line guarantees are tested end to end in
/// `Tests/EndToEndTests/StateFile*Tests.swift` (docs/reliability.md).
@Suite struct StateFileTests {
    let now = SimFixture.start

    @Test func aReadOnlyStoreCannotWriteEvenByMistake() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.db").path
        let writer = try StateStore(path: path)
        try writer.backend.perform(.createHost(name: "h1", site: nil), at: now, journal: nil)
        let reader = try StateStore(path: path, access: .readOnly)
        #expect(reader.lineage == writer.lineage)
        #expect(try reader.backend.observe(at: now).hosts.map(\.name) == ["h1"])
        do {
            try reader.backend.perform(.createHost(name: "h2", site: nil), at: now, journal: nil)
            Issue.record("a read-only store wrote")
        } catch let error as StateFileError {
            #expect(error.problem == .notWritable && error.path == path, "\(error)")
            #expect(error.description.hasPrefix("state \(path) cannot be written"))
        }
        #expect(throws: StateFileError.self) { try reader.beginApply(operation: "apply", now: now) }
        #expect(try writer.backend.observe(at: now).hosts.map(\.name) == ["h1"])
    }

    @Test func aReadOnlyOpenOfAMissingStateCreatesNothing() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("missing/state.db").path
        do {
            _ = try StateStore(path: path, access: .readOnly)
            Issue.record("opened a state that does not exist")
        } catch let error as StateFileError {
            #expect(error.problem == .missing)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        let absent = try StateStore.absent()
        #expect(absent.lineage.isEmpty && absent.path == nil)
        #expect(try absent.backend.observe(at: now).lineage.isEmpty)
    }

    @Test func aNewStateAppearsWholeAndLeavesNoTemporaryBehind() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s/state.db").path
        _ = try StateStore(path: path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("s").path).filter { $0.contains(".tmp-") }.isEmpty)
        var info = stat()
        #expect(lstat(directory.appendingPathComponent("s").path, &info) == 0 && info.st_mode & 0o777 == 0o700)
        // A second store on the same path uses the state the first created.
        let first = try StateStore(path: path)
        let second = try StateStore(path: path)
        #expect(first.lineage == second.lineage)
    }

    @Test func anEmptyFileIsNeverTakenForANewState() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.db").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        do {
            _ = try StateStore(path: path)
            Issue.record("an empty file was initialised as a new state")
        } catch let error as StateFileError {
            #expect(error.problem == .empty, "\(error)")
        }
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int == 0)
    }
}
