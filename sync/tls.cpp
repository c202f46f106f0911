// The collector's TLS identity with the OpenSSL 3 API.
//
// [SECTION] OpenSSL ownership helpers
// [SECTION] Certificate generation
// [SECTION] Public key pin
// [SECTION] Identity on disk
#include "sync/tls.hpp"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <climits>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "model/files.hpp"
#include "model/platform.hpp"

namespace tsunagi::sync {

namespace {

// [SECTION] OpenSSL ownership helpers

template <auto FreeFunction>
struct OpenSslDeleter {
  template <class T>
  void operator()(T* object) const {
    FreeFunction(object);
  }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter<X509_NAME_free>>;
using X509ExtensionPtr = std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<ASN1_INTEGER_free>>;
using Asn1StringPtr = std::unique_ptr<ASN1_STRING, OpenSslDeleter<ASN1_STRING_free>>;
using GeneralNamePtr = std::unique_ptr<GENERAL_NAME, OpenSslDeleter<GENERAL_NAME_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;

// The OpenSSL error queue as text, and emptied, so a later failure does not report this one's reasons.
std::string openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char line[256];
    ERR_error_string_n(code, line, sizeof line);
    if (!text.empty()) text += "; ";
    text += line;
  }
  return text;
}

Error tls_error(const std::string& code, const std::string& path, const std::string& message,
                const std::string& message_ja) {
  std::string detail = openssl_errors();
  std::string suffix = detail.empty() ? "" : " (" + detail + ")";
  return make_error(code, path, message + suffix, message_ja + suffix);
}

Error generate_error(const std::string& step) {
  return tls_error("tls.generate", "", "cannot make the TLS certificate: " + step,
                   "TLS 証明書を作成できません: " + step);
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

BioPtr memory_bio_over(const std::string& text) {
  // BIO_new_mem_buf takes an int length; PEM files are far below that.
  if (text.size() > static_cast<std::size_t>(INT_MAX)) return nullptr;
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

X509Ptr parse_certificate(const std::string& pem) {
  BioPtr bio = memory_bio_over(pem);
  if (!bio) return nullptr;
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr parse_private_key(const std::string& pem) {
  BioPtr bio = memory_bio_over(pem);
  if (!bio) return nullptr;
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

// [SECTION] Certificate generation

// One subjectAltName entry: an IP address entry when `host` parses as IPv4 or IPv6 (clients compare IP URLs only
// against IP entries), else a DNS name.
GeneralNamePtr make_general_name(const std::string& host) {
  unsigned char address[16];
  int address_size = 0;
  if (inet_pton(AF_INET, host.c_str(), address) == 1) {
    address_size = 4;
  } else if (inet_pton(AF_INET6, host.c_str(), address) == 1) {
    address_size = 16;
  }
  GeneralNamePtr name(GENERAL_NAME_new());
  if (!name) return nullptr;
  if (address_size > 0) {
    Asn1StringPtr octets(ASN1_OCTET_STRING_new());
    if (!octets || !ASN1_OCTET_STRING_set(octets.get(), address, address_size)) return nullptr;
    GENERAL_NAME_set0_value(name.get(), GEN_IPADD, octets.release());
  } else {
    Asn1StringPtr dns(ASN1_IA5STRING_new());
    if (!dns || !ASN1_STRING_set(dns.get(), host.data(), static_cast<int>(host.size()))) return nullptr;
    GENERAL_NAME_set0_value(name.get(), GEN_DNS, dns.release());
  }
  return name;
}

Status add_subject_alt_names(X509* certificate, const std::vector<std::string>& hosts) {
  GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return generate_error("subjectAltName");
  for (const std::string& host : hosts) {
    GeneralNamePtr name = make_general_name(host);
    if (!name || !sk_GENERAL_NAME_push(names.get(), name.get())) return generate_error("subjectAltName " + host);
    name.release();  // now owned by `names`
  }
  if (X509_add1_ext_i2d(certificate, NID_subject_alt_name, names.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return generate_error("subjectAltName");
  return ok_status();
}

Status add_extension(X509* certificate, X509V3_CTX* context, int nid, const char* value) {
  X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, context, nid, value));
  if (!extension || X509_add_ext(certificate, extension.get(), -1) != 1)
    return generate_error(std::string("extension ") + OBJ_nid2sn(nid));
  return ok_status();
}

// A random positive 128-bit serial: RFC 5280 wants serials unique per issuer, and every collector is its own issuer
// with no record of earlier serials.
Status set_random_serial(X509* certificate) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return generate_error("random serial");
  bytes[15] |= 1;  // never zero, which RFC 5280 forbids
  BignumPtr number(BN_bin2bn(bytes, sizeof bytes, nullptr));
  if (!number) return generate_error("random serial");
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(number.get(), nullptr));
  if (!serial || X509_set_serialNumber(certificate, serial.get()) != 1) return generate_error("random serial");
  return ok_status();
}

std::string key_to_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) return {};
  return bio_contents(bio.get());
}

std::string certificate_to_pem(X509* certificate) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), certificate) != 1) return {};
  return bio_contents(bio.get());
}

// [SECTION] Identity on disk

std::vector<std::string> default_hosts() {
  std::vector<std::string> hosts = {"localhost", "127.0.0.1", "::1"};
  char name[256] = {};
  // A host name longer than the buffer is truncated without a terminator on some systems; skip it then.
  if (gethostname(name, sizeof name - 1) == 0 && name[0] != '\0' && std::string(name) != "localhost")
    hosts.emplace_back(name);
  return hosts;
}

Result<TlsIdentity> load_identity(const std::filesystem::path& cert_path, const std::filesystem::path& key_path) {
  Result<std::string> certificate_pem = read_file(cert_path);
  if (!certificate_pem) return certificate_pem.error().with_context("tls");
  Result<std::string> private_key_pem = read_file(key_path);
  if (!private_key_pem) return private_key_pem.error().with_context("tls");
  X509Ptr certificate = parse_certificate(*certificate_pem);
  if (!certificate)
    return tls_error("tls.load", cert_path.string(), "not a PEM certificate", "PEM 形式の証明書ではありません");
  PkeyPtr key = parse_private_key(*private_key_pem);
  if (!key) return tls_error("tls.load", key_path.string(), "not a PEM private key", "PEM 形式の秘密鍵ではありません");
  if (X509_check_private_key(certificate.get(), key.get()) != 1)
    return tls_error("tls.mismatch", key_path.string(), "the private key does not belong to " + cert_path.string(),
                     "秘密鍵が " + cert_path.string() + " と対になっていません");
  return TlsIdentity{std::move(*certificate_pem), std::move(*private_key_pem)};
}

// A self-signed certificate for `key`, valid for `days` from a day ago.
Result<TlsIdentity> self_signed_for(EVP_PKEY* key, const std::vector<std::string>& hosts, int days) {
  if (hosts.empty())
    return make_error("tls.generate", "", "no host name for the certificate", "証明書のホスト名がありません");
  if (days <= 0)
    return make_error("tls.generate", "", "the validity must be at least one day", "有効期間は1日以上にしてください");

  X509Ptr certificate(X509_new());
  if (!certificate || X509_set_version(certificate.get(), X509_VERSION_3) != 1) return generate_error("X509_new");
  if (Status serial = set_random_serial(certificate.get()); !serial) return serial.error();

  // A day of slack before now: field devices' clocks are often behind, and a certificate "not yet valid" on them
  // would stop every sync.
  constexpr long kClockSlackSeconds = 24L * 60 * 60;
  if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -kClockSlackSeconds) ||
      !X509_time_adj_ex(X509_getm_notAfter(certificate.get()), days, 0, nullptr))
    return generate_error("validity");

  X509NamePtr name(X509_NAME_new());
  const std::string& common_name = hosts.front();
  if (!name ||
      X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.data()),
                                 static_cast<int>(common_name.size()), -1, 0) != 1 ||
      X509_set_subject_name(certificate.get(), name.get()) != 1 ||
      X509_set_issuer_name(certificate.get(), name.get()) != 1)
    return generate_error("subject name " + common_name);
  if (X509_set_pubkey(certificate.get(), key) != 1) return generate_error("public key");

  if (Status names = add_subject_alt_names(certificate.get(), hosts); !names) return names.error();
  X509V3_CTX context;
  X509V3_set_ctx(&context, certificate.get(), certificate.get(), nullptr, nullptr, 0);
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"}, std::pair{NID_key_usage, "critical,digitalSignature"},
        std::pair{NID_ext_key_usage, "serverAuth"}, std::pair{NID_subject_key_identifier, "hash"}}) {
    if (Status added = add_extension(certificate.get(), &context, nid, value); !added) return added.error();
  }

  if (X509_sign(certificate.get(), key, EVP_sha256()) <= 0) return generate_error("signature");

  TlsIdentity identity{certificate_to_pem(certificate.get()), key_to_pem(key)};
  if (identity.certificate_pem.empty() || identity.private_key_pem.empty()) return generate_error("PEM encoding");
  return identity;
}

// The collector's own self-signed certificate, issued again for the same key when it has less than
// kRenewBeforeDays left: devices pin the key, not the certificate, so they follow without enrolling again. A
// certificate from a CA (passed with --cert) is never touched.
Result<TlsIdentity> renew_if_expiring(const std::filesystem::path& cert_path, TlsIdentity identity) {
  auto days = days_until_expiry(identity.certificate_pem);
  if (!days) return days.error();
  X509Ptr certificate = parse_certificate(identity.certificate_pem);
  const bool self_signed =
      certificate &&
      X509_NAME_cmp(X509_get_subject_name(certificate.get()), X509_get_issuer_name(certificate.get())) == 0 &&
      X509_verify(certificate.get(), X509_get0_pubkey(certificate.get())) == 1;
  if (*days >= kRenewBeforeDays || !self_signed) return identity;
  PkeyPtr key = parse_private_key(identity.private_key_pem);
  if (!key) return generate_error("the key to renew with");
  auto renewed = self_signed_for(key.get(), default_hosts(), kCertificateDays);
  if (!renewed) return renewed;
  renewed->private_key_pem = std::move(identity.private_key_pem);  // the key file stays as it is
  if (Status written = write_file_atomic(cert_path, renewed->certificate_pem, 0644); !written) return written.error();
  return renewed;
}

}  // namespace

Result<TlsIdentity> generate_self_signed(const std::vector<std::string>& hosts, int days) {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return generate_error("EC P-256 key");
  return self_signed_for(key.get(), hosts, days);
}

Result<int> days_until_expiry(const std::string& certificate_pem) {
  X509Ptr certificate = parse_certificate(certificate_pem);
  if (!certificate) return tls_error("tls.load", "", "not a PEM certificate", "PEM 形式の証明書ではありません");
  int days = 0, seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(certificate.get())) != 1)
    return tls_error("tls.load", "", "the certificate's end date cannot be read", "証明書の有効期限を読み取れません");
  return days;
}

// [SECTION] Public key pin

Result<std::string> public_key_pin(const std::string& certificate_pem) {
  X509Ptr certificate = parse_certificate(certificate_pem);
  if (!certificate) return tls_error("tls.load", "", "not a PEM certificate", "PEM 形式の証明書ではありません");
  EVP_PKEY* public_key = X509_get0_pubkey(certificate.get());  // owned by the certificate
  int der_size = public_key ? i2d_PUBKEY(public_key, nullptr) : -1;
  if (der_size <= 0)
    return tls_error("tls.load", "", "the certificate has no usable public key", "証明書の公開鍵を読み取れません");
  std::vector<unsigned char> der(static_cast<std::size_t>(der_size));
  unsigned char* cursor = der.data();  // i2d_PUBKEY advances it
  if (i2d_PUBKEY(public_key, &cursor) != der_size)
    return tls_error("tls.load", "", "cannot encode the public key", "公開鍵を符号化できません");

  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_size = 0;
  if (EVP_Digest(der.data(), der.size(), digest, &digest_size, EVP_sha256(), nullptr) != 1)
    return tls_error("tls.load", "", "cannot hash the public key", "公開鍵のハッシュを計算できません");

  // EVP_EncodeBlock writes standard base64 with padding and a terminator: 4 characters per 3 bytes, plus one.
  std::string base64(4 * ((digest_size + 2) / 3) + 1, '\0');
  int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()), digest, static_cast<int>(digest_size));
  base64.resize(static_cast<std::size_t>(written));
  return "sha256//" + base64;
}

namespace {

// A new self-signed pair written as `<prefix>key.pem` (0600) and `<prefix>cert.pem` (0644) in `folder`: the key
// first, so that a crash between the two leaves a lone key, which is reported rather than paired with a new
// certificate.
Result<TlsIdentity> write_new_identity(const std::filesystem::path& folder, const std::string& prefix) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error)
    return make_error("tls.generate", folder.string(), "cannot create the folder: " + error.message(),
                      "フォルダを作成できません: " + error.message());
  Result<TlsIdentity> identity = generate_self_signed(default_hosts());
  if (!identity) return identity;
  const std::filesystem::path key_path = folder / (prefix + "key.pem");
  const std::filesystem::path cert_path = folder / (prefix + "cert.pem");
  if (Status written = write_file_atomic(key_path, identity->private_key_pem, 0600); !written) return written.error();
  if (Status written = write_file_atomic(cert_path, identity->certificate_pem, 0644); !written) return written.error();
  // write_file_atomic's mode passes through the umask; the certificate is public, so make it readable whatever the
  // umask (the key can only get stricter, never looser).
  std::filesystem::permissions(cert_path, static_cast<std::filesystem::perms>(0644), error);
  return identity;
}

}  // namespace

Result<TlsIdentity> load_or_create_identity(const std::filesystem::path& folder, bool* created) {
  if (created) *created = false;
  const std::filesystem::path cert_path = folder / "cert.pem";
  const std::filesystem::path key_path = folder / "key.pem";
  std::error_code error;
  const bool have_cert = std::filesystem::exists(cert_path, error);
  const bool have_key = std::filesystem::exists(key_path, error);
  if (have_cert && have_key) {
    auto identity = load_identity(cert_path, key_path);
    if (!identity) return identity;
    return renew_if_expiring(cert_path, std::move(*identity));
  }
  if (have_cert != have_key) {
    // Never overwrite the half that is there: replacing a certificate devices have pinned would cut them all off.
    const std::filesystem::path& present = have_cert ? cert_path : key_path;
    const std::filesystem::path& missing = have_cert ? key_path : cert_path;
    return make_error("tls.load", missing.string(),
                      "missing, but " + present.string() + " exists; restore it, or remove both to make a new identity",
                      "見つかりません(" + present.string() +
                          " はあります)。復元するか、両方を削除して新しい証明書を作成してください");
  }

  Result<TlsIdentity> identity = write_new_identity(folder, "");
  if (identity && created) *created = true;
  return identity;
}

Result<std::optional<std::string>> next_identity_pin(const std::filesystem::path& folder) {
  std::error_code error;
  const bool have_cert = std::filesystem::exists(folder / "next-cert.pem", error);
  const bool have_key = std::filesystem::exists(folder / "next-key.pem", error);
  if (!have_cert && !have_key) return std::optional<std::string>();
  auto identity = load_identity(folder / "next-cert.pem", folder / "next-key.pem");
  if (!identity) return identity.error();
  auto pin = public_key_pin(identity->certificate_pem);
  if (!pin) return pin.error();
  return std::optional<std::string>(std::move(*pin));
}

Result<std::string> create_next_identity(const std::filesystem::path& folder) {
  auto waiting = next_identity_pin(folder);
  if (!waiting) return waiting.error();
  if (*waiting)
    return make_error("tls.next_exists", (folder / "next-key.pem").string(),
                      "a next key is already waiting (pin " + **waiting + "): rotate to it first",
                      "次の鍵がすでに用意されています（ピン " + **waiting + "）。先に切り替えてください");
  auto current = load_or_create_identity(folder);  // the current pair must be sound before another is made
  if (!current) return current.error();
  auto identity = write_new_identity(folder, "next-");
  if (!identity) return identity.error();
  return public_key_pin(identity->certificate_pem);
}

Result<std::string> rotate_identity(const std::filesystem::path& folder) {
  auto waiting = next_identity_pin(folder);
  if (!waiting) return waiting.error();
  if (!*waiting)
    return make_error("tls.no_next", (folder / "next-key.pem").string(),
                      "no next key is waiting: make one with `key next` and let devices sync first",
                      "次の鍵がありません。`key next` で作成し、端末が同期してから切り替えてください");
  // Each rename is atomic; the current pair is kept aside first, so that a crash midway leaves either pair whole
  // (the next one still waiting, or the previous one to put back) and never a key without its certificate.
  for (const char* name : {"cert.pem", "key.pem"}) {
    std::error_code error;
    if (std::filesystem::exists(folder / name, error))
      std::filesystem::rename(folder / name, folder / (std::string("previous-") + name), error);
    if (error)
      return make_error("tls.rotate", (folder / name).string(), "cannot keep the current pair: " + error.message(),
                        "現在の証明書を退避できません: " + error.message());
  }
  for (const char* name : {"key.pem", "cert.pem"}) {
    std::error_code error;
    std::filesystem::rename(folder / (std::string("next-") + name), folder / name, error);
    if (error)
      return make_error("tls.rotate", (folder / name).string(), "cannot move the next pair in: " + error.message(),
                        "次の証明書に切り替えられません: " + error.message());
  }
  platform::sync_folder(folder);
  return **waiting;
}

}  // namespace tsunagi::sync
