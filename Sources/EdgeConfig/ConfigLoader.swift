import Foundation
import NIOCore
import Yams

/// Reads and validates the configuration file once, at start-up.
///
/// Validation does not stop at the first mistake: ``ConfigError/problems`` lists
/// every problem with its key path (`clusters[1].endpoints[0]`) and line, so
/// `edge validate` and `edge serve` can print them all.
public enum ConfigLoader {
    public static func load(file: String, checkFiles: Bool = true) throws -> EdgeConfig {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ConfigError(file: file, problems: [ConfigProblem(path: "", message: "cannot read the file")])
        }
        let directory = (file as NSString).deletingLastPathComponent
        return try parse(yaml: String(decoding: data, as: UTF8.self), file: file, baseDirectory: directory, checkFiles: checkFiles).get()
    }

    /// - Parameters:
    ///   - baseDirectory: relative paths (descriptors, CA files) are resolved against it.
    ///   - checkFiles: whether named files must exist.
    public static func parse(yaml: String, file: String = "<config>", baseDirectory: String = "", checkFiles: Bool = true) -> Result<EdgeConfig, ConfigError> {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return .failure(ConfigError(file: file, problems: [ConfigProblem(path: "", message: "not valid YAML: \(error)")]))
        }
        var parser = ConfigParser(baseDirectory: baseDirectory, checkFiles: checkFiles)
        let config = parser.parseRoot(root)
        let problems = parser.reader.problems
        guard problems.isEmpty else { return .failure(ConfigError(file: file, problems: problems)) }
        return .success(config)
    }
}
