#!/usr/bin/env python3
# Regenerates Tests/TranscoderTests/WireToJSONReferenceTests.swift: for each case,
# wire bytes (built with Python protobuf or by hand) and the JSON that
# google.protobuf.json_format.MessageToJson prints for them, the reference
# WireToJSON is held to. Run: python3 Tests/Fixtures/WireToJSONReference.py
import os
HERE = os.path.dirname(os.path.abspath(__file__))
import sys, json
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, json_format
fds = descriptor_pb2.FileDescriptorSet()
fds.ParseFromString(open(os.path.join(HERE, 'edgetest.protoset'),'rb').read())
pool = descriptor_pool.DescriptorPool()
for f in fds.file:
    try: pool.Add(f)
    except Exception as e: pass
def cls(name): return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))
def parse(name, js):
    m = cls(name)(); json_format.Parse(js, m, descriptor_pool=pool); return m
def hexof(name, js): return parse(name, js).SerializeToString().hex()
def tojson(name, data, **kw):
    m = cls(name)(); m.ParseFromString(data)
    return json_format.MessageToJson(m, indent=None, descriptor_pool=pool, **kw)

# Generates Tests/TranscoderTests/WireToJSONReferenceTests.swift: wire bytes built
# with Python protobuf and the JSON its json_format prints for them.
import json, struct

from google.protobuf import any_pb2, struct_pb2, wrappers_pb2, timestamp_pb2, duration_pb2, field_mask_pb2, empty_pb2

def ld(n, b):
    out = bytearray()
    tag = n << 3 | 2
    while True:
        x = tag & 0x7f; tag >>= 7
        out.append(x | (0x80 if tag else 0))
        if not tag: break
    ln = len(b)
    while True:
        x = ln & 0x7f; ln >>= 7
        out.append(x | (0x80 if ln else 0))
        if not ln: break
    return bytes(out) + b

cases = []  # (name, type, hex, opts)
def case(name, typ, data, **opts):
    if isinstance(data, str): data = hexof(typ, data)
    elif not isinstance(data, str): data = data.hex()
    cases.append((name, typ, data, opts))

S='edgetest.Scalars'
case('scalarsAll', S, '{"fDouble":1.5,"fFloat":0.1,"fInt64":"-9223372036854775808","fUint64":"18446744073709551615","fInt32":-2147483648,"fFixed64":"18446744073709551615","fFixed32":4294967295,"fBool":true,"fString":"héllo \\"q\\" \\\\ \\n\\u0001 😀","fBytes":"AAEC/w==","fUint32":4294967295,"fEnum":"COLOR_BLUE","fSfixed32":-2147483648,"fSfixed64":"-9223372036854775808","fSint32":-2147483648,"fSint64":"-9223372036854775808"}')
case('scalarsMax', S, '{"fInt64":"9223372036854775807","fInt32":2147483647,"fSfixed32":2147483647,"fSfixed64":"9223372036854775807","fSint32":2147483647,"fSint64":"9223372036854775807"}')
case('scalarsEmpty', S, b'')
case('scalarsEmit', S, b'', always_print_fields_with_no_presence=True)
case('scalarsEmitPartial', S, '{"fInt32":3,"fString":"x"}', always_print_fields_with_no_presence=True)
case('scalarsProtoNames', S, '{"fInt32":3,"fString":"x","fEnum":"COLOR_RED"}', preserving_proto_field_name=True)
case('scalarsEnumsAsInts', S, '{"fEnum":"COLOR_BLUE"}', use_integers_for_enums=True)
case('openEnumUnknown', S, b'\x60\x09')
case('doubles', S, '{"fDouble":1e300}')
case('doubleTiny', S, b'\x09' + struct.pack('<d', 5e-324))
case('doubleNaN', S, b'\x09' + struct.pack('<d', float('nan')))
case('doubleNegInf', S, b'\x09' + struct.pack('<d', float('-inf')))
case('doubleNegZero', S, b'\x09' + struct.pack('<d', -0.0))
case('doubleFraction', S, b'\x09' + struct.pack('<d', 0.1 + 0.2))
case('doubleLargeIntegral', S, b'\x09' + struct.pack('<d', 1e22))
case('doubleIntegral', S, b'\x09' + struct.pack('<d', 12345678.0))
case('floatTenth', S, b'\x15' + struct.pack('<f', 0.1))
case('floatMax', S, b'\x15' + struct.pack('<f', 3.4028234663852886e38))
case('floatSubnormal', S, b'\x15' + struct.pack('<f', 1e-45))
case('floatSubnormal2', S, b'\x15' + struct.pack('<f', 1.1754942e-38))
case('floatInf', S, b'\x15' + struct.pack('<f', float('inf')))
case('floatNaN', S, b'\x15' + struct.pack('<f', float('nan')))
case('floatPi', S, b'\x15' + struct.pack('<f', 3.14159265))
case('floatIntegral', S, b'\x15' + struct.pack('<f', 16777216.0))
case('int32FiveByteVarint', S, b'\x28' + bytes.fromhex('ffffffff0f'))
case('uint32TenByteVarint', S, b'\x58' + bytes.fromhex('ffffffffffffffffff01'))
case('boolTwo', S, b'\x40\x02')
case('varintExtraBitsDropped', S, b'\x20' + bytes.fromhex('ffffffffffffffffff7f'))
case('lastOneWins', S, b'\x28\x01\x4a\x01a\x28\x02\x4a\x01b')
case('outOfOrder', S, b'\x4a\x01a\x28\x02\x08' + b'\x00'*0 + b'' if False else b'\x4a\x01a\x28\x02\x40\x01')
case('unknownFieldsSkipped', S, b'\x28\x01' + ld(100, b'xyz') + b'\xa0\x06\x05' + b'\xfd\x07\x01\x02\x03\x04' + b'\xf9\x07' + b'\x00'*8 + b'\x40\x01')
case('unknownGroupSkipped', S, b'\xfb\x01\x08\x01\x13\x08\x01\x14\xfc\x01\x28\x07')
case('wrongWireTypeIsUnknown', S, b'\x2d\x01\x00\x00\x00\x48\x01\x40\x01')
case('maxFieldNumberUnknown', S, bytes.fromhex('f8ffffff0f01') + b'\x28\x03')
case('stringEscapes', S, ld(9, b'a"\\\x00\x01\x08\x09\x0a\x0c\x0d\x1f\x7f/\xe2\x80\xa8<>&\'\xf0\x9f\x98\x80'))
case('bytesPadding1', S, ld(10, b'\x01'))
case('bytesPadding2', S, ld(10, b'\x01\x02'))
case('bytesNoPadding', S, ld(10, b'\xfb\xff\xbf'))

R='edgetest.Repeated'
case('repeatedAll', R, '{"rDouble":[1.5,-2,"NaN"],"rFloat":[0.25,"-Infinity"],"rInt64":["1","-2"],"rUint64":["18446744073709551615"],"rInt32":[1,-1],"rFixed64":["5"],"rFixed32":[6],"rBool":[true,false],"rString":["a",""],"rBytes":["AQ==",""],"rUint32":[7],"rEnum":["COLOR_RED","COLOR_BLUE"],"rSfixed32":[-8],"rSfixed64":["-9"],"rSint32":[-10],"rSint64":["-11"],"rMessage":[{"fInt32":1},{}],"rUnpackedInt32":[1,2,3]}')
case('repeatedEmit', R, b'', always_print_fields_with_no_presence=True)
case('repeatedPackedAndUnpackedMixed', R, b'\x28\x01\x2a\x02\x02\x03\x28\x04')
case('repeatedUnpackedAsPacked', R, b'\x92\x01\x02\x05\x06')
case('repeatedEnumUnknown', R, b'\x62\x03\x01\x09\x00\x60\x02')
case('repeatedEmptyPacked', R, b'\x2a\x00')
case('repeatedInterleaved', R, b'\x28\x01\x4a\x01a\x28\x02\x4a\x01b')
case('repeatedMessagesSplitByUnknown', R, ld(17, b'\x28\x01') + b'\xa0\x06\x01' + ld(17, b'\x28\x02'))

O='edgetest.Optionals'
case('optionalsZero', O, '{"oDouble":0,"oInt64":"0","oInt32":0,"oBool":false,"oString":"","oBytes":"","oEnum":"COLOR_UNSPECIFIED","oUint32":0,"oFloat":0}')
case('optionalsEmit', O, b'', always_print_fields_with_no_presence=True)

M='edgetest.Maps'
case('mapsAll', M, '{"mInt32":{"-1":"a","2":"b"},"mInt64":{"-9223372036854775808":"c"},"mUint32":{"4294967295":"d"},"mUint64":{"18446744073709551615":"e"},"mSint32":{"-3":"f"},"mSint64":{"-4":"g"},"mFixed32":{"5":"h"},"mFixed64":{"6":"i"},"mSfixed32":{"-7":"j"},"mSfixed64":{"-8":"k"},"mBool":{"true":"l","false":"m"},"mString":{"":"n","ключ":"o"},"mMessage":{"x":{"fInt32":1},"y":{}},"mEnum":{"r":"COLOR_RED","b":"COLOR_BLUE"},"mBytes":{"z":"AAE="},"mDouble":{"d":1.5,"n":"NaN"},"mValue":{"v":[1,"s",null,{"k":true}]},"mTimestamp":{"t":"2024-02-29T12:00:00.123Z"}}')
case('mapMissingKey', M, ld(1, b'\x12\x01x'))
case('mapMissingValue', M, ld(1, b'\x08\x05'))
case('mapMessageMissingValue', M, ld(13, b'\x0a\x01k'))
case('mapEnumMissingAndUnknown', M, ld(14, b'\x0a\x01k') + ld(14, b'\x0a\x01j\x10\x09'))
case('mapDuplicateKeyLastWins', M, ld(1, b'\x08\x01\x12\x01a') + ld(1, b'\x08\x02\x12\x01c') + ld(1, b'\x08\x01\x12\x01b'))
case('mapDuplicateStringKey', M, ld(12, b'\x0a\x01k\x12\x011') + ld(12, b'\x0a\x01k\x12\x012'))
case('mapEntryKeyTwice', M, ld(1, b'\x08\x01\x08\x02\x12\x01a'))
case('mapBoolKeys', M, ld(11, b'\x08\x01\x12\x01a') + ld(11, b'\x08\x00\x12\x01b'))
case('mapsEmit', M, b'', always_print_fields_with_no_presence=True)
case('mapsEmitNested', M, '{"mMessage":{"x":{}}}', always_print_fields_with_no_presence=True)

X='edgetest.Oneofs'
case('oneofString', X, '{"oString":""}')
case('oneofNull', X, '{"oNull":null}')
case('oneofNullUnknownNumber', X, b'\x28\x03')
case('oneofWrapperEmpty', X, b'\x32\x00')
case('oneofLastWins', X, b'\x0a\x01a\x10\x05')
case('oneofMessageThenOtherThenMessage', X, ld(3, b'\x28\x01') + b'\x0a\x01a' + ld(3, b'\x30\x01'))
case('oneofMessageMerge', X, ld(3, b'\x28\x01') + ld(3, b'\x30\x01') + b'\x58\x01')
case('oneofTwoGroups', X, b'\x50\x05\x10\x07\x58\x01\xa2\x01\x01z')
case('oneofEmit', X, b'', always_print_fields_with_no_presence=True)
case('oneofEnumsAsInts', X, '{"oEnum":"COLOR_GREEN"}', use_integers_for_enums=True)

W='edgetest.WellKnown'
a = any_pb2.Any(); a.Pack(cls(S)(f_int32=5, f_string='x'))
case('anyMessage', W, ld(1, a.SerializeToString()))
case('anyMessageEmit', W, ld(1, a.SerializeToString()), always_print_fields_with_no_presence=True)
for nm, msg in [('Timestamp', timestamp_pb2.Timestamp(seconds=1, nanos=5)), ('Duration', duration_pb2.Duration(seconds=-3)),
                ('Value', struct_pb2.Value(number_value=1.5)), ('Struct', struct_pb2.Struct()), ('Int64Value', wrappers_pb2.Int64Value(value=5)),
                ('FieldMask', field_mask_pb2.FieldMask(paths=['a_b'])), ('Empty', empty_pb2.Empty()), ('ListValue', struct_pb2.ListValue())]:
    a = any_pb2.Any(); a.Pack(msg)
    case('anyWellKnown' + nm, W, ld(1, a.SerializeToString()))
a = any_pb2.Any(); inner = any_pb2.Any(); inner.Pack(cls(S)(f_bool=True)); a.Pack(inner)
case('anyNested', W, ld(1, a.SerializeToString()))
case('anyEmpty', W, ld(1, b''))
case('anyTypeOnly', W, ld(1, ld(1, b'type.googleapis.com/edgetest.Scalars')))
case('anyNoSlash', W, ld(1, ld(1, b'edgetest.Scalars') + ld(2, b'\x28\x01')))
case('anyCustomPrefix', W, ld(1, ld(1, b'example.com/x/y/edgetest.Scalars') + ld(2, b'\x28\x01')))
case('anyRepeated', W, ld(20, ld(1, b'type.googleapis.com/edgetest.Scalars') + ld(2, b'\x28\x01')) + ld(20, b''))
case('timestamps', W, '{"wTimestamp":"1970-01-01T00:00:00Z","rTimestamp":["0001-01-01T00:00:00Z","9999-12-31T23:59:59.999999999Z","2000-02-29T23:59:59.100Z","1969-12-31T23:59:59.000001Z","1900-03-01T00:00:00.000000001Z"]}')
case('timestampEmpty', W, ld(2, b''))
for s, n in [(0, 0), (1, 500000000), (-1, -500000000), (0, -1), (0, 1), (315576000000, 0), (-315576000000, -999999999), (3, 120000)]:
    case('duration%s_%s' % (str(s).replace('-', 'm'), str(n).replace('-', 'm')), W, ld(3, duration_pb2.Duration(seconds=s, nanos=n).SerializeToString()))
case('fieldMask', W, ld(4, field_mask_pb2.FieldMask(paths=['foo_bar', 'a.b_c', '_foo', 'x', 'foo_bar.baz_qux']).SerializeToString()))
case('fieldMaskEmpty', W, ld(4, b''))
case('structValue', W, '{"wStruct":{"a":1,"b":"s","c":true,"d":null,"e":{"f":[1,{"g":[]}]},"h":[]},"wValue":{"x":[1.25,-3]}}')
case('valueKinds', W, '{"rValue":[null,0,"",false,{},[],1e300,-0.5]}')
case('valueNoKind', W, ld(6, b''))
case('valueNoKindInList', W, ld(21, b''))
case('valueKindLastWins', W, ld(6, b'\x1a\x01a\x20\x01'))
case('structFieldNoValue', W, ld(5, ld(1, b'\x0a\x01a')))
case('structDuplicateKey', W, ld(5, ld(1, b'\x0a\x01a\x12\x02\x20\x01') + ld(1, b'\x0a\x01a\x12\x02\x20\x00')))
case('listEmpty', W, ld(7, b''))
case('nullValueField', W, b'\x40\x00')
case('nullValueEmit', W, b'', always_print_fields_with_no_presence=True)
case('wrappers', W, '{"wDoubleValue":1.5,"wFloatValue":0.1,"wInt64Value":"-5","wUint64Value":"18446744073709551615","wInt32Value":-7,"wUint32Value":4294967295,"wBoolValue":true,"wStringValue":"s","wBytesValue":"AQI="}')
case('wrappersEmpty', W, ld(10, b'') + ld(11, b'') + ld(12, b'') + ld(13, b'') + ld(14, b'') + ld(15, b'') + ld(16, b'') + ld(17, b'') + ld(18, b''))
case('wrappersRepeated', W, '{"rInt32Value":[1,0,-1]}')
case('emptyMessage', W, ld(9, b''))
case('wellKnownEmit', W, b'', always_print_fields_with_no_presence=True)
case('nullValueEmitEnumsAsInts', W, b'', always_print_fields_with_no_presence=True, use_integers_for_enums=True)
case('oneofNullEnumsAsInts', X, b'\x28\x00', use_integers_for_enums=True)
case('valueNullEnumsAsInts', W, ld(6, b'\x08\x00'), use_integers_for_enums=True)
case('emitProtoNamesEnumsAsInts', S, b'\x60\x02', always_print_fields_with_no_presence=True, preserving_proto_field_name=True, use_integers_for_enums=True)
case('anyInsideStructIsNotSpecial', W, ld(5, ld(1, b'\x0a\x01k' + ld(2, b'\x1a\x01v'))) + ld(1, ld(1, b'type.googleapis.com/google.protobuf.Struct') + ld(2, ld(1, b'\x0a\x01a' + ld(2, b'\x20\x01')))))
case('unknownFieldsInsideWellKnown', W, ld(2, b'\x08\x01\x18\x05' + ld(9, b'x')) + ld(14, b'\x08\x03\x10\x09'))
case('wrapperLastWins', W, ld(14, b'\x08\x03\x08\x04') + ld(14, b'\x08\x05'))

T='edgetest.Tree'
case('treeRecursive', T, '{"name":"root","left":{"name":"l","left":{"left":{}}},"children":[{"name":"c1","children":[{"name":"c2"}]},{}],"byName":{"k":{"byName":{"j":{"payload":{"fBool":true}}}}},"payload":{"fInt32":1}}')
case('messageMerge', 'edgetest.Everything', ld(1, b'\x28\x01\x4a\x01a') + ld(1, b'\x28\x02'))
case('messageMergeDeep', T, ld(2, ld(5, b'\x28\x01')) + b'\x0a\x01n' + ld(2, ld(5, b'\x40\x01') + b'\x0a\x01x'))

C='edgetest.CustomNames'
case('customNames', C, '{"plainField":"a","customJson":"b","fieldWith2Digits":3,"LeadingUnderscore":"c"}')
case('customNamesProto', C, '{"plainField":"a","customJson":"b","fieldWith2Digits":3,"LeadingUnderscore":"c"}', preserving_proto_field_name=True)

L='edgetest.legacy.Legacy'
case('legacyDefaultsExplicit', L, b'\x08\x07\x12\x04none\x18\x02\x21' + struct.pack('<d', 0.5) + b'\x38\x01' + ld(8, b'a\x01b'))
case('legacyEmpty', L, b'')
case('legacyEmit', L, b'', always_print_fields_with_no_presence=True)
case('legacyClosedEnumUnknownKeepsLast', L, b'\x18\x01\x18\x09')
case('legacyClosedEnumOnlyUnknown', L, b'\x18\x09')
case('legacyRepeatedPackedAndNot', L, b'\x28\x01\x28\x02\x32\x02\x03\x04' + b'\x2a\x01\x05')
case('legacyInner', L, ld(9, b'\x0a\x01k\x10\x7f'))

E='edgetest.Everything'
case('everything', E, '{"scalars":{"fInt32":1},"repeated":{"rString":["x"]},"optionals":{"oInt32":0},"maps":{"mString":{"a":"b"}},"oneofs":{"sBool":false},"wellKnown":{"wDuration":"1s"},"tree":{"name":"t"},"customNames":{"renamed":"r"},"legacy":{"count":7},"nested":[{"nested":[{}]}]}')
case('everythingEmit', E, '{"nested":[{}]}', always_print_fields_with_no_presence=True)

def swift_str(s):
    out = '"'
    for ch in s:
        o = ord(ch)
        if ch == '\\': out += '\\\\'
        elif ch == '"': out += '\\"'
        elif o < 0x20 or o > 0x7e: out += '\\u{%x}' % o
        else: out += ch
    return out + '"'

METHOD = """    func test_%s() throws {
        try check(
            %s, %s%s,
            %s)
    }
"""
HEADER = """// Generated by Tests/Fixtures/WireToJSONReference.py: wire bytes built with
// Python protobuf and the JSON its json_format.MessageToJson prints for them.
// Do not edit; change the script and re-run it.
import XCTest
import DescriptorLoader
@testable import Transcoder

/// WireToJSON against the reference printer (google.protobuf.json_format),
/// compared as parsed JSON values.
final class WireToJSONReferenceTests: XCTestCase {
    private func check(
        _ type: String, _ hex: String, options: JSONPrintOptions = .defaults, _ expected: String,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let output = try WireToJSONTestSupport.converter().convert(
            WireToJSONTestSupport.bytes(hex: hex), messageType: type, options: options)
        let text = String(decoding: output, as: UTF8.self)
        XCTAssertEqual(WireToJSONTestSupport.parse(text), WireToJSONTestSupport.parse(expected), text, file: file, line: line)
    }

"""
methods = []
for name, typ, hx, opts in cases:
    expected = tojson(typ, bytes.fromhex(hx), **opts)
    o = []
    if opts.get('always_print_fields_with_no_presence'): o.append('emitUnpopulated: true')
    if opts.get('preserving_proto_field_name'): o.append('useProtoNames: true')
    if opts.get('use_integers_for_enums'): o.append('enumsAsInts: true')
    opt = (', options: JSONPrintOptions(%s)' % ', '.join(o)) if o else ''
    methods.append(METHOD % (name, swift_str(typ), swift_str(hx), opt, swift_str(expected)))
open(os.path.join(HERE, '..', 'TranscoderTests', 'WireToJSONReferenceTests.swift'), 'w').write(HEADER + '\n'.join(methods) + '}\n')
print(len(cases), 'cases')
