import ArgumentParser
import FlashPlanApp
import FlashPlanEngine
import Foundation

/// `flashplan discover`: configuration for what the storage holds but the configuration does not declare.
struct DiscoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discover",
        abstract: "Write YAML for what the storage holds that the configuration does not declare.",
        discussion: """
            Arrays, clusters, pools, hosts, volumes, and resource groups recognised from their \
            backups (volumes, hosts, labels, mirror and vault replication, clones), with a policy \
            per label inferred from the backups that exist so that adopting it prunes none of \
            them; YAML comments say what was inferred and from what. Prints one YAML document, \
            or with --out writes one file per kind and per group into an existing directory, \
            refusing to overwrite any file. The state is only read; a missing one is an error.
            """)

    @OptionGroup var config: ConfigOptions
    @OptionGroup var state: StateOptions
    @OptionGroup var clock: ClockOptions

    @Option(help: ArgumentHelp("Write one file per kind and per group into this existing directory instead of printing.", valueName: "dir"))
    var out: String?

    func run() throws {
        let request = DiscoverRequest(configDirectory: config.directory, statePath: state.path, now: try clock.resolve(), out: out)
        try emit(DiscoverRunner.run(request) { path in
            let store = try Backend.openReadOnly(path)
            return StateSession(backend: store.backend, ledger: store)
        })
    }
}
