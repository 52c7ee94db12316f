import NIOCore
import NIOHTTP1
import XCTest

@testable import Edge
@testable import EdgeConfig
@testable import EdgeCore
@testable import EdgePolicy

final class IPRangeTests: XCTestCase {
    func testAddressesParseAndPrint() throws {
        XCTAssertEqual(IPAddress("192.0.2.1")?.description, "192.0.2.1")
        XCTAssertEqual(IPAddress("2001:db8::1")?.description, "2001:db8::1")
        XCTAssertEqual(IPAddress("[2001:db8:0:0:1:0:0:1]")?.description, "2001:db8::1:0:0:1")
        XCTAssertEqual(IPAddress("::1")?.description, "::1")
        // IPv4-mapped IPv6 is the IPv4 address.
        XCTAssertEqual(IPAddress("::ffff:192.0.2.1"), IPAddress("192.0.2.1"))
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.-4", "2001:db8:::1", "1::2::3", "g::1", "1:2:3:4:5:6:7:8:9", "x"] {
            XCTAssertNil(IPAddress(bad), bad)
        }
    }

    func testRangesContainTheirAddressesOnly() throws {
        let v4 = try XCTUnwrap(IPRange("10.0.0.0/8"))
        XCTAssertTrue(v4.contains(try XCTUnwrap(IPAddress("10.255.1.2"))))
        XCTAssertFalse(v4.contains(try XCTUnwrap(IPAddress("11.0.0.1"))))
        XCTAssertTrue(v4.contains(try XCTUnwrap(IPAddress("::ffff:10.1.1.1"))))
        let single = try XCTUnwrap(IPRange("192.0.2.7"))
        XCTAssertTrue(single.contains(try XCTUnwrap(IPAddress("192.0.2.7"))))
        XCTAssertFalse(single.contains(try XCTUnwrap(IPAddress("192.0.2.8"))))
        let v6 = try XCTUnwrap(IPRange("2001:db8::/32"))
        XCTAssertTrue(v6.contains(try XCTUnwrap(IPAddress("2001:db8:ffff::1"))))
        XCTAssertFalse(v6.contains(try XCTUnwrap(IPAddress("2001:db9::1"))))
        XCTAssertFalse(v6.contains(try XCTUnwrap(IPAddress("10.0.0.1"))))
        let all = try XCTUnwrap(IPRange("0.0.0.0/0"))
        XCTAssertTrue(all.contains(try XCTUnwrap(IPAddress("203.0.113.9"))))
        XCTAssertFalse(all.contains(try XCTUnwrap(IPAddress("2001:db8::1"))))
        for bad in ["10.0.0.0/33", "10.0.0.0/", "::/129", "10.0.0.0/-1", "nope/8", "10.0.0.0/8/8"] {
            XCTAssertNil(IPRange(bad), bad)
        }
    }

    func testClientAddressComesFromTrustedProxiesOnly() throws {
        let peer = try XCTUnwrap(IPAddress("10.0.0.5"))
        var headers = HTTPHeaders([("x-forwarded-for", "203.0.113.9, 10.0.0.9")])
        // Nobody trusted: the socket's peer, whatever the header says.
        XCTAssertEqual(ClientAddressResolver().resolve(peer: peer, headers: headers), peer)
        let resolver = ClientAddressResolver(trustedProxies: [try XCTUnwrap(IPRange("10.0.0.0/8"))])
        // Both proxies trusted: the first untrusted address from the right.
        XCTAssertEqual(resolver.resolve(peer: peer, headers: headers), IPAddress("203.0.113.9"))
        // A client that forges entries left of the trusted ones does not get past the first untrusted one.
        headers = HTTPHeaders([("x-forwarded-for", "1.1.1.1, 198.51.100.2, 10.0.0.9")])
        XCTAssertEqual(resolver.resolve(peer: peer, headers: headers), IPAddress("198.51.100.2"))
        // An untrusted peer's header is ignored.
        let outsider = try XCTUnwrap(IPAddress("198.51.100.7"))
        XCTAssertEqual(resolver.resolve(peer: outsider, headers: headers), outsider)
        // Garbage stops the walk at the proxy that sent it.
        headers = HTTPHeaders([("x-forwarded-for", "not-an-ip")])
        XCTAssertEqual(resolver.resolve(peer: peer, headers: headers), peer)
        // Several header lines, ports and brackets.
        headers = HTTPHeaders([("x-forwarded-for", "203.0.113.1:4711"), ("x-forwarded-for", "[2001:db8::2]:80")])
        XCTAssertEqual(resolver.resolve(peer: peer, headers: headers), IPAddress("2001:db8::2"))
    }

    func testIPRulesDenyWinsAndAllowListsAreExclusive() throws {
        let policy = IPRulesPolicy(levels: [
            IPRulesConfig(allow: [try XCTUnwrap(IPRange("192.0.2.0/24"))], deny: [try XCTUnwrap(IPRange("192.0.2.66"))]),
        ])
        func verdict(_ address: String) -> Bool {
            var exchange = PolicyExchange(
                head: HTTPRequestHead(version: .http1_1, method: .GET, uri: "/"), connection: ConnectionInfo(remoteAddress: IPAddress(address)),
                route: nil, requestID: "r")
            if case .proceed = policy.evaluate(&exchange) { return true }
            return false
        }
        XCTAssertTrue(verdict("192.0.2.1"))
        XCTAssertFalse(verdict("192.0.2.66"))
        XCTAssertFalse(verdict("198.51.100.1"))
    }
}
