import Foundation
import Ingest

extension DemoSchema {
    /// The resource file that holds the demo schema (a Felis YAML document).
    static let resourceName = "dp02_dc2_demo.yaml"

    /// Where the demo schema is looked for, in order: `$SKYSHARD_DEMO_SCHEMA`; the package's
    /// resource bundle beside the running executable (where `swift build` puts it, and where an
    /// installation copies it); the source checkout this module was built from.
    ///
    /// Not `Bundle.module`: its accessor stops the process when the bundle is missing, and a
    /// missing file must be an error the caller can report.
    static var candidateFiles: [URL] {
        var urls: [URL] = []
        if let path = ProcessInfo.processInfo.environment["SKYSHARD_DEMO_SCHEMA"], !path.isEmpty {
            urls.append(URL(fileURLWithPath: path))
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for directory in [executable, Bundle.main.bundleURL] {
            urls.append(directory.appendingPathComponent("skyshard_DemoData.resources").appendingPathComponent(resourceName))
        }
        urls.append(
            URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("Resources").appendingPathComponent(resourceName))
        return urls
    }

    /// The text of the demo schema, read once.
    public static func yaml() throws -> String {
        try loaded.get()
    }

    private static let loaded: Result<String, DemoDataError> = {
        let candidates = candidateFiles
        for url in candidates {
            if let text = try? String(contentsOf: url, encoding: .utf8) { return .success(text) }
        }
        let looked = candidates.map(\.path).joined(separator: ", ")
        return .failure(
            DemoDataError(
                .schema,
                "the demo schema \(DemoSchema.resourceName) was not found (looked at \(looked)); "
                    + "install skyshard_DemoData.resources beside the skyshard executable, or set SKYSHARD_DEMO_SCHEMA"))
    }()
}
