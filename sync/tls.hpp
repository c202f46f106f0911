// The collector's TLS identity: a self-signed certificate and key made on first start, and the pin of its public
// key that devices check instead of a CA.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "model/error.hpp"

namespace tsunagi::sync {

struct TlsIdentity {
  std::string certificate_pem;
  std::string private_key_pem;
};

// How long the collector's own certificate is valid, and how long before its end it is issued again (for the same
// key, so that the pin devices hold stays right).
constexpr int kCertificateDays = 730;
constexpr int kRenewBeforeDays = 90;

// A new key (ECDSA P-256) and a self-signed X.509 certificate for `hosts` (DNS names and IP addresses, all put in
// subjectAltName; the first is also the CN), valid for `days`.
Result<TlsIdentity> generate_self_signed(const std::vector<std::string>& hosts, int days = kCertificateDays);

// Whole days until the certificate's notAfter (negative once it has passed).
Result<int> days_until_expiry(const std::string& certificate_pem);

// "sha256//<base64>" of the SHA-256 of the certificate's SubjectPublicKeyInfo (DER): the form libcurl's
// CURLOPT_PINNEDPUBLICKEY takes.
Result<std::string> public_key_pin(const std::string& certificate_pem);

// Loads cert.pem and key.pem from `folder`, or, when neither exists, makes them (key mode 0600, written atomically)
// for localhost, 127.0.0.1, ::1 and this machine's host name. `created` says which happened. A self-signed
// cert.pem with less than kRenewBeforeDays left is issued again for the same key (its pin does not change).
Result<TlsIdentity> load_or_create_identity(const std::filesystem::path& folder, bool* created = nullptr);

// Key rotation without enrolling devices again. `create_next_identity` makes the key the collector will move to
// (next-key.pem, mode 0600, and its certificate next-cert.pem) beside the current pair in `folder`, and returns its
// pin; it refuses (tls.next_exists) when one is waiting. While it waits, every answer names it (header
// Tsunagi-Next-Pin) and each device that syncs adds it to the pins it accepts. `rotate_identity` (taking effect at
// the collector's next start) keeps the current pair as previous-cert.pem and previous-key.pem and makes the next pair the current one
// (tls.no_next when there is none); it returns the new pin. Devices that synced meanwhile connect at once, and drop
// the old pin when an answer names only the new one; others enroll again.
Result<std::string> create_next_identity(const std::filesystem::path& folder);
// The waiting next pair's pin, or nullopt when there is none.
Result<std::optional<std::string>> next_identity_pin(const std::filesystem::path& folder);
Result<std::string> rotate_identity(const std::filesystem::path& folder);

}  // namespace tsunagi::sync
