import ArgumentParser

/// `skyshard`: ADQL over a sharded sky catalog, served through TAP.
@main
struct SkyShardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skyshard",
        abstract: "ADQL queries over a sky catalog split into SQLite chunk files, served through IVOA TAP.",
        subcommands: [
            DemoCommand.self, ServeCommand.self, SettingsCommand.self, QueryCommand.self, ExplainCommand.self, ADQLCommand.self,
            GenerateCommand.self, IngestCommand.self, SkyCommand.self, BenchCommand.self, TokenCommand.self,
            LoadTestCommand.self,
        ])
}
