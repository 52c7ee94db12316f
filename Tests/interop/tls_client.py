#!/usr/bin/env python3
"""One TLS connection to the edge with Python's `ssl`, for the TLS tests. Prints one
JSON object on stdout and exits 0 whatever happened:

  {"ok": true, "version": "TLSv1.3", "alpn": "http/1.1", "subject": {...}, "organization": "...",
   "sans": [["DNS", "a.example.com"], ...], "status": 200, "headers": {...}, "body": "..."}
  {"ok": false, "stage": "handshake" | "request", "error": "..."}

Options: --port N (required), --ca FILE (verify the server against it; the server's
certificate is reported either way), --sni NAME (default: none), --tls 1.2|1.3 (pin the
version), --alpn a,b, --cert FILE --key FILE (a client certificate), --request
"METHOD /path" (an HTTP/1.1 request after the handshake), --read (no request: read
until the server closes and report what it got as "body"; without --request or --read
the client closes after the handshake), --data TEXT (a JSON body), --half-close (after
the request, shut the socket's sending side with a bare TCP FIN, no close_notify: a
"ragged" half-closure, then read the response).
"""
import argparse
import json
import socket
import ssl
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ca")
    parser.add_argument("--sni")
    parser.add_argument("--tls")
    parser.add_argument("--alpn")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--request")
    parser.add_argument("--data")
    parser.add_argument("--read", action="store_true")
    parser.add_argument("--half-close", action="store_true")
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    if args.ca:
        context.load_verify_locations(args.ca)
        context.verify_mode = ssl.CERT_REQUIRED
    else:
        context.verify_mode = ssl.CERT_NONE
    if args.tls == "1.2":
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_2
    elif args.tls == "1.3":
        context.minimum_version = context.maximum_version = ssl.TLSVersion.TLSv1_3
    if args.alpn:
        context.set_alpn_protocols(args.alpn.split(","))
    if args.cert:
        context.load_cert_chain(args.cert, args.key)

    result = {"ok": False}
    raw = socket.create_connection(("127.0.0.1", args.port), timeout=10)
    try:
        try:
            conn = context.wrap_socket(raw, server_hostname=args.sni)
        except (ssl.SSLError, OSError) as error:
            print(json.dumps({"ok": False, "stage": "handshake", "error": str(error)}))
            return
        result["version"] = conn.version()
        result["alpn"] = conn.selected_alpn_protocol()
        der = conn.getpeercert(binary_form=True)
        try:
            from cryptography import x509
            from cryptography.x509.oid import NameOID

            certificate = x509.load_der_x509_certificate(der)
            result["subject"] = certificate.subject.rfc4514_string()
            orgs = certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
            result["organization"] = orgs[0].value if orgs else None
            try:
                sans = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
                result["dns"] = sans.get_values_for_type(x509.DNSName)
            except x509.ExtensionNotFound:
                result["dns"] = []
        except ImportError:
            pass
        if not args.request and not args.read:
            result["ok"] = True
            print(json.dumps(result))
            return
        try:
            if args.request:
                method, path = args.request.split(" ", 1)
                body = (args.data or "").encode()
                head = f"{method} {path} HTTP/1.1\r\nHost: edge.test\r\nConnection: close\r\n"
                if args.data is not None:
                    head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                conn.sendall(head.encode() + b"\r\n" + body)
                if args.half_close:
                    # socket.socket's own shutdown: SSLSocket.shutdown would drop the TLS state.
                    socket.socket.shutdown(conn, socket.SHUT_WR)
            received = b""
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                received += chunk
        except (ssl.SSLError, OSError) as error:
            result.update({"ok": False, "stage": "request", "error": str(error)})
            print(json.dumps(result))
            return
        text = received.decode("utf-8", "replace")
        if args.request:
            if not text:
                result.update({"ok": False, "stage": "request", "error": "connection closed without a response"})
                print(json.dumps(result))
                return
            head, _, body = text.partition("\r\n\r\n")
            lines = head.split("\r\n")
            result["status"] = int(lines[0].split(" ")[1])
            result["headers"] = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
            result["body"] = body
        else:
            result["body"] = text
        result["ok"] = True
        print(json.dumps(result))
    finally:
        raw.close()


if __name__ == "__main__":
    main()
