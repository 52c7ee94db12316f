import FuzzSupport
import Transcoder

/// `PathTemplate` parsing (google.api.http path templates). Beyond "no crash": a
/// template that parses has variables inside its segments, and its shape (the
/// template with variable names erased) parses to a template with the same
/// segments, verb and shape, and no variables.
@main
enum PathTemplateTarget: FuzzTarget {
    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        let text = String(decoding: input, as: UTF8.self)
        guard let template = try? PathTemplate(parsing: text) else { return }
        for variable in template.variables {
            fuzzRequire(
                variable.segments.lowerBound >= 0 && variable.segments.upperBound <= template.segments.count,
                "\(text): variable \(variable.fieldPathText) covers \(variable.segments) of \(template.segments.count) segments")
            fuzzRequire(!variable.fieldPath.isEmpty, "\(text): a variable without a field path")
        }
        let shape = template.shape
        do {
            let reparsed = try PathTemplate(parsing: shape)
            fuzzRequire(reparsed.segments == template.segments, "\(text): shape \(shape) parses to other segments")
            fuzzRequire(reparsed.verb == template.verb, "\(text): shape \(shape) parses to another verb")
            fuzzRequire(reparsed.variables.isEmpty, "\(text): shape \(shape) has variables")
            fuzzRequire(reparsed.shape == shape, "\(text): shape \(shape) reshapes to \(reparsed.shape)")
        } catch {
            fuzzFail("\(text) parses but its shape \(shape) does not: \(error)")
        }
    }
}
