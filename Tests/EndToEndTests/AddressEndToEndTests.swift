import Foundation
import Testing

/// One vocabulary through the binary: a backup address the plan prints is shown by
/// `state show`, and `--target` takes a group's address.
@Suite(.serialized) struct AddressEndToEndTests {
    static let t0 = "2026-11-21T10:00:00Z"

    @Test func aPrintedBackupAddressIsShownAndAGroupAddressTargets() throws {
        let workspace = try ApplyWorkspace(config: Fleets.twoArrays)
        defer { workspace.remove() }
        let targeted = try workspace.plan(Self.t0, ["--target", "group.gamma"])
        #expect(targeted.exitCode == 2, "\(targeted)")
        #expect(targeted.stdout.contains("backup.gamma/") && !targeted.stdout.contains("backup.alpha/"), "\(targeted.stdout)")
        let applied = try workspace.apply(Self.t0)
        #expect(applied.exitCode == 0, "\(applied)")
        let address = try #require(applied.stdout.firstMatch(of: /backup\.alpha\/[A-Za-z0-9._-]+/).map { String($0.0) })
        let shown = try workspace.run(["state", "show", address, "--state", workspace.state, "--now", Self.t0])
        #expect(shown.exitCode == 0, "\(shown)")
        #expect(shown.stdout.hasPrefix(address + "\n") && shown.stdout.contains("copies"), "\(shown.stdout)")
        let bad = try workspace.run(["state", "show", "backup.alpha", "--state", workspace.state, "--now", Self.t0])
        #expect(bad.exitCode != 0 && bad.stderr.contains("is not an address"), "\(bad)")
    }
}
