import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `flashplan backup` and `flashplan restore` through the built binary (DESIGN §7,
/// docs/restore.md): an on-demand backup is named, labelled, replicated and retained like
/// a scheduled one; a restore gives a volume exactly its backup's content, keeps newer
/// backups, restores from the mirror after the primary array failed, and is refused —
/// changing nothing — for what it may not do.
@Suite(.serialized) struct BackupRestoreEndToEndTests {
    static let t0 = "2026-11-21T10:00:00Z"
    static let t1 = "2026-11-21T10:10:00Z"
    static let t2 = "2026-11-21T10:20:00Z"
    static let t3 = "2026-11-21T10:30:00Z"
    static let t4 = "2026-11-21T10:40:00Z"

    /// Two arrays (primary site fa, DR site fb). v3 is mapped to h3 too, a host outside
    /// the group: the group's backups are not valid for it. `before-change` is on demand.
    static let config = """
        settings: { timezone: UTC }
        arrays:
          fa: { model: FlashSystem 720, capacity: 12TB, site: rome }
          fb: { model: FlashSystem 720, capacity: 12TB, site: milan }
        clusters:
          svc: {}
        pools:
          prod: { cluster: svc, capacity_from: [{ array: fa, capacity: 10TB }] }
          dr: { cluster: svc, capacity_from: [{ array: fb, capacity: 5TB }] }
          vault: { cluster: svc, capacity_from: [{ array: fb, capacity: 5TB }] }
        hosts:
          h1: {}
          h2: {}
          h3: {}
        volumes:
          v1: { pool: prod, size: 100GiB, hosts: [h1] }
          v2: { pool: prod, size: 100GiB, hosts: [h1, h2] }
          v3: { pool: prod, size: 100GiB, hosts: [h2, h3] }
        policies:
          hourly-6: { frequency: hourly, retention: { count: 6 } }
          before-change: { frequency: none, label: manual, retention: { count: 3 } }
          spare: { frequency: daily, retention: { count: 2 } }
        resource_groups:
          alpha:
            hosts: [h1, h2]
            volumes: [v1, v2, v3]
            policies:
              - { policy: hourly-6 }
              - { policy: before-change }
            replicate:
              - { to: dr, type: mirror, mode: async }
              - to: vault
                type: vault
                retention:
                  manual: { count: 5 }

        """

    static func workspace() throws -> ApplyWorkspace {
        let workspace = try ApplyWorkspace(config: config)
        let first = try workspace.apply(t0)
        #expect(first.exitCode == 0, "\(first)")
        return workspace
    }

    static func backup(_ workspace: ApplyWorkspace, at now: String, _ extra: [String] = ["--auto-approve"]) throws -> FlashPlanBinary.Result {
        try workspace.run(["backup", "alpha", "--policy", "before-change"] + extra + workspace.flags(now))
    }

    static func restore(_ workspace: ApplyWorkspace, _ arguments: [String], at now: String, approve: Bool = true) throws -> FlashPlanBinary.Result {
        try workspace.run(["restore", "alpha"] + arguments + (approve ? ["--auto-approve"] : []) + workspace.flags(now))
    }

    /// The `content` field `state show ADDRESS --format json` prints.
    static func content(_ workspace: ApplyWorkspace, _ address: String, at now: String) throws -> Int? {
        let run = try workspace.run(["state", "show", address, "--format", "json", "--state", workspace.state, "--now", now])
        guard run.exitCode == 0, let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        else { return nil }
        return object["content"] as? Int
    }

    static func serial(_ workspace: ApplyWorkspace, at now: String) throws -> Int? {
        let run = try workspace.run(["state", "list", "--format", "json", "--state", workspace.state, "--now", now])
        return (try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["serial"] as? Int
    }

    /// The newest backup of `label` on v1.
    static func newest(_ workspace: ApplyWorkspace, label: String, at now: String) throws -> String? {
        try workspace.listing(now).snapshots(on: "v1", label: label).last?.name
    }

    // MARK: backup

    @Test func anOnDemandBackupOfAFrequencyNonePolicyIsNamedReplicatedAndRetainedLikeAScheduledOne() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        // Never due by schedule: the timer's plan has nothing to do, and no 'manual' backup exists.
        #expect(try workspace.plan(Self.t0).exitCode == 0)
        #expect(try workspace.listing(Self.t0).snapshots(on: "v1", label: "manual").isEmpty)

        let run = try Self.backup(workspace, at: Self.t1)
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("on demand (flashplan backup --policy before-change)"), "\(run)")
        #expect(run.stdout.contains("Backup complete!"), "\(run)")
        let name = "alpha_h1_11-21-2026_10.10.00"
        let listing = try workspace.listing(Self.t1)
        for volume in ["v1", "v2", "v3", "v1_dr", "v2_dr", "v3_dr", "v1_vault", "v2_vault", "v3_vault"] {
            #expect(listing.snapshots(on: volume, label: "manual").map(\.name) == [name], "\(volume): \(listing.snapshots(on: volume))")
        }
        #expect(listing.snapshots(on: "v1").first { $0.name == name }?.group == "alpha")
        // Journaled as a backup; a plan at the same time has nothing left to do (retention keeps it).
        let applies = try StateDatabase.applies(workspace.statePath)
        #expect(applies.last?.operation == "backup" && applies.last?.outcome == "success", "\(applies)")
        #expect(try workspace.plan(Self.t1).exitCode == 0)

        // Retention is the policy's: count 3 on primary and mirror, the vault's own 5.
        for now in [Self.t2, Self.t3, Self.t4] {
            #expect(try Self.backup(workspace, at: now).exitCode == 0)
        }
        let after = try workspace.listing(Self.t4)
        #expect(after.snapshots(on: "v1", label: "manual").count == 3, "\(after.snapshots(on: "v1"))")
        #expect(!after.snapshots(on: "v1").contains { $0.name == name })
        #expect(after.snapshots(on: "v1_dr", label: "manual").count == 3)
        #expect(after.snapshots(on: "v1_vault", label: "manual").count == 4)

        // Two in the same second: the second gets `_manual`, never dropped for its name.
        #expect(try Self.backup(workspace, at: Self.t4).exitCode == 0)
        #expect(try workspace.listing(Self.t4).snapshots(on: "v1").contains { $0.name == "alpha_h1_11-21-2026_10.40.00_manual" })
    }

    @Test func backupRefusesUnknownGroupsPoliciesAndAMissingTerminalAndChangesNothing() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        let serial = try Self.serial(workspace, at: Self.t0)

        let group = try workspace.run(["backup", "alph", "--policy", "before-change", "--auto-approve"] + workspace.flags(Self.t1))
        #expect(group.exitCode == 1, "\(group)")
        #expect(group.stdout.contains("no resource group 'alph'") && group.stdout.contains("did you mean 'alpha'?"), "\(group)")

        let valid = try Self.backup(workspace, at: Self.t1)
        #expect(valid.exitCode == 0, "\(valid)")
        let notUsed = try workspace.run(["backup", "alpha", "--policy", "spare", "--auto-approve"] + workspace.flags(Self.t2))
        #expect(notUsed.exitCode == 1, "\(notUsed)")
        #expect(notUsed.stdout.contains("resource group 'alpha' does not use policy 'spare'"), "\(notUsed)")
        let typo = try workspace.run(["backup", "alpha", "--policy", "before-chnge", "--auto-approve"] + workspace.flags(Self.t2))
        #expect(typo.exitCode == 1, "\(typo)")
        #expect(typo.stdout.contains("no policy 'before-chnge'; did you mean 'before-change'?"), "\(typo)")

        let serialBefore = try Self.serial(workspace, at: Self.t2)
        #expect(serialBefore != serial)
        let piped = try Self.backup(workspace, at: Self.t2, [])
        #expect(piped.exitCode == 1, "\(piped)")
        #expect(piped.stdout.contains("standard input is not a terminal") && piped.stdout.contains("--auto-approve"), "\(piped)")
        #expect(try Self.serial(workspace, at: Self.t2) == serialBefore, "a refused backup changed the state")
        #expect(try workspace.listing(Self.t2).snapshots(on: "v1", label: "manual").count == 1)
    }

    @Test func backupAsksForYesOnATerminal() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        let terminal = try PseudoTerminal()
        let child = try FlashPlanBinary.start(
            ["backup", "alpha", "--policy", "before-change"] + workspace.flags(Self.t1), in: workspace.url, stdin: terminal.slave)
        #expect(child.poll { child.stdoutSoFar.contains("Enter a value:") }, "no prompt: \(child.stdoutSoFar)")
        terminal.type("yes\n")
        let result = try child.wait(timeout: 60)
        terminal.drain()
        #expect(result.exitCode == 0, "\(result)")
        #expect(try workspace.listing(Self.t1).snapshots(on: "v1", label: "manual").count == 1)
    }

    /// Bad flag values are usage errors (exit 64) caught before the state is touched.
    @Test func badNowAndLockTimeoutAreRefusedBeforeTouchingAnything() throws {
        let workspace = try ApplyWorkspace(config: Self.config)
        defer { workspace.remove() }
        for command in [["backup", "alpha", "--policy", "before-change"], ["restore", "alpha", "b1"]] {
            for flags in [["--now", "2026-11-21T10:00:00"], ["--lock-timeout", "1d", "--now", Self.t0]] {
                let run = try workspace.run(command + ["--auto-approve", "--config", "policies", "--state", workspace.state] + flags)
                #expect(run.exitCode == 64, "\(run)")
                #expect(run.stdout.isEmpty, "\(run)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: workspace.statePath))
    }

    // MARK: restore

    @Test func aRestoreGivesTheVolumeExactlyTheBackupsContentAndKeepsNewerBackups() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        try workspace.sim(["write", "v1"], now: Self.t0)
        #expect(try Self.backup(workspace, at: Self.t1).exitCode == 0)
        let first = try #require(try Self.newest(workspace, label: "manual", at: Self.t1))
        try workspace.sim(["write", "v1"], now: Self.t1)
        try workspace.sim(["write", "v1"], now: Self.t1)
        #expect(try Self.backup(workspace, at: Self.t2).exitCode == 0)
        let second = try #require(try Self.newest(workspace, label: "manual", at: Self.t2))
        try workspace.sim(["write", "v1"], now: Self.t2)

        let captured = try #require(try Self.content(workspace, "snapshot.v1/\(first)", at: Self.t2))
        let newer = try #require(try Self.content(workspace, "snapshot.v1/\(second)", at: Self.t2))
        let live = try #require(try Self.content(workspace, "volume.v1", at: Self.t2))
        #expect(Set([captured, newer, live]).count == 3, "writes must make new versions: \(captured) \(newer) \(live)")
        let before = try workspace.listing(Self.t2).snapshots(on: "v1").map(\.name)

        // The address as plans print it works as well as the bare name.
        let run = try Self.restore(workspace, ["backup.alpha/\(first)", "--volume", "v1"], at: Self.t3)
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("restore:snapshot.v1/\(first)"), "\(run)")
        #expect(run.stdout.contains("Carried out under --auto-approve, because you named it"), "\(run)")
        #expect(run.stdout.contains("content: \(live) → \(captured)"), "\(run)")
        #expect(try Self.content(workspace, "volume.v1", at: Self.t3) == captured)
        // Nothing else moved: the other volumes and every backup, the newer one included.
        #expect(try workspace.listing(Self.t3).snapshots(on: "v1").map(\.name) == before)
        #expect(try Self.content(workspace, "snapshot.v1/\(second)", at: Self.t3) == newer)
        let applies = try StateDatabase.applies(workspace.statePath)
        #expect(applies.last?.operation == "restore" && applies.last?.outcome == "success", "\(applies)")
        let journal = try StateDatabase.journal(workspace.statePath).filter { $0.applyID == applies.last?.id }
        #expect(journal.map(\.address) == ["snapshot.v1/\(first)"], "\(journal)")

        // A write after the restore is a version no backup holds.
        try workspace.sim(["write", "v1"], now: Self.t3)
        let written = try #require(try Self.content(workspace, "volume.v1", at: Self.t3))
        #expect(![captured, newer, live].contains(written))

        // --host h1: the volumes of h1 (v1, v2); v2 also holds h2's data, for which the backup is valid too.
        let host = try Self.restore(workspace, [second, "--host", "h1"], at: Self.t4)
        #expect(host.exitCode == 0, "\(host)")
        #expect(host.stdout.contains("restore:snapshot.v1/\(second)") && host.stdout.contains("restore:snapshot.v2/\(second)"), "\(host)")
        #expect(!host.stdout.contains("restore:snapshot.v3/"), "\(host)")
        #expect(host.stdout.contains("also holds data of 'h2'"), "\(host)")
        #expect(try Self.content(workspace, "volume.v1", at: Self.t4) == newer)
    }

    @Test func restoreRefusesWhatItMayNotDoAndChangesNothing() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        #expect(try Self.backup(workspace, at: Self.t1).exitCode == 0)
        let name = try #require(try Self.newest(workspace, label: "manual", at: Self.t1))
        try workspace.sim(["write", "v1"], now: Self.t1)
        let serial = try Self.serial(workspace, at: Self.t1)
        let content = try Self.content(workspace, "volume.v1", at: Self.t1)

        func refused(_ arguments: [String], approve: Bool = true, _ words: [String]) throws {
            let run = try Self.restore(workspace, arguments, at: Self.t2, approve: approve)
            #expect(run.exitCode == 1, "\(run)")
            for word in words { #expect(run.stdout.contains(word), "missing '\(word)' in \(run)") }
            #expect(run.stdout.contains("Nothing was changed."), "\(run)")
        }
        // A host the backup was not made for.
        try refused([name, "--host", "h3"], ["was not made for host 'h3'", "valid for 'h1', 'h2'"])
        // A volume that also holds data of a host the backup is not valid for: the whole
        // backup (which includes v3) and v3 alone are refused; v1 alone is not.
        try refused([name], ["volume 'v3' also holds data of host 'h3'", "roll that host back too", "--volume"])
        try refused([name, "--volume", "v3"], ["volume 'v3' also holds data of host 'h3'"])
        try refused([name, "--host", "h2"], ["volume 'v3' also holds data of host 'h3'"])
        // Unknown backup, volume, pool, group: did-you-mean where there is a close name.
        try refused([String(name.dropLast())], ["group 'alpha' has no backup", "did you mean '\(name)'?"])
        try refused([name, "--volume", "v9"], ["has no snapshot of volume 'v9'", "did you mean 'v1'?"])
        try refused([name, "--from", "dx"], ["there is no pool 'dx'", "did you mean 'dr'?"])
        try refused([name, "--from", "prod", "--volume", "v3"], ["also holds data of host 'h3'"])
        try refused(["backup.beta/\(name)"], ["names a backup of group 'beta', not of 'alpha'"])
        let group = try workspace.run(["restore", "alph", name, "--auto-approve"] + workspace.flags(Self.t2))
        #expect(group.exitCode == 1 && group.stdout.contains("did you mean 'alpha'?"), "\(group)")
        // No terminal and no --auto-approve: shown, then refused.
        try refused([name, "--volume", "v1"], approve: false, ["restore:snapshot.v1/\(name)", "standard input is not a terminal", "--auto-approve"])

        #expect(try Self.serial(workspace, at: Self.t2) == serial, "a refused restore changed the state")
        #expect(try Self.content(workspace, "volume.v1", at: Self.t2) == content)
    }

    /// On a terminal a restore lists itself as destructive and asks; only 'yes' carries it out.
    @Test func restoreAsksOnATerminalAndOnlyYesRestores() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        try workspace.sim(["write", "v1"], now: Self.t0)
        #expect(try Self.backup(workspace, at: Self.t1).exitCode == 0)
        let name = try #require(try Self.newest(workspace, label: "manual", at: Self.t1))
        try workspace.sim(["write", "v1"], now: Self.t1)
        let live = try Self.content(workspace, "volume.v1", at: Self.t1)
        let captured = try Self.content(workspace, "snapshot.v1/\(name)", at: Self.t1)

        func answer(_ text: String) throws -> FlashPlanBinary.Result {
            let terminal = try PseudoTerminal()
            let child = try FlashPlanBinary.start(
                ["restore", "alpha", name, "--volume", "v1"] + workspace.flags(Self.t2), in: workspace.url, stdin: terminal.slave)
            #expect(child.poll { child.stdoutSoFar.contains("Enter a value:") }, "no prompt: \(child.stdoutSoFar)")
            terminal.type(text + "\n")
            let result = try child.wait(timeout: 60)
            terminal.drain()
            return result
        }
        let no = try answer("no")
        #expect(no.exitCode == 1, "\(no)")
        #expect(no.stdout.contains("Destructive actions in this plan") && no.stdout.contains("Restore cancelled. Nothing was changed."), "\(no)")
        #expect(try Self.content(workspace, "volume.v1", at: Self.t2) == live)
        let yes = try answer("yes")
        #expect(yes.exitCode == 0 && yes.stdout.contains("Restore complete!"), "\(yes)")
        #expect(try Self.content(workspace, "volume.v1", at: Self.t2) == captured)
    }

    @Test func afterThePrimaryArrayFailedTheMirrorCopyIsRestoredOnTheDRSide() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        try workspace.sim(["write", "v1"], now: Self.t0)
        #expect(try Self.backup(workspace, at: Self.t1).exitCode == 0)
        let name = try #require(try Self.newest(workspace, label: "manual", at: Self.t1))
        let captured = try #require(try Self.content(workspace, "snapshot.v1/\(name)", at: Self.t1))
        #expect(try Self.content(workspace, "snapshot.v1_dr/\(name)", at: Self.t1) == captured, "the mirror copy carries the content")
        try workspace.sim(["write", "v1"], now: Self.t1)
        // An hourly backup later, the mirror volume holds newer data than the backup.
        #expect(try workspace.apply("2026-11-21T11:00:00Z").exitCode == 0)
        #expect(try Self.content(workspace, "volume.v1_dr", at: "2026-11-21T11:00:00Z") != captured)

        try workspace.sim(["array-offline", "fa"], now: "2026-11-21T11:05:00Z")
        let primary = try Self.restore(workspace, [name, "--volume", "v1"], at: "2026-11-21T11:10:00Z")
        #expect(primary.exitCode == 1, "\(primary)")
        #expect(primary.stdout.contains("volume 'v1' is offline") && primary.stdout.contains("--from POOL"), "\(primary)")
        #expect(primary.stdout.contains("dr (mirror)"), "\(primary)")

        let run = try Self.restore(workspace, [name, "--volume", "v1", "--from", "dr"], at: "2026-11-21T11:10:00Z")
        #expect(run.exitCode == 0, "\(run)")
        #expect(run.stdout.contains("restore:snapshot.v1_dr/\(name)"), "\(run)")
        #expect(try Self.content(workspace, "volume.v1_dr", at: "2026-11-21T11:10:00Z") == captured)
        let listing = try workspace.listing("2026-11-21T11:10:00Z")
        #expect(listing.relationships.first { $0.destination == "v1_dr" }?.state == "broken")
        #expect(listing.snapshots(on: "v1_dr").count >= 2, "newer copies are kept")

        // The timer does not undo the restore: once the array is back, the resync that
        // would overwrite it is destructive and held under --auto-approve (partly applied).
        try workspace.sim(["array-online", "fa"], now: "2026-11-21T11:20:00Z")
        let timer = try workspace.apply("2026-11-21T11:30:00Z")
        #expect(timer.exitCode == 3, "\(timer)")
        #expect(timer.stdout.contains("Held (destructive") && timer.stdout.contains("resync-relationship:relationship.v1_dr"), "\(timer)")
        #expect(try Self.content(workspace, "volume.v1_dr", at: "2026-11-21T11:30:00Z") == captured)
        // The hold says whose doing the break is, and what approving it would throw away.
        let reason = "relationship stopped by flashplan's restore of backup '\(name)' onto 'v1_dr' at 2026-11-21 11:10:00"
        #expect(timer.stdout.contains(reason) && timer.stdout.contains("resync overwrites the restored data on 'v1_dr'"), "\(timer)")
        #expect(!timer.stdout.contains("broken outside flashplan"), "\(timer)")
    }

    /// Only the break the restore made is the restore's: once resynced, a break by hand is
    /// again one from outside flashplan.
    @Test func aBreakAfterTheResyncOfARestoreIsOneFromOutside() throws {
        let workspace = try Self.workspace()
        defer { workspace.remove() }
        #expect(try Self.backup(workspace, at: Self.t1).exitCode == 0)
        let name = try #require(try Self.newest(workspace, label: "manual", at: Self.t1))
        #expect(try Self.restore(workspace, [name, "--volume", "v1", "--from", "dr"], at: "2026-11-21T11:10:00Z").exitCode == 0)
        let held = try workspace.plan("2026-11-21T11:20:00Z")
        #expect(held.stdout.contains("relationship stopped by the restore of backup '\(name)'"), "\(held)")
        #expect(try workspace.apply("2026-11-21T11:30:00Z", ["--allow-destructive"]).exitCode == 0)
        #expect(try workspace.listing("2026-11-21T11:30:00Z").relationships.first { $0.destination == "v1_dr" }?.state == "idle")
        try workspace.sim(["break", "v1_dr"], now: "2026-11-21T11:40:00Z")
        let after = try workspace.plan("2026-11-21T11:50:00Z")
        #expect(after.stdout.contains("relationship broken outside flashplan"), "\(after)")
        #expect(!after.stdout.contains("stopped by"), "\(after)")
    }
}
