import EdgePolicy

/// What the edge answers itself to a `GET` of the OpenAPI document (`/openapi.json`,
/// `/openapi.yaml`), of its docs page (`/docs`) or of the page's files (`/docs/assets/*`),
/// with the policies the request passes first: the admission runs them as a route's
/// (IP rules, CORS, credentials, rate limits; suspending on a key-set fetch or a Redis
/// reply), and the answer goes out only if they let it through.
///
/// Both come from one snapshot, so a reload never pairs a document with another
/// configuration's restrictions.
public struct OpenAPIEndpoint: Sendable {
    public let answer: OpenAPIDocument.Answer
    /// `openapi`'s own chain for the document and the page (compiled at load, like a
    /// route's, from the `openapi` access keys); the unmatched chain (global IP rules and
    /// CORS) for the page's files, which are the same for every edge and which a browser
    /// fetches without the page's credential.
    public let policies: PolicyChain

    public init(answer: OpenAPIDocument.Answer, policies: PolicyChain) {
        self.answer = answer
        self.policies = policies
    }
}
