import FlashPlanModel

/// Messages of the planner. Locations point at the declaration concerned.
extension Diagnostic {
    static func arrayDiffers(_ array: StorageArray, observed: ObservedArray) -> Diagnostic {
        .error(
            .arrayDiffers, at: array.locations.name,
            "array '\(array.name)' is a \(observed.model.rawValue) of \(observed.capacity), declared \(array.model.rawValue) of \(array.capacity)",
            note: "hardware cannot be changed by a plan; declare what is installed").concerning(.array(array.name))
    }

    static func undeclaredVolume(_ name: String) -> Diagnostic {
        .warning(
            .undeclaredVolume, at: .unknown, "volume '\(name)' exists but is not declared; flashplan never deletes it",
            note: "declare it, or remove it by hand; `flashplan state show volume.\(name)` shows it")
    }

    static func poolShrink(_ pool: Pool, array: String, have: ByteCount, want: ByteCount) -> Diagnostic {
        .error(
            .poolShrink, at: pool.locations["capacity_from"],
            "pool '\(pool.name)' has \(have) from '\(array)', the configuration gives \(want); removing pool capacity is not supported",
            note: "migrate volumes away and remove the managed disks by hand first").concerning(.pool(pool.name))
    }

    static func volumeShrink(_ volume: Volume, observed: ByteCount) -> Diagnostic {
        .warning(
            .volumeShrink, at: volume.locations["size"],
            "volume '\(volume.name)' is \(observed); shrinking it to \(volume.size) would lose data, so flashplan leaves its size alone (its backups and every other volume's work go on)",
            note: "declare size: \(observed) or larger (it was grown outside flashplan, or the declaration was lowered)")
    }

    static func sizeLowered(_ volume: Volume, applied: ByteCount, observed: ByteCount) -> Diagnostic {
        .error(
            .sizeLowered, at: volume.locations["size"],
            "volume '\(volume.name)' is declared \(volume.size), lower than the \(applied) flashplan last applied (it is \(observed) now); volumes are never shrunk, so this declaration cannot be carried out",
            note: "declare size: \(applied) or larger again; only changes to this volume are held, its backups and every other volume's work go on"
        ).concerning(.volume(volume.name))
    }

    static func volumeImmutableProperty(_ volume: Volume, observed: ObservedVolume) -> Diagnostic {
        .warning(
            .volumePropertyFixed, at: volume.locations.name,
            "volume '\(volume.name)' is \(observed.accessProtocol.rawValue), thin \(observed.thin), compressed \(observed.compressed); protocol, thin and compressed cannot change in place",
            note: "create a new volume and migrate the data")
    }

    static func destroyPrevented(_ volume: Volume) -> Diagnostic {
        .error(
            .destroyPrevented, at: volume.locations["state"],
            "volume '\(volume.name)' is state: absent but prevent_destroy is true; it will not be destroyed",
            note: "set prevent_destroy: false to destroy it (its snapshots go with it)").concerning(.volume(volume.name))
    }

    static func destroyBlocked(_ volume: Volume, clones: [String], relationships: [String]) -> Diagnostic {
        .error(
            .destroyBlocked, at: volume.locations["state"],
            "volume '\(volume.name)' cannot be destroyed while " + (clones.isEmpty ? "" : "clones \(clones.joined(separator: ", ")) ")
                + (relationships.isEmpty ? "" : "relationships \(relationships.joined(separator: ", ")) ") + "depend on it",
            note: "remove the clones and replication first").concerning(.volume(volume.name))
    }

    static func protectsNothing(backups: Int, groups: [String]) -> Diagnostic {
        let names = groups.prefix(6).map { "'\($0)'" }.joined(separator: ", ") + (groups.count > 6 ? ", …" : "")
        return .error(
            .protectsNothing, at: .unknown,
            "the configuration protects no volume, but the state holds \(backups) backup\(backups == 1 ? "" : "s") of resource group\(groups.count == 1 ? "" : "s") \(names): applying it would stop all protection",
            note: "check --config (or FLASHPLAN_CONFIG) points at the directory declaring the resource groups")
    }

    static func unmanagedBackups(_ item: UnmanagedBackups, declared group: ResourceGroup?) -> Diagnostic {
        let what = "\(item.backups) backup\(item.backups == 1 ? "" : "s") of resource group '\(item.group)'"
        let are = item.backups == 1 ? "is" : "are"
        let volumes = item.volumes.prefix(8).joined(separator: ", ") + (item.volumes.count > 8 ? ", …" : "")
        let message: String
        let note: String
        switch item.cause {
        case .groupRemoved:
            message = "\(what) on \(volumes) \(are) unmanaged: the group is no longer declared"
            note = "they are kept and never pruned; declare the group again to manage them, or delete them by hand once they are not needed"
        case .volumeRemoved:
            message = "\(what) on \(volumes) \(are) unmanaged: the group no longer protects \(item.volumes.count == 1 ? "that volume" : "those volumes")"
            note = "they are kept and never pruned; add the volume to the group again to manage them, or delete them by hand"
        case .destinationRemoved:
            message = "\(what) on destination \(volumes) \(are) unmanaged: the group no longer replicates there"
            note = "they are kept and never pruned, with their relationships; declare the replication again, or remove them by hand"
        }
        return .warning(.unmanagedBackups, at: group?.locations.name ?? .unknown, message, note: note)
    }

    static func unmanagedClones(_ clones: [ObservedClone], group: String, declared: ResourceGroup?) -> Diagnostic {
        let list = clones.prefix(8).map { "'\($0.name)' (of '\($0.volume)')" }.joined(separator: ", ") + (clones.count > 8 ? ", …" : "")
        let why = declared == nil ? "the group is no longer declared" : "the group no longer protects or replicates to the volume they were made from"
        return .warning(
            .unmanagedBackups, at: declared?.locations.name ?? .unknown,
            "\(clones.count) clone\(clones.count == 1 ? "" : "s") of resource group '\(group)' \(clones.count == 1 ? "is" : "are") unmanaged: \(list); \(why)",
            note: "they are kept, with the backups they were made from; delete them by hand once nobody uses them")
    }

    static func scheduleNotParsed(policy: String, group: ResourceGroup, at location: SourceLocation) -> Diagnostic {
        .error(
            .scheduleNotParsed, at: location,
            "resource group '\(group.name)': the schedule of policy '\(policy)' was not parsed by validation, so the planner cannot tell when it is due",
            note: "load the configuration with ConfigurationLoader; `flashplan validate` shows the schedule's error").concerning(.group(group.name))
    }

    static func orphanedLabel(_ label: String, group: ResourceGroup, count: Int, pruning: Bool) -> Diagnostic {
        .warning(
            .orphanedLabel, at: group.locations.name,
            "resource group '\(group.name)' holds \(count) backup\(count == 1 ? "" : "s") labelled '\(label)', a label none of its policies uses",
            note: pruning ? "prune_orphaned_labels is true: they are pruned" : "they are kept; set settings.prune_orphaned_labels: true to prune them")
    }

    static func orphanedVaultLabel(_ label: String, vault: String, group: ResourceGroup, count: Int, pruning: Bool) -> Diagnostic {
        .warning(
            .orphanedLabel, at: group.locations.name,
            "vault '\(vault)' of resource group '\(group.name)' holds backups labelled '\(label)', a label its retention no longer lists (\(count) on one volume)",
            note: pruning ? "prune_orphaned_labels is true: they are pruned" : "they are kept; list the label under the vault's retention, or set settings.prune_orphaned_labels: true to prune them")
    }

    /// A clone keeping its parent snapshot on a volume at the 255 ceiling.
    struct CloneHold: Sendable, Hashable {
        var clone: String
        var parent: String
        /// The configuration no longer declares it: its deletion is in the plan, needing consent.
        var undeclared: Bool
    }

    /// The note names what fills the volume: replication bases waiting for their updates,
    /// clones keeping their parents and, only when the volume holds any, snapshots taken
    /// by hand.
    static func snapshotCeiling(
        volume: String, count: Int, groups: [ResourceGroup], clones: [CloneHold] = [], handMade: Bool = true, waitingBases: [String] = []
    ) -> Diagnostic {
        let names = groups.map { "'\($0.name)'" }.joined(separator: ", ")
        // A base waits for its update: it is kept rather than pruned to make room.
        let bases = waitingBases.isEmpty
            ? ""
            : "; not pruned to make room, because an update that fails would leave source and destination sharing no backup: "
                + waitingBases.joined(separator: ", ")
        var notes: [String] = []
        if !waitingBases.isEmpty { notes.append("once the updates succeed the base is pruned and backups resume") }
        let undeclared = clones.filter(\.undeclared)
        if !undeclared.isEmpty {
            let list = undeclared.map { "'\($0.clone)' (parent \($0.parent))" }.joined(separator: ", ")
            notes.append(
                "clone\(undeclared.count == 1 ? "" : "s") \(list) \(undeclared.count == 1 ? "is" : "are") no longer declared but still \(undeclared.count == 1 ? "keeps its parent snapshot" : "keep their parent snapshots") on the volume: "
                    + "deleting \(undeclared.count == 1 ? "it" : "them") needs consent (apply with --allow-destructive, or without --auto-approve)")
        }
        let declared = clones.filter { !$0.undeclared }
        if !declared.isEmpty {
            notes.append(
                "clone\(declared.count == 1 ? "" : "s") \(declared.map { "'\($0.clone)' (parent \($0.parent))" }.joined(separator: ", ")) \(declared.count == 1 ? "keeps its parent" : "keep their parents") on the volume beyond retention")
        }
        var remedies: [String] = []
        if !groups.isEmpty { remedies.append("lower the retention of resource group\(groups.count == 1 ? "" : "s") \(names)") }
        if handMade || remedies.isEmpty { remedies.append("delete snapshots taken by hand") }
        notes.append((waitingBases.isEmpty ? "" : "otherwise ") + remedies.joined(separator: " or "))
        return .warning(
            .snapshotCeiling, at: groups.first?.locations.name ?? .unknown,
            "volume '\(volume)' would hold \(count) snapshots during this plan, even with its prunes run first; a FlashSystem volume holds at most 255: its new backups and transfers are held, the rest of the plan goes on\(bases)",
            note: notes.joined(separator: "; "))
    }

    /// At the ceiling, the volume's new backups wait for prunes that wait for clone deletions
    /// needing consent: held, the backups are skipped with them.
    static func ceilingAwaitsCloneDeletion(volume: String, clones: [CloneHold], groups: [ResourceGroup]) -> Diagnostic {
        let list = clones.map { "'\($0.clone)' (parent \($0.parent))" }.joined(separator: ", ")
        let one = clones.count == 1
        return .warning(
            .snapshotCeiling, at: groups.first?.locations.name ?? .unknown,
            "volume '\(volume)' has no room for new backups (at the 255-snapshot ceiling, or its pool is full): they wait for room that only deleting clone\(one ? "" : "s") \(list) frees; the configuration no longer declares \(one ? "it" : "them")",
            note: "deleting \(one ? "it" : "them") needs consent (apply with --allow-destructive, or without --auto-approve); until then the volume's new backups are skipped")
    }

    static func relationshipMismatch(destination: String, observed: ObservedRelationship, source: String, type: Replication.Kind) -> Diagnostic {
        .error(
            .relationshipMismatch, at: .unknown,
            "'\(destination)' is the \(observed.type.rawValue) destination of '\(observed.source)', not the \(type.rawValue) of '\(source)'",
            note: "remove the existing relationship by hand").concerning(.relationship(destination: destination))
    }

    static func poolFull(_ pool: Pool, projection: PoolProjection) -> Diagnostic {
        .error(
            .poolFull, at: pool.locations.name,
            "pool '\(pool.name)' would use \(projection.usedAfter) of \(pool.physicalCapacity) after this plan",
            note: "add capacity_from, or move volumes to another pool").concerning(.pool(pool.name))
    }

    static func poolOvercommitted(_ pool: Pool, projection: PoolProjection) -> Diagnostic {
        .error(
            .poolOvercommitted, at: pool.locations.name,
            "pool '\(pool.name)' would be \(Int(projection.overcommitPercentAfter))% overcommitted (\(projection.virtualAfter) virtual on \(pool.physicalCapacity)), above max_overcommit \(pool.maxOvercommit)",
            note: "add capacity, or raise max_overcommit").concerning(.pool(pool.name))
    }

    static func poolWarning(_ pool: Pool, projection: PoolProjection) -> Diagnostic {
        .warning(
            .poolWarning, at: pool.locations.name,
            "pool '\(pool.name)' would be \(Int(projection.usedPercentAfter))% used, above its warning_threshold \(pool.warningThreshold)",
            note: "plan more capacity before it fills")
    }

    static func poolAlreadyFull(_ pool: Pool, projection: PoolProjection) -> Diagnostic {
        .warning(
            .poolWarning, at: pool.locations.name,
            "pool '\(pool.name)' is full (\(projection.usedNow) used of \(pool.physicalCapacity)): new snapshots and clones in it will be refused",
            note: "pruning still runs and frees space; add capacity_from or lower retention")
    }

    static func unknownTarget(_ name: String, known: [String]) -> Diagnostic {
        .error(.unknownTarget, at: .unknown, "no resource group '\(name)'", note: "groups: " + known.sorted().joined(separator: ", "))
    }

    static func targetingInEffect(targets: [String], excludes: [String]) -> Diagnostic {
        let parts = (targets.isEmpty ? [] : ["only " + targets.joined(separator: ", ")]) + (excludes.isEmpty ? [] : ["not " + excludes.joined(separator: ", ")])
        return .warning(
            .targeting, at: .unknown, "targeting is in effect (\(parts.joined(separator: "; "))): this plan may be incomplete",
            note: "use --target/--exclude for exceptional situations, not routinely")
    }
}
