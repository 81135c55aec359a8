import JSONSchema
import WorkflowConcurrency
import WorkflowJSON
import WorkflowEngine

/// The engine's ``ResponseValidator`` backed by the `JSONSchema` library: a response is checked against its
/// request's schema before it is accepted. Compiled schemas are cached.
public final class JSONSchemaValidator: ResponseValidator {
    private let cache = Locked<[JSON: Result<JSONSchema, SchemaError>]>([:])
    private let cacheLimit: Int

    public init(cacheLimit: Int = 1024) { self.cacheLimit = cacheLimit }

    public func problems(in response: JSON, against schema: JSON) -> [String] {
        let compiled = cache.withLock { cache -> Result<JSONSchema, SchemaError> in
            if let hit = cache[schema] { return hit }
            let result = Result { () throws(SchemaError) in try JSONSchema(schema) }
            if cache.count >= cacheLimit { cache.removeAll() }
            cache[schema] = result
            return result
        }
        switch compiled {
        case .success(let schema): return schema.validate(response).map(\.description)
        case .failure(let error): return ["the request's schema is invalid: \(error)"]
        }
    }
}
