#!/usr/bin/env python3
"""Writes the certificates and keys the TLS tests use into a folder (argv[1]), with
Python's `cryptography`. Every run makes new keys.

  ca.pem / ca.key              the test CA (signs everything below but other-client)
  a.pem / a.key                server: DNS a.example.com, localhost, IP 127.0.0.1 (RSA 2048)
  a2.pem / a2.key              server: the same names, a new key (a rotation), O=rotated
  b.pem / b.key                server: DNS b.example.com, *.wild.example.com (ECDSA P-256)
  client.pem / client.key      client: CN=alice,O=Example; URI spiffe://example.org/alice, DNS alice.example.org
  other-ca.pem, other-client.pem / other-client.key   a client from a CA the edge does not trust
  backend.pem / backend.key    a gRPC backend: IP 127.0.0.1, DNS localhost
  edge-client.pem / edge-client.key   the edge's client certificate to backends (CN=edge)
  edge-client2.pem / edge-client2.key its replacement (CN=edge-rotated)
"""
import datetime
import ipaddress
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime.now(datetime.timezone.utc)


def name(cn, org=None):
    attributes = []
    if org:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attributes)


def write(folder, stem, certificate, key):
    with open(os.path.join(folder, stem + ".pem"), "wb") as f:
        f.write(certificate.public_bytes(serialization.Encoding.PEM))
    if key is not None:
        with open(os.path.join(folder, stem + ".key"), "wb") as f:
            f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def make_ca(cn):
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name(cn))
        .issuer_name(name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(hours=1))
        .not_valid_after(NOW + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


def issue(ca, ca_key, subject, sans, usage, key):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - datetime.timedelta(hours=1))
        .not_valid_after(NOW + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    )
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


def main():
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    server = ExtendedKeyUsageOID.SERVER_AUTH
    client = ExtendedKeyUsageOID.CLIENT_AUTH
    ca, ca_key = make_ca("edge test CA")
    write(folder, "ca", ca, ca_key)
    local = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]

    for stem, org in (("a", "original"), ("a2", "rotated")):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        write(folder, stem, issue(ca, ca_key, name("a.example.com", org), [x509.DNSName("a.example.com")] + local, server, key), key)

    key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.DNSName("b.example.com"), x509.DNSName("*.wild.example.com")]
    write(folder, "b", issue(ca, ca_key, name("b.example.com"), sans, server, key), key)

    key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.UniformResourceIdentifier("spiffe://example.org/alice"), x509.DNSName("alice.example.org")]
    write(folder, "client", issue(ca, ca_key, name("alice", "Example"), sans, client, key), key)

    other_ca, other_key = make_ca("untrusted CA")
    write(folder, "other-ca", other_ca, None)
    key = ec.generate_private_key(ec.SECP256R1())
    write(folder, "other-client", issue(other_ca, other_key, name("mallory"), [], client, key), key)

    key = ec.generate_private_key(ec.SECP256R1())
    write(folder, "backend", issue(ca, ca_key, name("backend"), local, server, key), key)
    key = ec.generate_private_key(ec.SECP256R1())
    write(folder, "edge-client", issue(ca, ca_key, name("edge", "Gateway"), [x509.DNSName("edge.internal")], client, key), key)
    key = ec.generate_private_key(ec.SECP256R1())
    write(folder, "edge-client2", issue(ca, ca_key, name("edge-rotated", "Gateway"), [x509.DNSName("edge.internal")], client, key), key)


if __name__ == "__main__":
    main()
