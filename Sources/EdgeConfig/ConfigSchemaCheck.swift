import DescriptorLoader

/// The checks that need the loaded descriptors: route overrides must name
/// existing methods (an error); a cluster service entry that matches no
/// service is reported as a warning (descriptor sets often carry more or fewer
/// services than one deployment routes).
public enum ConfigSchemaCheck {
    public static func problems(_ config: EdgeConfig, schema: Schema) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        for route in config.routes {
            guard case .method(let name) = route.key, schema.methods[name] == nil else { continue }
            problems.append(ConfigProblem(path: ConfigReader.child("routes", name), message: "no method '\(name)' in the loaded descriptors"))
        }
        return problems
    }

    public static func warnings(_ config: EdgeConfig, schema: Schema) -> [ConfigProblem] {
        var problems: [ConfigProblem] = []
        let services = Array(schema.services.keys)
        for (clusterIndex, cluster) in config.clusters.enumerated() {
            for (index, entry) in cluster.services.enumerated() {
                let name = ClusterMap.normalize(entry)
                if !services.contains(where: { $0 == name || $0.hasPrefix(name + ".") }) {
                    problems.append(ConfigProblem(
                        path: "clusters[\(clusterIndex)].services[\(index)]",
                        message: "'\(entry)' matches no service in the loaded descriptors"))
                }
            }
        }
        return problems
    }

    /// The route table as `GET /admin/routes` shows it: every HTTP rule of every method.
    public static func routeDescriptions(_ config: EdgeConfig, schema: Schema) -> [RouteDescription] {
        let clusters = ClusterMap(clusters: config.clusters)
        var routes: [RouteDescription] = []
        for name in schema.methods.keys.sorted() {
            guard let method = schema.methods[name] else { continue }
            let cluster = clusters.cluster(forService: method.serviceName)
            for rule in method.httpRules {
                routes.append(RouteDescription(
                    httpMethod: rule.httpMethod, pattern: rule.pattern, grpcMethod: name,
                    body: rule.body, responseBody: rule.responseBody, cluster: cluster))
            }
            if config.defaultRoutes {
                routes.append(RouteDescription(httpMethod: "POST", pattern: method.grpcPath, grpcMethod: name, body: "*", cluster: cluster))
            }
        }
        return routes
    }
}
