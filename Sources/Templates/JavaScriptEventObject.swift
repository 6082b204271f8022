import CJavaScriptCore

/// Hands an event to JavaScript as an object whose members are converted when the script first reads them, as
/// goja's wrapper of a Go map does in Jitsu: `$.event_type` converts one string, not the whole 1 KB event
/// (`JSValueMakeFromJSONString` of it alone took 5 to 7 µs here, several times the rest of an evaluation).
///
/// The object behaves as the one `JSON.parse` would give, which the tests hold it to. Reading a member answers it
/// from the event (an object or array member is then kept as an own property, so a second read gives the same
/// value, with whatever the script changed in it). The first operation that is not a read (an assignment, a
/// `delete`, listing the keys, which `Object.keys`, spreading, `for...in` and `JSON.stringify` all begin with)
/// first makes every member an own property, in the order the parsed text would have them (array indices ascending,
/// then the other keys bytewise, as Go's `json.Marshal` writes them); JavaScriptCore answers everything from then on.
/// Left apart: before that, `Object.getOwnPropertyDescriptor` of an unread member calls it read-only and not
/// enumerable, as JavaScriptCore does for every property a class callback answers.
///
/// JavaScript values are never held where the collector cannot see them (in Swift arrays or objects): arrays are
/// filled element by element, and every value lives in a local or in a JavaScript object.
/// Not thread-safe: the engine uses it under its lock.
final class JavaScriptEventObjects {
    let objectClass: JSClassRef

    init() {
        // All zero, as kJSClassDefinitionEmpty (a data symbol, which the loader does not forward).
        var definition = JSClassDefinition()
        definition.finalize = { object in
            guard let members = JSObjectGetPrivate(object) else { return }
            Unmanaged<Members>.fromOpaque(members).release()
        }
        definition.getProperty = { context, object, name, _ in
            guard let context, let object, let name, let members = Members.of(object) else { return nil }
            return members.value(named: name, of: object, in: context)
        }
        // The rest only make the object ordinary first; JavaScriptCore then does what was asked.
        definition.setProperty = { context, object, _, _, _ in
            if let context, let object { Members.of(object)?.realize(object, in: context) }
            return false
        }
        definition.deleteProperty = { context, object, _, _ in
            if let context, let object { Members.of(object)?.realize(object, in: context) }
            return false
        }
        definition.getPropertyNames = { context, object, accumulator in
            guard let context, let object, let accumulator, let keys = Members.of(object)?.realize(object, in: context) else { return }
            // JavaScriptCore took the indexed properties, and for `for...in` the others too, before this call: the
            // first listing names every key here, and the properties listed again after are left out.
            for key in keys { withJavaScriptString(key) { JSPropertyNameAccumulatorAddName(accumulator, $0) } }
        }
        // `Object.prototype.toString` names the event `[object Object]`, as it would a parsed one. The class copies
        // the name.
        objectClass = "Object".withCString { name in
            definition.className = name
            return JSClassCreate(&definition)
        }
    }

    deinit {
        JSClassRelease(objectClass)
    }

    /// `value` as JavaScript: objects lazily (above), arrays as arrays of converted elements, the rest directly.
    func make(_ value: JSONValue, in context: JSContextRef) -> JSValueRef {
        switch value {
        case .null: return JSValueMakeNull(context)
        case .bool(let flag): return JSValueMakeBoolean(context, flag)
        case .number(let number): return JSValueMakeNumber(context, number)
        case .string(let text): return withJavaScriptString(text) { JSValueMakeString(context, $0) }
        case .array(let elements):
            let array = JSObjectMakeArray(context, 0, nil, nil)!
            for (index, element) in elements.enumerated() {
                JSObjectSetPropertyAtIndex(context, array, UInt32(index), make(element, in: context), nil)
            }
            return array
        case .object(let fields):
            let members = Members(fields: fields, objects: self)
            return JSObjectMake(context, objectClass, Unmanaged.passRetained(members).toOpaque())
        }
    }

    /// One object's members, and how far they have become its own properties.
    private final class Members {
        let fields: [String: JSONValue]
        unowned let objects: JavaScriptEventObjects
        /// Object and array members read so far, kept as own properties.
        private var kept: Set<String> = []
        /// Set while this class stores a property itself, so the store does not realize the object.
        private var storing = false
        /// Every member is an own property: JavaScriptCore answers everything.
        private var realized = false

        init(fields: [String: JSONValue], objects: JavaScriptEventObjects) {
            self.fields = fields
            self.objects = objects
        }

        static func of(_ object: JSObjectRef) -> Members? {
            JSObjectGetPrivate(object).map { Unmanaged<Members>.fromOpaque($0).takeUnretainedValue() }
        }

        /// The member's value, or nil to let JavaScriptCore look further (own properties, then the prototype).
        func value(named name: JSStringRef, of object: JSObjectRef, in context: JSContextRef) -> JSValueRef? {
            guard !realized, !storing else { return nil }
            let key = String(javaScript: name)
            guard let field = fields[key], !kept.contains(key) else { return nil }
            let value = objects.make(field, in: context)
            switch field {
            case .object, .array:
                kept.insert(key)
                store(value, as: name, in: object, context)
            default: break
            }
            return value
        }

        /// Makes every member an own property, in enumeration order: the ones kept so far are moved into place.
        /// - Returns: the keys in that order, or nil when the object was already realized.
        @discardableResult
        func realize(_ object: JSObjectRef, in context: JSContextRef) -> [String]? {
            guard !realized, !storing else { return nil }
            let keys = enumerationOrder
            for key in keys {
                withJavaScriptString(key) { name in
                    if kept.contains(key) {
                        storing = true
                        let value = JSObjectGetProperty(context, object, name, nil)
                        JSObjectDeleteProperty(context, object, name, nil)
                        storing = false
                        store(value, as: name, in: object, context)
                    } else {
                        store(objects.make(fields[key]!, in: context), as: name, in: object, context)
                    }
                }
            }
            realized = true
            kept = []
            return keys
        }

        private func store(_ value: JSValueRef?, as name: JSStringRef, in object: JSObjectRef, _ context: JSContextRef) {
            storing = true
            JSObjectSetProperty(context, object, name, value, JSPropertyAttributes(kJSPropertyAttributeNone), nil)
            storing = false
        }

        /// The keys in the order `JSON.parse` of the event's text would enumerate them.
        private var enumerationOrder: [String] {
            var indices: [(UInt32, String)] = []
            var names: [String] = []
            for key in fields.keys {
                if let index = Self.arrayIndex(key) { indices.append((index, key)) } else { names.append(key) }
            }
            return indices.sorted { $0.0 < $1.0 }.map(\.1) + names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }

        /// The key's value as an array index (canonical decimal below 2^32 - 1), which JavaScript enumerates first.
        private static func arrayIndex(_ key: String) -> UInt32? {
            guard let index = UInt32(key), index != .max, String(index) == key else { return nil }
            return index
        }
    }
}

extension String {
    /// The text of a JavaScript string; a lone surrogate becomes U+FFFD, as JSON's `\uXXXX` does in `JSONParser`.
    init(javaScript text: JSStringRef) {
        let length = JSStringGetLength(text)
        guard length > 0, let characters = JSStringGetCharactersPtr(text) else {
            self = ""
            return
        }
        self = String(decoding: UnsafeBufferPointer(start: characters, count: length), as: UTF16.self)
    }
}

/// Passes `text` to `body` as a JavaScript string, released after; any character, NUL included, is kept.
func withJavaScriptString<T>(_ text: String, _ body: (JSStringRef) -> T) -> T {
    var units = Array(text.utf16)
    let reference = units.withUnsafeMutableBufferPointer { JSStringCreateWithCharacters($0.baseAddress, $0.count) }!
    defer { JSStringRelease(reference) }
    return body(reference)
}
