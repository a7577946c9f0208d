import ArgumentParser
import Configuration
import Foundation
import SystemPackage
import Yams

// Where the service's settings come from.
//
// Every setting of `serve` and `demo` has one name, its flag's (`query-timeout`), and is read
// from, highest first:
//
//   1. the flag on the command line             --query-timeout 600
//   2. the environment, SKYSHARD_ + the name    SKYSHARD_QUERY_TIMEOUT=600
//   3. the configuration file (--config F)      query-timeout: 600      (YAML, flat keys)
//   4. the built-in default                     (docs/operations.md lists them all)
//
// swift-configuration reads the environment and the file; the order is applied here, so that
// `skyshard settings` can say where each value came from. A key in the file that names no
// setting, or a value of the wrong type, is an error naming the key: a typo must not silently
// leave a default in force.

/// A value a setting can hold, read from a configuration source.
protocol SettingValue: Sendable {
    static func fetch(_ reader: ConfigReader, _ key: ConfigKey) async throws -> Self?
    /// The value as `skyshard settings` prints it.
    var settingText: String { get }
}

extension Int: SettingValue {
    static func fetch(_ reader: ConfigReader, _ key: ConfigKey) async throws -> Int? {
        try await reader.fetchInt(forKey: key)
    }
    var settingText: String { String(self) }
}

extension String: SettingValue {
    static func fetch(_ reader: ConfigReader, _ key: ConfigKey) async throws -> String? {
        try await reader.fetchString(forKey: key)
    }
    var settingText: String { self }
}

extension Bool: SettingValue {
    static func fetch(_ reader: ConfigReader, _ key: ConfigKey) async throws -> Bool? {
        try await reader.fetchBool(forKey: key)
    }
    var settingText: String { self ? "true" : "false" }
}

extension Array: SettingValue where Element == String {
    static func fetch(_ reader: ConfigReader, _ key: ConfigKey) async throws -> [String]? {
        try await reader.fetchStringArray(forKey: key)
    }
    var settingText: String { joined(separator: ",") }
}

/// One resolved setting and where its value came from, for `skyshard settings`.
struct ResolvedSetting: Sendable {
    var name: String
    var value: String?
    var origin: String
}

/// Reads settings in the order above and records where each came from.
final class SettingsResolver {
    static let environmentPrefix = "SKYSHARD_"

    private let environment: ConfigReader
    private let file: ConfigReader?
    private let filePath: String?
    /// The keys the configuration file sets, checked against the settings read.
    private let fileKeys: Set<String>
    private var known: Set<String> = []
    private(set) var report: [ResolvedSetting] = []

    /// Reads `configFile` (YAML) if given; the environment is the process's unless given.
    init(configFile: String?, environment variables: [String: String] = ProcessInfo.processInfo.environment) async throws {
        // SKYSHARD_QUERY_TIMEOUT is the key skyshard.query-timeout to the environment provider.
        environment = ConfigReader(
            provider: KeyMappingProvider(
                upstream: EnvironmentVariablesProvider(environmentVariables: variables),
                keyMapper: { $0.prepending(["skyshard"]) }))
        filePath = configFile
        guard let configFile else {
            file = nil
            fileKeys = []
            return
        }
        let text: String
        do {
            text = try String(contentsOfFile: configFile, encoding: .utf8)
        } catch {
            throw ValidationError("cannot read the configuration file \(configFile): \(error.localizedDescription)")
        }
        // The file is a flat mapping of setting names; anything else is refused here, before
        // the provider reads it, with a message about the file rather than about YAML nodes.
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ValidationError("configuration file \(configFile) is not valid YAML: \(error)")
        }
        switch node {
        case nil:
            fileKeys = []
        case .mapping(let mapping)?:
            fileKeys = Set(mapping.keys.compactMap(\.string))
            if let bad = mapping.keys.first(where: { $0.string == nil }) {
                throw ValidationError("configuration file \(configFile): the key \(bad) is not a setting name")
            }
        default:
            throw ValidationError(
                "configuration file \(configFile) must be a mapping of setting names to values (e.g. `port: 8080`)")
        }
        file = ConfigReader(provider: try await FileProvider<YAMLSnapshot>(filePath: FilePath(configFile)))
    }

    /// The value of setting `name`: `flag` if given, else the environment's, the file's, or
    /// `defaultValue`.
    func value<T: SettingValue>(_ name: String, flag: T?, default defaultValue: T?) async throws -> T? {
        known.insert(name)
        if let flag {
            report.append(ResolvedSetting(name: name, value: flag.settingText, origin: "flag --\(name)"))
            return flag
        }
        let variable = Self.environmentPrefix + name.uppercased().replacingOccurrences(of: "-", with: "_")
        if let value = try await read(T.self, name, from: environment, source: "environment variable \(variable)") {
            report.append(ResolvedSetting(name: name, value: value.settingText, origin: "environment \(variable)"))
            return value
        }
        if let file, let filePath,
            let value = try await read(T.self, name, from: file, source: "configuration file \(filePath)")
        {
            report.append(ResolvedSetting(name: name, value: value.settingText, origin: "file \(filePath)"))
            return value
        }
        report.append(ResolvedSetting(name: name, value: defaultValue?.settingText, origin: "default"))
        return defaultValue
    }

    /// `value` for a setting that always has a default.
    func value<T: SettingValue>(_ name: String, flag: T?, default defaultValue: T) async throws -> T {
        try await value(name, flag: flag, default: Optional(defaultValue)) ?? defaultValue
    }

    private func read<T: SettingValue>(_ type: T.Type, _ name: String, from reader: ConfigReader, source: String)
        async throws -> T?
    {
        do {
            return try await T.fetch(reader, ConfigKey([name]))
        } catch {
            throw ValidationError("\(source): the value of \(name) is not \(Self.describe(T.self))")
        }
    }

    private static func describe<T>(_ type: T.Type) -> String {
        switch type {
        case is Int.Type: "an integer"
        case is Bool.Type: "true or false"
        case is [String].Type: "a list of names"
        case is ByteCount.Type: "a byte count such as 10G, 512M or 1048576"
        default: "a string"
        }
    }

    /// Fails when the configuration file sets a key that no setting read: call after reading
    /// every setting.
    func checkFileKeys() throws {
        let unknown = fileKeys.subtracting(known).sorted()
        guard let filePath, !unknown.isEmpty else { return }
        throw ValidationError(
            "configuration file \(filePath): unknown setting\(unknown.count == 1 ? "" : "s") "
                + unknown.joined(separator: ", ") + "; the settings are " + known.sorted().joined(separator: ", "))
    }
}

extension ByteCount: SettingValue {
    /// A byte count in the environment or the file is written as on the command line: `10G`,
    /// `512M`, or a plain number of bytes.
    static func fetch(_ reader: ConfigReader, _ key: ConfigKey) async throws -> ByteCount? {
        guard let text = try await reader.fetchString(forKey: key) else { return nil }
        guard let count = ByteCount(argument: text) else {
            throw ValidationError("\(text) is not a byte count such as 10G, 512M or 1048576")
        }
        return count
    }
    var settingText: String { String(bytes) }
}
