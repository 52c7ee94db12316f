import Foundation
import EdgeCore

extension ReloadFileWatcher {
    /// The files a snapshot depends on.
    public static func files(configFile: String, config: EdgeConfig) -> [String] {
        var result = [configFile]
        for source in config.descriptors.sources {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
                result.append(source)
                continue
            }
            guard isDirectory.boolValue, let walker = FileManager.default.enumerator(atPath: source) else {
                result.append(source)
                continue
            }
            while let relative = walker.nextObject() as? String {
                result.append(source + "/" + relative)
            }
        }
        // Policy files: a changed keys file reloads like a changed configuration.
        if let keysFile = config.auth.apiKeys?.keysFile { result.append(keysFile) }
        return result
    }
}
