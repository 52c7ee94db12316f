"""JSON inputs beyond the generated messages: hand-written classics that must be
rejected, hand-written edge cases that are valid, and random mutations of valid
messages. Every input is for edgetest.Everything and fits on one line."""

import json
import random

S = '{"scalars":{%s}}'
R = '{"repeated":{%s}}'
M = '{"maps":{%s}}'
W = '{"wellKnown":{%s}}'
O = '{"oneofs":{%s}}'


def nest(depth, leaf='{}'):
    """An Everything whose tree goes `depth` levels down through `left`."""
    return '{"tree":' + '{"left":' * (depth - 1) + leaf + '}' * (depth - 1) + '}'


def value_nest(depth):
    return W % ('"wValue":' + '[' * depth + ']' * depth)


# Inputs the proto3 JSON mapping rejects. (label, text or bytes)
MUST_REJECT = [
    # wrong JSON types
    ("int32 from string", S % '"fInt32":"abc"'), ("int32 from bool", S % '"fInt32":true'),
    ("int32 from array", S % '"fInt32":[1]'), ("int32 from object", S % '"fInt32":{}'),
    ("int32 fraction", S % '"fInt32":1.5'), ("int32 fraction string", S % '"fInt32":"1.5"'),
    ("int32 empty string", S % '"fInt32":""'), ("int32 space", S % '"fInt32":" 1"'),
    ("int32 trailing space", S % '"fInt32":"1 "'), ("int32 hex", S % '"fInt32":"0x10"'),
    ("int32 NaN", S % '"fInt32":"NaN"'), ("int32 Infinity", S % '"fInt32":"Infinity"'),
    ("int32 exponent incomplete", S % '"fInt32":"1e"'), ("int32 double sign", S % '"fInt32":"--1"'),
    ("int32 above max", S % '"fInt32":2147483648'), ("int32 below min", S % '"fInt32":-2147483649'),
    ("int32 above max string", S % '"fInt32":"2147483648"'), ("int32 1e10", S % '"fInt32":1e10'),
    ("uint32 negative", S % '"fUint32":-1'), ("uint32 above max", S % '"fUint32":4294967296'),
    ("fixed32 negative", S % '"fFixed32":-1'), ("sfixed32 above max", S % '"fSfixed32":2147483648'),
    ("sint32 below min", S % '"fSint32":-2147483649'),
    ("int64 above max", S % '"fInt64":"9223372036854775808"'),
    ("int64 below min", S % '"fInt64":"-9223372036854775809"'),
    ("int64 number above max", S % '"fInt64":9223372036854775808'),
    ("int64 fraction", S % '"fInt64":"1.5"'), ("int64 garbage", S % '"fInt64":"12abc"'),
    ("int64 from bool", S % '"fInt64":false'), ("int64 from object", S % '"fInt64":{}'),
    ("uint64 above max", S % '"fUint64":"18446744073709551616"'), ("uint64 negative", S % '"fUint64":"-1"'),
    ("fixed64 negative", S % '"fFixed64":-1'), ("sfixed64 above max", S % '"fSfixed64":"9223372036854775808"'),
    ("sint64 below min", S % '"fSint64":"-9223372036854775809"'),
    ("double from bool", S % '"fDouble":true'), ("double from array", S % '"fDouble":[]'),
    ("double from object", S % '"fDouble":{}'), ("double garbage", S % '"fDouble":"abc"'),
    ("double lowercase nan", S % '"fDouble":"nan"'), ("double overflow", S % '"fDouble":1e400'),
    ("double negative overflow", S % '"fDouble":-1e400'), ("double empty string", S % '"fDouble":""'),
    ("float above max", S % '"fFloat":3.5e38'), ("float below min", S % '"fFloat":-3.5e38'),
    ("float 1e39", S % '"fFloat":1e39'),
    ("bool from string", S % '"fBool":"true"'), ("bool from number", S % '"fBool":1'),
    ("bool from zero", S % '"fBool":0'), ("bool from array", S % '"fBool":[]'),
    ("string from number", S % '"fString":1'), ("string from bool", S % '"fString":true'),
    ("string from array", S % '"fString":[]'), ("string from object", S % '"fString":{}'),
    ("bytes from number", S % '"fBytes":1'), ("bytes from array", S % '"fBytes":[]'),
    ("bytes bad char", S % '"fBytes":"ab$d"'), ("bytes bad length", S % '"fBytes":"abcde"'),
    ("enum unknown name", S % '"fEnum":"COLOR_PURPLE"'), ("enum wrong case", S % '"fEnum":"color_red"'),
    ("enum fraction", S % '"fEnum":1.5'), ("enum from bool", S % '"fEnum":true'),
    ("enum empty string", S % '"fEnum":""'), ("enum from array", S % '"fEnum":[]'),
    ("enum above int32", S % '"fEnum":2147483648'),
    ("closed enum unknown number", '{"legacy":{"level":5}}'),
    ("closed enum unknown name", '{"legacy":{"level":"LEVEL_MEDIUM"}}'),
    ("unknown extension", '{"legacy":{"[edgetest.legacy.nope]":1}}'),
    ("extension by its short name", '{"legacy":{"[ext_count]":1}}'),
    ("extension without brackets", '{"legacy":{"edgetest.legacy.ext_count":1}}'),
    ("extension of another message", '{"scalars":{"[edgetest.legacy.ext_count]":1}}'),
    ("extension wrong type", '{"legacy":{"[edgetest.legacy.ext_inner]":1}}'),
    ("extension given twice", '{"legacy":{"[edgetest.legacy.ext_count]":1,"[edgetest.legacy.ext_count]":2}}'),
    # unknown and duplicate fields
    ("unknown top-level field", '{"nope":1}'), ("unknown nested field", S % '"nope":1'),
    ("unknown near-miss field", S % '"fint32":1'), ("unknown null field", '{"nope":null}'),
    ("duplicate key", S % '"fInt32":1,"fInt32":2'), ("duplicate json+proto name", S % '"fInt32":1,"f_int32":2'),
    ("duplicate proto+json name", S % '"f_string":"a","fString":"b"'),
    ("duplicate message field", '{"scalars":{},"scalars":{}}'),
    ("duplicate custom json name", '{"customNames":{"customJson":"a","renamed":"b"}}'),
    ("duplicate top-level json+proto", '{"wellKnown":{},"well_known":{}}'),
    ("two oneof members", O % '"oString":"a","oInt32":1'),
    ("two oneof members json+proto", O % '"oString":"a","o_int32":1'),
    ("two oneof members second", O % '"sInt64":"1","sBool":true'),
    ("two oneof message members", O % '"oMessage":{},"oWrapper":1'),
    # strings and UTF-8
    ("lone high surrogate", S % '"fString":"\\ud800"'), ("lone low surrogate", S % '"fString":"\\udc00"'),
    ("high surrogate then letter", S % '"fString":"\\ud800\\u0041"'),
    ("two high surrogates", S % '"fString":"\\ud800\\ud800"'), ("reversed surrogates", S % '"fString":"\\udc00\\ud800"'),
    ("lone surrogate in key", M % '"mString":{"\\ud800":"a"}'),
    ("raw invalid UTF-8", b'{"scalars":{"fString":"\xff"}}'), ("overlong UTF-8", b'{"scalars":{"fString":"\xc0\xaf"}}'),
    ("truncated UTF-8", b'{"scalars":{"fString":"\xe2\x82"}}'), ("UTF-8 surrogate", b'{"scalars":{"fString":"\xed\xa0\x80"}}'),
    ("UTF-8 above U+10FFFF", b'{"scalars":{"fString":"\xf4\x90\x80\x80"}}'),
    ("invalid UTF-8 in key", b'{"scalars":{"\xfffString":"a"}}'),
    ("raw control char in string", S % '"fString":"a\x01b"'), ("raw tab in string", S % '"fString":"a\tb"'),
    ("bad escape", S % '"fString":"\\x41"'), ("short unicode escape", S % '"fString":"\\u12"'),
    ("bad unicode escape", S % '"fString":"\\u12G4"'), ("unterminated string", S % '"fString":"abc'),
    # malformed JSON
    ("empty input", ""), ("only whitespace", "  \t "), ("open brace", "{"), ("close brace", "}"),
    ("top-level array", "[]"), ("top-level number", "1"), ("top-level string", '"x"'), ("top-level true", "true"),
    ("member without value", '{"scalars"}'), ("missing value", '{"scalars":}'), ("trailing comma", S % '"fInt32":1,'),
    ("trailing comma top", '{"scalars":{},}'), ("leading comma", '{,"scalars":{}}'), ("single quotes", "{'scalars':{}}"),
    ("unquoted key", "{scalars:{}}"), ("leading zero", S % '"fInt32":01'), ("lone minus", S % '"fInt32":-'),
    ("leading dot", S % '"fDouble":.5'), ("trailing dot", S % '"fDouble":1.'), ("plus sign", S % '"fDouble":+1'),
    ("exponent without digits", S % '"fDouble":1e'), ("two documents", "{}{}"), ("trailing garbage", "{} x"),
    ("comment", "/* c */{}"), ("line comment", "{} // c"), ("Python True", S % '"fBool":True'),
    ("truncated true", S % '"fBool":tru'), ("truncated null", S % '"fString":nul'),
    ("bare NaN token", S % '"fDouble":NaN'), ("bare Infinity token", S % '"fDouble":Infinity'),
    ("bare NaN in Value", W % '"wValue":NaN'), ("bare -Infinity in Struct", W % '"wStruct":{"a":-Infinity}'),
    ("missing colon", '{"scalars" {}}'), ("missing comma", S % '"fInt32":1 "fInt64":"2"'),
    ("unclosed array", R % '"rInt32":[1,2'), ("array trailing comma", R % '"rInt32":[1,2,]'),
    ("byte order mark", "\ufeff{}"), ("NUL after document", "{}\x00"), ("hex number", S % '"fInt32":0x10'),
    # nesting
    ("messages nested 101 deep", nest(100)), ("messages nested 150 deep", nest(150)),
    ("messages nested 2000 deep", nest(2000)), ("Value lists nested 150 deep", value_nest(150)),
    ("Value lists nested 5000 deep", value_nest(5000)),
    ("Struct nested 150 deep", W % ('"wStruct":' + '{"a":' * 150 + '1' + '}' * 150)),
    # null where not allowed, wrong shapes
    ("null in repeated int32", R % '"rInt32":[1,null]'), ("null in repeated message", R % '"rMessage":[null]'),
    ("null in repeated Timestamp", W % '"rTimestamp":[null]'), ("null map value", M % '"mString":{"a":null}'),
    ("null map message value", M % '"mMessage":{"a":null}'),
    ("repeated from scalar", R % '"rInt32":1'), ("repeated from object", R % '"rInt32":{}'),
    ("nested array in repeated", R % '"rInt32":[[1]]'), ("map from array", M % '"mString":[]'),
    ("map from string", M % '"mString":"a"'), ("message from number", '{"scalars":1}'),
    ("message from string", '{"scalars":"x"}'), ("message from array", '{"scalars":[]}'),
    ("repeated message from object", '{"nested":{}}'), ("repeated message of numbers", '{"nested":[1]}'),
    ("map value wrong type", M % '"mString":{"a":1}'), ("map enum unknown name", M % '"mEnum":{"a":"NOPE"}'),
    ("map int32 key not a number", M % '"mInt32":{"x":"a"}'), ("map int32 key too big", M % '"mInt32":{"2147483648":"a"}'),
    ("map uint32 key negative", M % '"mUint32":{"-1":"a"}'), ("map int64 key fraction", M % '"mInt64":{"1.5":"a"}'),
    ("map int32 key space", M % '"mInt32":{" 1":"a"}'), ("map int32 key empty", M % '"mInt32":{"":"a"}'),
    ("map bool key yes", M % '"mBool":{"yes":"a"}'), ("map bool key True", M % '"mBool":{"True":"a"}'),
    ("map bool key 1", M % '"mBool":{"1":"a"}'), ("map uint64 key too big", M % '"mUint64":{"18446744073709551616":"a"}'),
    ("map duplicate key", M % '"mString":{"a":"1","a":"2"}'), ("map duplicate int key", M % '"mInt32":{"1":"a","1":"b"}'),
    # well-known types
    ("timestamp date only", W % '"wTimestamp":"2020-01-01"'), ("timestamp no zone", W % '"wTimestamp":"2020-01-01T00:00:00"'),
    ("timestamp month 13", W % '"wTimestamp":"2020-13-01T00:00:00Z"'), ("timestamp day 32", W % '"wTimestamp":"2020-01-32T00:00:00Z"'),
    ("timestamp hour 25", W % '"wTimestamp":"2020-01-01T25:00:00Z"'), ("timestamp year 10000", W % '"wTimestamp":"10000-01-01T00:00:00Z"'),
    ("timestamp year 0", W % '"wTimestamp":"0000-12-31T23:59:59Z"'),
    ("timestamp 10 fraction digits", W % '"wTimestamp":"2020-01-01T00:00:00.1234567890Z"'),
    ("timestamp space separator", W % '"wTimestamp":"2020-01-01 00:00:00Z"'), ("timestamp number", W % '"wTimestamp":0'),
    ("timestamp offset hour 25", W % '"wTimestamp":"2020-01-01T00:00:00+25:00"'), ("timestamp empty", W % '"wTimestamp":""'),
    ("timestamp object", W % '"wTimestamp":{"seconds":1}'), ("timestamp Feb 30", W % '"wTimestamp":"2021-02-30T00:00:00Z"'),
    ("timestamp empty fraction", W % '"wTimestamp":"2020-01-01T00:00:00.Z"'),
    ("timestamp garbage after", W % '"wTimestamp":"2020-01-01T00:00:00Zjunk"'),
    ("duration without unit", W % '"wDuration":"1"'), ("duration minutes", W % '"wDuration":"1m"'),
    ("duration only unit", W % '"wDuration":"s"'), ("duration above max", W % '"wDuration":"315576000001s"'),
    ("duration below min", W % '"wDuration":"-315576000001s"'), ("duration 10 fraction digits", W % '"wDuration":"1.0000000001s"'),
    ("duration space", W % '"wDuration":"1 s"'), ("duration number", W % '"wDuration":1'),
    ("duration double minus", W % '"wDuration":"--1s"'), ("duration exponent", W % '"wDuration":"1e3s"'),
    ("duration object", W % '"wDuration":{"seconds":1}'), ("duration empty", W % '"wDuration":""'),
    ("field mask number", W % '"wFieldMask":1'), ("field mask array", W % '"wFieldMask":["a"]'),
    ("field mask snake case", W % '"wFieldMask":"foo_bar"'),
    ("any unknown type", W % '"wAny":{"@type":"type.googleapis.com/nope.Nope"}'),
    ("any without type", W % '"wAny":{"fInt32":1}'), ("any type not string", W % '"wAny":{"@type":1}'),
    ("any type without slash", W % '"wAny":{"@type":"edgetest.Scalars"}'),
    ("any bad WKT value", W % '"wAny":{"@type":"type.googleapis.com/google.protobuf.Duration","value":"bad"}'),
    ("any WKT without value", W % '"wAny":{"@type":"type.googleapis.com/google.protobuf.Duration"}'),
    ("any unknown field", W % '"wAny":{"@type":"type.googleapis.com/edgetest.Scalars","nope":1}'),
    ("any bad field value", W % '"wAny":{"@type":"type.googleapis.com/edgetest.Scalars","fInt32":"x"}'),
    ("any from array", W % '"wAny":[]'), ("any from string", W % '"wAny":"x"'),
    ("wrapper from object", W % '"wInt32Value":{"value":1}'), ("wrapper wrong type", W % '"wInt32Value":"x"'),
    ("bool wrapper from string", W % '"wBoolValue":"true"'), ("int64 wrapper above max", W % '"wInt64Value":"9223372036854775808"'),
    ("uint32 wrapper negative", W % '"wUint32Value":-1'), ("bytes wrapper bad base64", W % '"wBytesValue":"a$"'),
    ("float wrapper above max", W % '"wFloatValue":1e39'), ("string wrapper number", W % '"wStringValue":1'),
    ("struct from array", W % '"wStruct":[]'), ("struct from number", W % '"wStruct":1'),
    ("struct from string", W % '"wStruct":"x"'), ("list value from object", W % '"wListValue":{}'),
    ("list value from number", W % '"wListValue":1'), ("null value from string", W % '"wNullValue":"NOT_NULL"'),
    ("null value from object", W % '"wNullValue":{}'), ("empty with field", W % '"wEmpty":{"a":1}'),
    ("empty from array", W % '"wEmpty":[]'), ("repeated Any null", W % '"rAny":[null]'),
    ("repeated wrapper null", W % '"rInt32Value":[null]'),
    ("legacy inner wrong type", '{"legacy":{"inner":{"amount":"x"}}}'),
    ("legacy count from string garbage", '{"legacy":{"count":"seven"}}'),
    ("oneof wrapper from object", O % '"oWrapper":{"value":1}'), ("oneof null from string", O % '"oNull":"x"'),
]

# Inputs the mapping accepts: edge must produce what the reference produces.
VALID = [
    ("int32 from string", S % '"fInt32":"123"'), ("int32 exponent", S % '"fInt32":1e2'), ("int32 1.0", S % '"fInt32":1.0'),
    ("int32 negative zero", S % '"fInt32":-0'), ("int32 min string", S % '"fInt32":"-2147483648"'),
    ("int32 max", S % '"fInt32":2147483647'), ("uint32 max", S % '"fUint32":4294967295'),
    ("int64 from number", S % '"fInt64":123'), ("int64 min", S % '"fInt64":"-9223372036854775808"'),
    ("int64 max", S % '"fInt64":"9223372036854775807"'), ("uint64 max", S % '"fUint64":"18446744073709551615"'),
    ("int64 2^53+1 string", S % '"fInt64":"9007199254740993"'), ("sint64 number", S % '"fSint64":-9007199254740991'),
    ("fixed64 string", S % '"fFixed64":"18446744073709551615"'), ("sfixed64 min", S % '"fSfixed64":"-9223372036854775808"'),
    ("double NaN", S % '"fDouble":"NaN"'), ("double Infinity", S % '"fDouble":"Infinity"'),
    ("double -Infinity", S % '"fDouble":"-Infinity"'), ("double from string", S % '"fDouble":"1.5"'),
    ("double from exponent string", S % '"fDouble":"-2.5e-3"'), ("double max", S % '"fDouble":1.7976931348623157e308'),
    ("double min subnormal", S % '"fDouble":5e-324'), ("double negative zero", S % '"fDouble":-0.0'),
    ("double integer", S % '"fDouble":3'), ("double exponent E", S % '"fDouble":1E5'),
    ("float max as printed", S % '"fFloat":3.4028235e38'), ("float NaN", S % '"fFloat":"NaN"'),
    ("float -Infinity", S % '"fFloat":"-Infinity"'), ("float underflow", S % '"fFloat":1e-46'),
    ("float rounding", S % '"fFloat":0.1'), ("float min subnormal", S % '"fFloat":1.4e-45'),
    ("bool true", S % '"fBool":true'), ("bool false", S % '"fBool":false'),
    ("nulls for scalars", S % '"fInt32":null,"fString":null,"fDouble":null,"fEnum":null,"fBytes":null'),
    ("null message", '{"scalars":null}'), ("null repeated", R % '"rInt32":null'), ("null map", M % '"mString":null'),
    ("empty object", "{}"), ("empty nested objects", '{"scalars":{},"repeated":{},"maps":{}}'),
    ("bytes standard", S % '"fBytes":"YWI="'), ("bytes unpadded", S % '"fBytes":"YQ"'),
    ("bytes url-safe", S % '"fBytes":"-_8="'), ("bytes empty", S % '"fBytes":""'),
    ("enum by number", S % '"fEnum":1'), ("enum negative name", S % '"fEnum":"COLOR_BLUE"'),
    ("enum unknown number (open)", S % '"fEnum":99'), ("enum negative number", S % '"fEnum":-3'),
    ("closed enum by number", '{"legacy":{"level":1}}'), ("repeated enum mixed", R % '"rEnum":["COLOR_RED",2,"COLOR_BLUE",42]'),
    ("proto names", S % '"f_int32":1,"f_string":"a","f_enum":"COLOR_RED"'),
    ("custom json name", '{"customNames":{"customJson":"x"}}'), ("custom proto name", '{"customNames":{"renamed":"x"}}'),
    ("digits in name", '{"customNames":{"fieldWith2Digits":5}}'), ("digits proto name", '{"customNames":{"field_with_2_digits":5}}'),
    ("leading underscore proto name", '{"customNames":{"_leading_underscore":"u"}}'),
    ("leading underscore json name", '{"customNames":{"LeadingUnderscore":"u"}}'),
    ("whitespace everywhere", ' \t{ "scalars" :\t{ "fInt32" : 1 ,"fBool":\rtrue } }\r '),
    ("escapes", S % '"fString":"\\u00e9\\ud83d\\ude00\\n\\/\\"\\\\\\b\\f\\r\\t"'),
    ("escaped key", S % '"\\u0066Int32":7'), ("raw UTF-8", S % '"fString":"h\u00e9llo \U0001F600"'),
    ("U+2028 raw", S % '"fString":"\u2028"'), ("DEL raw", S % '"fString":"\x7f"'),
    ("map keys", M % '"mBool":{"true":"a","false":"b"},"mInt64":{"-9223372036854775808":"a"},"mUint64":{"18446744073709551615":"b"},"mInt32":{"-1":"c"}'),
    ("map sint and fixed keys", M % '"mSint32":{"-2147483648":"a"},"mFixed64":{"0":"b"},"mSfixed64":{"-1":"c"}'),
    ("map enum and message values", M % '"mEnum":{"a":"COLOR_GREEN","b":5},"mMessage":{"x":{"fInt32":1}}'),
    ("map value and timestamp", M % '"mValue":{"a":null,"b":[1,"x"]},"mTimestamp":{"t":"1970-01-01T00:00:00Z"}'),
    ("map empty key", M % '"mString":{"":""}'),
    ("oneof one member", O % '"oString":""'), ("oneof null member", O % '"oNull":null'),
    ("oneof wrapper zero", O % '"oWrapper":0'), ("oneofs both groups", O % '"oEnum":"COLOR_RED","sBool":false'),
    ("timestamp offset", W % '"wTimestamp":"2020-01-01T00:00:00+01:00"'),
    ("timestamp negative offset", W % '"wTimestamp":"2020-01-01T00:00:00-08:30"'),
    ("timestamp 9 digits", W % '"wTimestamp":"2020-02-29T23:59:59.123456789Z"'),
    ("timestamp 1 digit", W % '"wTimestamp":"2020-02-29T23:59:59.5Z"'),
    ("timestamp min", W % '"wTimestamp":"0001-01-01T00:00:00Z"'),
    ("timestamp max", W % '"wTimestamp":"9999-12-31T23:59:59.999999999Z"'),
    ("duration negative fraction", W % '"wDuration":"-0.5s"'), ("duration zero", W % '"wDuration":"0s"'),
    ("duration max", W % '"wDuration":"315576000000s"'), ("duration 9 digits", W % '"wDuration":"1.000000001s"'),
    ("field mask", W % '"wFieldMask":"fooBar,baz.quxQuux"'), ("field mask empty", W % '"wFieldMask":""'),
    ("any WKT", W % '"wAny":{"@type":"type.googleapis.com/google.protobuf.Duration","value":"1.5s"}'),
    ("any message", W % '"wAny":{"@type":"type.googleapis.com/edgetest.Scalars","fInt32":1}'),
    ("any type last", W % '"wAny":{"fInt32":1,"@type":"type.googleapis.com/edgetest.Scalars"}'),
    ("any empty", W % '"wAny":{}'), ("any of any", W % '"wAny":{"@type":"type.googleapis.com/google.protobuf.Any","value":{"@type":"type.googleapis.com/google.protobuf.Int32Value","value":5}}'),
    ("any of struct", W % '"wAny":{"@type":"type.googleapis.com/google.protobuf.Struct","value":{"a":[1,null]}}'),
    ("any of empty", W % '"wAny":{"@type":"type.googleapis.com/google.protobuf.Empty"}'),
    ("any of empty with value", W % '"wAny":{"@type":"type.googleapis.com/google.protobuf.Empty","value":{}}'),
    ("any other host", W % '"wAny":{"@type":"example.com/edgetest.Scalars","fBool":true}'),
    ("struct nested", W % '"wStruct":{"a":{"b":[1,2.5,"x",true,null,{}]}}'), ("value null", W % '"wValue":null'),
    ("value number", W % '"wValue":-0.0'), ("value big integer", W % '"wValue":18446744073709551616'),
    ("list value", W % '"wListValue":[[],{},null]'), ("null value", W % '"wNullValue":null'),
    ("null in repeated Value", W % '"rValue":[null,1]'), ("empty", W % '"wEmpty":{}'),
    ("wrappers", W % '"wInt32Value":0,"wBoolValue":false,"wStringValue":"","wBytesValue":"","wUint64Value":"18446744073709551615","wDoubleValue":"NaN","wFloatValue":"Infinity"'),
    ("wrapper null", W % '"wInt32Value":null'), ("wrapper int64 number", W % '"wInt64Value":5'),
    ("legacy defaults", '{"legacy":{"count":7,"label":"none","level":"LEVEL_HIGH","ratio":0.5,"flag":true,"blob":"YQFi"}}'),
    ("legacy required missing", '{"legacy":{"inner":{"amount":"1"}}}'),
    ("extensions", '{"legacy":{"count":1,"[edgetest.legacy.ext_count]":2,"[edgetest.legacy.ext_label]":"x",'
     '"[edgetest.legacy.ext_values]":[1,2],"[edgetest.legacy.ext_inner]":{"key":"k"},"[edgetest.legacy.ext_level]":"LEVEL_LOW"}}'),
    ("extension in a message scope", '{"legacy":{"[edgetest.legacy.Holder.ext_flag]":false,'
     '"[edgetest.legacy.Holder.ext_holders]":[{"note":"a"},{}]}}'),
    ("extension at its default", '{"legacy":{"[edgetest.legacy.ext_label]":"ext","[edgetest.legacy.ext_count]":0}}'),
    ("extension null", '{"legacy":{"[edgetest.legacy.ext_count]":null}}'),
    ("extension inside Any", W % '"wAny":{"@type":"type.googleapis.com/edgetest.legacy.Legacy","[edgetest.legacy.ext_count]":3}'),
    ("nested everything", '{"nested":[{"nested":[{}]},{}]}'),
    ("messages nested 50 deep", nest(50)), ("messages nested 98 deep", nest(98)),
    ("messages nested 99 deep", nest(99)), ("Value lists nested 50 deep", value_nest(50)),
    ("Value lists nested 97 deep", value_nest(97)), ("Value lists nested 99 deep", value_nest(99)),
    # Levels count messages: Everything 1, WellKnown 2, Value 3, then a ListValue (and its Values) per array.
    ("Value lists nested 48 deep", value_nest(48)), ("Value lists nested 49 deep", value_nest(49)),
    ("messages nested 100 deep", nest(100)),
    # (Struct nested 49 deep is accepted, but its wire form is too deep for upb, which
    # counts map entries too, to read back for the comparison.)
    ("Struct nested 50 deep", W % ('"wStruct":' + '{"a":' * 50 + '1' + '}' * 50)),
    ("repeated messages nested 99 deep", '{"tree":' + '{"children":[' * 98 + '{}' + ']}' * 98 + '}'),
    ("repeated messages nested 100 deep", '{"tree":' + '{"children":[' * 99 + '{}' + ']}' * 99 + '}'),
]

# With --ignore-unknown-fields.
IGNORE_UNKNOWN = [
    ("unknown field", '{"nope":1,"scalars":{"fInt32":1}}'), ("unknown nested", S % '"nope":{"a":[1,{"b":null}]},"fBool":true'),
    ("unknown enum name", S % '"fEnum":"COLOR_PURPLE"'), ("unknown enum in repeated", R % '"rEnum":["COLOR_RED","NOPE",2]'),
    ("unknown enum in map", M % '"mEnum":{"a":"NOPE","b":"COLOR_RED"}'), ("unknown closed enum name", '{"legacy":{"level":"NOPE"}}'),
    ("unknown in any", W % '"wAny":{"@type":"type.googleapis.com/edgetest.Scalars","nope":1}'),
    ("still rejects wrong type", S % '"fInt32":"x"'), ("still rejects malformed", '{"nope":}'),
    ("still rejects duplicates", S % '"fInt32":1,"f_int32":1'),
]

# With --max-depth 5 (nesting of messages through `left`; Everything is level 1).
MAX_DEPTH_5 = [("depth %d" % d, nest(d - 1) if d > 1 else "{}") for d in range(1, 9)]


def mutations(rng, valid_jsons, wanted, rejects):
    """Random mutations of valid JSON texts; `rejects(text)` tells whether the
    reference rejects one. Returns up to `wanted` (label, text) the reference rejects."""
    out = []
    tries = 0
    while len(out) < wanted and tries < wanted * 20:
        tries += 1
        text = rng.choice(valid_jsons)
        kind = rng.randint(0, 5)
        if kind <= 2:
            mutated, label = structural(rng, json.loads(text))
            if mutated is None:
                continue
            mutated = json.dumps(mutated, ensure_ascii=rng.random() < 0.5)
        elif kind == 3:
            cut = rng.randint(0, max(0, len(text) - 1))
            mutated, label = text[:cut], "truncated at %d" % cut
        elif kind == 4:
            at = rng.randint(0, len(text))
            ch = rng.choice('{}[],:"\\x0-.eE ')
            mutated, label = text[:at] + ch + text[at:], "inserted %r at %d" % (ch, at)
        else:
            at = rng.randint(0, max(0, len(text) - 1))
            mutated, label = text[:at] + text[at + 1:], "deleted char %d" % at
        if "\n" in mutated or not rejects(mutated):
            continue
        out.append(("mutation: " + label, mutated))
    return out


BAD_VALUES = ["x", 1.5, -1, 2**64, True, [], {}, [None], "NaN", {"nope": 1}, "2020-13-01T00:00:00Z", 1e300, ""]


def structural(rng, obj):
    """Replaces one value somewhere in obj, or adds an unknown key to one object."""
    spots = []

    def walk(node, parent, key):
        spots.append((parent, key, node))
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, node, k)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, node, i)

    walk(obj, None, None)
    parent, key, node = rng.choice(spots)
    if parent is None:
        return None, None
    if isinstance(node, dict) and rng.random() < 0.3:
        node["zzUnknown"] = 1
        return obj, "unknown key at %r" % key
    bad = rng.choice(BAD_VALUES)
    parent[key] = bad
    return obj, "%r replaced by %r" % (key, bad)
