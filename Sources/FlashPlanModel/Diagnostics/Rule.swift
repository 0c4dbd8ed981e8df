/// Every kind of problem flashplan reports: the one catalogue of rule ids.
///
/// The raw value is the stable kebab-case id users see in brackets after a message,
/// in the `rule` field of `validate --format json` and in plan JSON; it never changes
/// once released, because scripts and CI filters match on it. The catalogue also
/// carries what the documentation says about each rule, so that the rule table of
/// `docs/configuration.md` is generated from it and cannot drift (a test keeps
/// them equal), and so that a test can insist that every rule has a case making it fire.
///
/// Cases are grouped by stage, then by topic, in the order the documentation lists them.
/// What a case means is its `summary` rather than a doc comment, so that the reference
/// and the code cannot say different things.
public enum Rule: String, CaseIterable, Codable, Sendable {
    // The shape of the YAML.
    case yamlSyntax = "yaml-syntax"
    case duplicateKey = "duplicate-key"
    case unknownKey = "unknown-key"
    case missingKey = "missing-key"
    case wrongType = "wrong-type"
    case invalidName = "invalid-name"
    case invalidSize = "invalid-size"
    case invalidPercentage = "invalid-percentage"
    case invalidValue = "invalid-value"
    case valueOutOfRange = "value-out-of-range"
    case unsupportedVersion = "unsupported-version"
    case retentionInvalid = "retention-invalid"
    case retentionOutOfRange = "retention-out-of-range"
    case duplicateName = "duplicate-name"
    case fileUnreadable = "file-unreadable"
    case fileTooLarge = "file-too-large"
    case invalidEncoding = "invalid-encoding"
    case valueTooLong = "value-too-long"
    case documentTooComplex = "document-too-complex"
    case unsupportedTag = "unsupported-tag"
    case duplicateEntry = "duplicate-entry"

    // References.
    case unknownReference = "unknown-reference"
    case unknownTimezone = "unknown-timezone"

    // Arrays, pools and volumes.
    case capacityNotSold = "capacity-not-sold"
    case arrayOvercommitted = "array-overcommitted"
    case mirrorSameArray = "mirror-same-array"
    case compressedRequiresThin = "compressed-requires-thin"
    case reservedVolumeName = "reserved-volume-name"

    // Protection: resource groups, retention, replication, clones.
    case tooManySnapshots = "too-many-snapshots"
    case smbInGroup = "smb-in-group"
    case absentVolumeInGroup = "absent-volume-in-group"
    case labelConflict = "label-conflict"
    case replicationCascade = "replication-cascade"
    case sharedDestination = "shared-destination"
    case generatedNameCollision = "generated-name-collision"
    case multipleSyncMirrors = "multiple-sync-mirrors"
    case replicationSamePool = "replication-same-pool"
    case mirrorSameArrayAsSource = "mirror-same-array-as-source"
    case vaultSameArrayAsSource = "vault-same-array-as-source"
    case mirrorRetention = "mirror-retention"
    case vaultRetentionMissing = "vault-retention-missing"
    case vaultLabelUnused = "vault-label-unused"
    case cloneSourceMissing = "clone-source-missing"
    case cloneLabelMissing = "clone-label-missing"

    // Schedules.
    case invalidSchedule = "invalid-schedule"
    case scheduleNeverFires = "schedule-never-fires"
    case scheduleTooFrequent = "schedule-too-frequent"
    case scheduleOnDemand = "schedule-on-demand"

    // The plan: the configuration against the storage state.
    case arrayDiffers = "array-differs"
    case poolShrink = "pool-shrink"
    case volumeShrink = "volume-shrink"
    case volumePropertyFixed = "volume-property-fixed"
    case undeclaredVolume = "undeclared-volume"
    case destroyPrevented = "destroy-prevented"
    case destroyBlocked = "destroy-blocked"
    case relationshipMismatch = "relationship-mismatch"
    case orphanedLabel = "orphaned-label"
    case snapshotCeiling = "snapshot-ceiling"
    case unmanagedBackups = "unmanaged-backups"
    case protectsNothing = "protects-nothing"
    case scheduleNotParsed = "schedule-not-parsed"
    case poolFull = "pool-full"
    case poolOvercommitted = "pool-overcommitted"
    case poolWarning = "pool-warning"
    case unknownTarget = "unknown-target"
    case targeting = "targeting"
    case clockJump = "clock-jump"
    case sizeLowered = "size-lowered"

    /// Where in the pipeline a rule is checked, which decides which commands can report it.
    public enum Stage: String, CaseIterable, Codable, Sendable {
        /// Each file against the language: YAML syntax, keys, types, values. Every command
        /// that reads the configuration reports these.
        case decode
        /// The merged configuration on its own: references and the rules of the storage
        /// domain. `flashplan validate` reports these without touching the storage.
        case validate
        /// The configuration against the observed storage state: only `flashplan plan`
        /// and `flashplan apply` can report these.
        case plan
    }

    /// The severity the rule is emitted with; `--strict` turns warnings into errors.
    public var severity: Diagnostic.Severity { entry.severity }

    /// Which stage checks the rule.
    public var stage: Stage { entry.stage }

    /// What the problem is, in one line of Markdown.
    public var summary: String { entry.summary }

    /// How to fix it, in one line of Markdown.
    public var fix: String { entry.fix }

    private struct Entry {
        var severity: Diagnostic.Severity
        var stage: Stage
        var summary: String
        var fix: String

        init(_ severity: Diagnostic.Severity, _ stage: Stage, _ summary: String, fix: String) {
            self.severity = severity
            self.stage = stage
            self.summary = summary
            self.fix = fix
        }
    }

    // One switch holding all four facts of a rule side by side reads as the table it
    // becomes in the documentation, and the compiler insists that a new case fills it in.
    private var entry: Entry {
        switch self {
        case .yamlSyntax:
            Entry(
                .error, .decode,
                "The file is not valid YAML: bad indentation, a tab, an unclosed `{` or quote, a `:` in the wrong place. The position is where the parser gave up, which may be just after the mistake. The other files are still checked.",
                fix: "Indent with spaces only, siblings at the same column; close brackets and quotes; quote values containing `: `.")
        case .duplicateKey:
            Entry(
                .error, .decode,
                "A key is written twice in the same mapping, e.g. `pool:` twice in one volume, or a section twice in one file. The caret is on each repeat, the note names the first; the rest of the file is still checked, and names the repeated section declares still count.",
                fix: "Remove or merge one of them.")
        case .unknownKey:
            Entry(
                .error, .decode,
                "A key the language does not have here. The message suggests the closest allowed key; the note lists all of them.",
                fix: "Fix the spelling (`comressed` → `compressed`) or remove the key.")
        case .missingKey:
            Entry(.error, .decode, "A required key is missing (see *required* above).", fix: "Add it.")
        case .wrongType:
            Entry(
                .error, .decode,
                "A value of the wrong type: a list where a name belongs, `yes` or `\"true\"` for a boolean, a word for a number, a scalar for a list.",
                fix: "Write the type the tables above give.")
        case .invalidName:
            Entry(
                .error, .decode, "A name that does not match `^[A-Za-z_][A-Za-z0-9._-]{0,62}$`.",
                fix: "Start with a letter or `_`; use only letters, digits, `.`, `_`, `-`; at most 63 characters.")
        case .invalidSize:
            Entry(.error, .decode, "Not a size: no unit, an unknown unit, a malformed number.", fix: "Write e.g. `512GiB`, `2TiB`, `1.5TB`.")
        case .invalidPercentage:
            Entry(.error, .decode, "Not a percentage, e.g. `80` without `%`.", fix: "Write e.g. `80%`.")
        case .invalidValue:
            Entry(
                .error, .decode,
                "Not one of the allowed values (model, protocol, frequency, state, type, mode, refresh). The message suggests the closest.",
                fix: "Use one of the values the note lists.")
        case .valueOutOfRange:
            Entry(.error, .decode, "A number outside its range, e.g. `io_groups: 5`.", fix: "Use a value in the range given.")
        case .unsupportedVersion:
            Entry(.error, .decode, "`version` is not `1`.", fix: "Write `version: 1` or leave it out.")
        case .retentionInvalid:
            Entry(
                .error, .decode, "A retention with neither `count` nor `days`, or with both.",
                fix: "Give exactly one: `{ count: 24 }` or `{ days: 14 }`.")
        case .retentionOutOfRange:
            Entry(
                .error, .decode, "`count` outside 1–255 or `days` outside 1–36500.",
                fix: "A volume holds at most 255 snapshots: for longer retention use `days`, or vault long-term copies.")
        case .duplicateName:
            Entry(
                .error, .decode,
                "A name defined twice in the same section (usually in two files), or a setting given in two files. The note gives the first place.",
                fix: "Rename one, or remove one of the definitions.")
        case .fileUnreadable:
            Entry(
                .error, .decode,
                "A `*.yaml`/`*.yml` path is not a readable regular file: a directory, a named pipe (FIFO, never opened), a device or socket, a dangling symbolic link, a symbolic link loop, or a file flashplan may not read. The message says which.",
                fix: "Make it a regular file, rename it, or remove it.")
        case .fileTooLarge:
            Entry(
                .error, .decode, "A file is larger than 16 MiB (see *Limits*); it is not read.",
                fix: "Split the configuration into several files, or remove what is not configuration.")
        case .invalidEncoding:
            Entry(
                .error, .decode,
                "A file is not UTF-8: UTF-16 or UTF-32 (the message says which), a byte that is not UTF-8 (Latin-1, Windows-1252), or a NUL byte. The caret is on the first one.",
                fix: "Save the file as UTF-8.")
        case .valueTooLong:
            Entry(
                .error, .decode, "A key or value is longer than 64 KiB (see *Limits*); the file is not checked further.",
                fix: "Shorten it; no value of the language needs more than a few hundred characters.")
        case .documentTooComplex:
            Entry(
                .error, .decode,
                "Values nested more than 64 levels deep, or aliases that expand the file by more than 100,000 values (a *billion laughs* document). The caret is where the limit was crossed; the file is not checked further.",
                fix: "Write the values out, or use fewer aliases of aliases.")
        case .unsupportedTag:
            Entry(
                .error, .decode,
                "A YAML tag: a custom one (`!foo`), a core one of another type than the key's (`size: !!str 10`, `retention: !!map`) or one the language has no use for (`!!binary`, `!!timestamp`). Tags cannot change what a value is.",
                fix: "Remove the tag; every key has one type (see the tables above).")
        case .duplicateEntry:
            Entry(
                .error, .decode,
                "A list has the same entry twice: a volume or host in a resource group's or volume's list, a policy in a group's `policies` (same policy and schedule), or a clone name in a group. The note gives the first place.",
                fix: "Remove one of them (give clones distinct names).")

        case .unknownReference:
            Entry(
                .error, .validate,
                "A name that is not defined: a pool's `cluster`, a `capacity_from` `array`, a volume's `pool`, `mirror_pool` or `hosts`, a resource group's `hosts`, `volumes`, `policies` or `replicate` `to`, a clone's `host`. The message suggests the closest name; the note lists the defined ones.",
                fix: "Fix the spelling, or define the object in its section.")
        case .unknownTimezone:
            Entry(
                .error, .validate, "`settings.timezone` is not an IANA time zone.",
                fix: "Write e.g. `UTC`, `Europe/Rome`, `America/New_York`.")

        case .capacityNotSold:
            Entry(
                .error, .validate,
                "The array's `capacity` is not one its model is sold with (for example a FlashSystem 720 with `13TB`, or `12TiB`, which is 13.19TB).",
                fix: "Use a capacity from the catalogue, in `TB`.")
        case .arrayOvercommitted:
            Entry(
                .error, .validate,
                "The pools' `capacity_from` entries take more from an array than its capacity. The caret is on the entry that goes over.",
                fix: "Reduce `capacity_from` on the pools using the array, or use another array.")
        case .mirrorSameArray:
            Entry(
                .error, .validate,
                "A volume's `mirror_pool` takes capacity from an array its `pool` also uses: both copies would fail with that array.",
                fix: "Choose a `mirror_pool` whose capacity comes from other arrays.")
        case .compressedRequiresThin:
            Entry(
                .error, .validate, "`compressed: true` with `thin: false`.",
                fix: "Remove `thin: false` (compressed volumes are always thin) or `compressed: true`.")
        case .reservedVolumeName:
            Entry(
                .error, .validate,
                "A declared volume has a name flashplan creates: `<volume>_<pool>` of a replication destination, or `<clone>_<volume>` of a clone.",
                fix: "Rename the volume.")

        case .tooManySnapshots:
            Entry(
                .error, .validate, "The retention on one volume adds up past 255 snapshots (see *Retention*); the note shows the sum.",
                fix: "Lower a `count` or `days`, use a slower schedule, or keep long-term copies on a vault.")
        case .smbInGroup:
            Entry(
                .error, .validate, "A resource group contains an SMB volume; SMB (CIFS) shares cannot be backed up or restored.",
                fix: "Remove it from the group, or serve it over a block protocol.")
        case .absentVolumeInGroup:
            Entry(.error, .validate, "A resource group protects a volume declared `state: absent`.", fix: "Remove it from the group first.")
        case .labelConflict:
            Entry(
                .error, .validate, "Two policies of one group have the same label but different retention.",
                fix: "Give the policies different `label`s, or the same retention.")
        case .replicationCascade:
            Entry(
                .error, .validate,
                "A group protects a volume that is the replication destination of another group's volume. Cascades (primary → mirror → vault) are not supported.",
                fix: "Replicate from the primary to each destination (fan-out).")
        case .sharedDestination:
            Entry(
                .error, .validate,
                "Two groups (or two entries of one group) replicate the same volume to the same pool, so they would share one destination volume `<volume>_<pool>` and each group's updates would replace the other's backups there.",
                fix: "Replicate the volume from one group only, or send each group's copy to a different pool.")
        case .generatedNameCollision:
            Entry(
                .error, .validate,
                "Two volumes flashplan creates get the same name: a replication destination `<volume>_<pool>` and a clone `<clone>_<volume>` (or two clones, or two destinations) of different origins spell the same name, e.g. the mirror of `v1` in pool `dr` and clone `v1` of volume `dr` are both `v1_dr`. One would be taken for the other: a mirror written over a clone mapped to a host, or a clone never created.",
                fix: "Rename the clone (or the volume or pool) so that the generated names differ.")
        case .multipleSyncMirrors:
            Entry(.error, .validate, "A group has more than one `mode: sync` mirror.", fix: "Make all but one `mode: async`.")
        case .replicationSamePool:
            Entry(
                .error, .validate, "A volume would be replicated into its own pool or its mirror pool.",
                fix: "Replicate to a pool on other arrays.")
        case .mirrorSameArrayAsSource:
            Entry(
                .error, .validate,
                "A `type: mirror` destination pool takes capacity from an array the source volume's pool also uses: the mirror would fail with its source.",
                fix: "Mirror to a pool whose capacity comes from other arrays.")
        case .vaultSameArrayAsSource:
            Entry(
                .warning, .validate,
                "A `type: vault` destination pool takes capacity from an array the source volume's pool also uses: the vault would not survive the loss of that array.",
                fix: "Vault to a pool whose capacity comes from other arrays, or accept the risk.")
        case .mirrorRetention:
            Entry(
                .error, .validate, "A `type: mirror` destination has a `retention`; a mirror keeps exactly its source's backups.",
                fix: "Remove `retention`, or use `type: vault`.")
        case .vaultRetentionMissing:
            Entry(
                .error, .validate, "A `type: vault` destination lists no labels, so it would receive nothing.",
                fix: "Add `retention: { LABEL: { count: N } }` for each label to vault.")
        case .vaultLabelUnused:
            Entry(
                .warning, .validate,
                "A vault's retention names a label no policy of the group makes, so it never receives anything for it.",
                fix: "Fix the label, or add a policy with that label.")
        case .cloneSourceMissing:
            Entry(
                .error, .validate,
                "A clone's `from` is a pool that holds no copy of the group (not a `replicate` destination of it, or not a pool at all).",
                fix: "Use `from: primary`, or a pool listed under the group's `replicate`.")
        case .cloneLabelMissing:
            Entry(
                .error, .validate,
                "A clone wants a label its source never holds: no policy of the group makes it, or the vault it comes from does not keep it.",
                fix: "Use a label of the group's policies; from a vault, one of the vault's `retention` labels.")

        case .invalidSchedule:
            Entry(
                .error, .validate, "A `schedule` is not a systemd calendar event; the caret points at the part that is wrong.",
                fix: "Use `OnCalendar=` syntax, e.g. `Mon..Fri *-*-* 02:30`, `Sun 03:00`, `*-*-01 00:00:00`; try it with `flashplan schedule EXPR`.")
        case .scheduleNeverFires:
            Entry(
                .error, .validate,
                "The schedule is valid but never elapses, e.g. `*-02-30`; or it stops elapsing: it names the years it fires in (`2026-*-* 02:30`, `2025..2027-*-*`), after which the group's backups would stop without any backup ever being late.",
                fix: "Fix the date; write `*` for the year.")
        case .scheduleTooFrequent:
            Entry(
                .error, .validate,
                "The schedule can fire more often than the policy's frequency allows, e.g. `hourly` for a `daily` policy.",
                fix: "Use a schedule at the policy's pace, or a policy of a higher frequency.")
        case .scheduleOnDemand:
            Entry(
                .warning, .validate, "A policy of frequency `none` (on demand) is given a schedule, which is ignored.",
                fix: "Remove the schedule, or give the policy a frequency.")

        case .arrayDiffers:
            Entry(
                .error, .plan,
                "An installed array is another model, or has another capacity, than its declaration. A plan cannot change hardware.",
                fix: "Declare the model and capacity that are installed.")
        case .poolShrink:
            Entry(
                .error, .plan,
                "A pool's `capacity_from` gives it less from an array than it already has; removing capacity from a pool is not supported.",
                fix: "Declare the capacity the pool has; to really shrink it, migrate volumes away and remove the managed disks by hand first.")
        case .volumeShrink:
            Entry(
                .warning, .plan, "A volume's `size` is smaller than the volume is (grown outside flashplan, or the declaration lowered). Shrinking would lose data: flashplan never does it, reports the drift, and goes on with the volume's backups and everything else — one volume grown by hand never stops protection.",
                fix: "Declare its current size or larger.")
        case .volumePropertyFixed:
            Entry(
                .warning, .plan,
                "A volume's `protocol`, `thin` or `compressed` differs from the existing volume's. These cannot change in place; the plan leaves them as they are.",
                fix: "Declare what exists, or create a new volume and migrate the data.")
        case .undeclaredVolume:
            Entry(
                .warning, .plan, "A volume exists on the storage but is declared nowhere. flashplan never deletes it.",
                fix: "Declare it, or remove it by hand; `flashplan state show volume.NAME` shows it.")
        case .destroyPrevented:
            Entry(
                .error, .plan, "A volume is `state: absent` but `prevent_destroy` is true (the default), so it is not destroyed.",
                fix: "Set `prevent_destroy: false` to destroy it (its snapshots go with it).")
        case .destroyBlocked:
            Entry(
                .error, .plan, "A volume is `state: absent`, but clones or replication relationships still depend on it.",
                fix: "Remove the clones and the replication first.")
        case .relationshipMismatch:
            Entry(
                .error, .plan,
                "A replication destination `<volume>_<pool>` is already the destination of another source, or of the other type (mirror or vault).",
                fix: "Remove the existing relationship by hand.")
        case .orphanedLabel:
            Entry(
                .warning, .plan,
                "A resource group, or one of its vaults, holds backups with a label none of its policies (or the vault's `retention`) uses any more. They are kept unless `settings.prune_orphaned_labels: true`, and never pruned while protected.",
                fix: "List the label again, or set `settings.prune_orphaned_labels: true` to prune them.")
        case .snapshotCeiling:
            Entry(
                .warning, .plan,
                "A volume would hold more than 255 snapshots at some moment of the apply, for all groups on it together and snapshots taken by hand included, even with the prunes its new backups make due run first. The backups and transfers that would add to it are held (blocked, `apply` exits 3); its prunes and every other volume's work go on. A configuration `validate` accepts never gets here unless snapshots are taken by hand or a clone keeps its parent beyond retention (the note names the clones; one the configuration no longer declares is deleted only with consent, and until then the volume's new backups wait for it — a warning of this rule says so).",
                fix: "Lower the groups' retention, delete snapshots taken by hand, or consent to deleting the clone the configuration no longer declares (`--allow-destructive`).")
        case .scheduleNotParsed:
            Entry(
                .error, .plan,
                "A policy entry reached the planner without the schedule validation parses (a configuration built without `flashplan validate`'s loader). The planner never parses schedules itself, so rather than never making the backup due it refuses to plan.",
                fix: "Load the configuration through the loader (`flashplan validate` reports the schedule's own error).")
        case .protectsNothing:
            Entry(
                .error, .plan,
                "The configuration protects no volume while the state holds backups of resource groups: an empty or wrong `--config` (or `FLASHPLAN_CONFIG`) would otherwise stop every backup with exit 0. Nothing is planned.",
                fix: "Point `--config` at the directory that declares the resource groups; to stop protecting everything on purpose, remove the backups by hand first.")
        case .unmanagedBackups:
            Entry(
                .warning, .plan,
                "Backups of a resource group that is no longer declared, on a volume its group no longer protects, or on a destination it no longer replicates to — and the clones made from them. They are kept and never pruned; the clones are kept too.",
                fix: "Declare the group, volume or replication again to manage them, or delete them by hand once they are not needed.")
        case .poolFull:
            Entry(
                .error, .plan, "What the plan adds to a pool would use more than its physical capacity.",
                fix: "Add `capacity_from`, or move volumes to another pool.")
        case .poolOvercommitted:
            Entry(
                .error, .plan,
                "What the plan adds to a pool would take its virtual capacity above `max_overcommit` of its physical capacity.",
                fix: "Add capacity, or raise `max_overcommit`.")
        case .poolWarning:
            Entry(
                .warning, .plan,
                "A pool would be used above its `warning_threshold` after the plan, or is full already: new snapshots and clones in it will be refused, while pruning still runs.",
                fix: "Add `capacity_from`, or lower retention.")
        case .unknownTarget:
            Entry(
                .error, .plan, "`--target` or `--exclude` names no resource group. The note lists them.",
                fix: "Use the name of a resource group.")
        case .targeting:
            Entry(
                .warning, .plan, "`--target` or `--exclude` is in effect: the plan may be incomplete.",
                fix: "Use them for exceptional situations, not routinely.")
        case .sizeLowered:
            Entry(
                .error, .plan,
                "A volume's declared size is lower than the size flashplan last applied to it. Volumes are never shrunk (it would lose data), so the declaration cannot be carried out: changes to that volume are held, while its backups and every other volume's work go on (the apply ends partly applied). A volume grown outside flashplan, with its declaration unchanged, is drift instead; with no record of an applied size it is `volume-shrink`.",
                fix: "Declare the size flashplan last applied, or larger.")
        case .clockJump:
            Entry(
                .warning, .plan,
                "The clock (`--now`, or the system's) is before flashplan's last apply or newest backup, or more than 31 days after its last apply: a clock set wrong would otherwise make every backup look expired. Nothing is pruned by age (`days:` rules) until the clock is confirmed; backups that are due are still taken, and pruning by count goes on.",
                fix: "Correct the clock; if it is right (the timer really did not run for a month, or the state was restored from an old copy), confirm with `--allow-clock-jump` on `plan` and `apply`.")
        }
    }
}

// Interpolated into messages, renderers and the `[rule-id]` suffix: the id, never the case name.
extension Rule: CustomStringConvertible {
    public var description: String { rawValue }
}

// Diagnostics sort by rule id after their location, as they did when the id was a string.
extension Rule: Comparable {
    public static func < (lhs: Rule, rhs: Rule) -> Bool { lhs.rawValue < rhs.rawValue }
}
