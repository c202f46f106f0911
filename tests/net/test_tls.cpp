// The collector's TLS identity: generation, the public key pin, and the cert.pem / key.pem pair on disk.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "model/files.hpp"
#include "sync/tls.hpp"

namespace {

namespace fs = std::filesystem;
using tsunagi::sync::generate_self_signed;
using tsunagi::sync::load_or_create_identity;
using tsunagi::sync::public_key_pin;
using tsunagi::sync::TlsIdentity;

// A fresh folder under the system temp dir, removed with everything in it at the end of the test.
class TempFolder {
 public:
  TempFolder() {
    std::random_device random;
    path_ = fs::temp_directory_path() / ("tsunagi-tls-" + std::to_string(random()) + std::to_string(random()));
    fs::create_directories(path_);
  }
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct X509Free {
  void operator()(X509* certificate) const { X509_free(certificate); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

X509Ptr parse_certificate(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

unsigned file_mode(const fs::path& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace

TEST_CASE("generate_self_signed makes a P-256 server certificate for every host", "[tls]") {
  auto identity = generate_self_signed({"localhost", "127.0.0.1", "::1", "collector.example"}, 30);
  REQUIRE(identity.ok());
  CHECK(identity->certificate_pem.starts_with("-----BEGIN CERTIFICATE-----"));
  CHECK(identity->private_key_pem.starts_with("-----BEGIN PRIVATE KEY-----"));

  X509Ptr certificate = parse_certificate(identity->certificate_pem);
  REQUIRE(certificate);
  EVP_PKEY* key = X509_get0_pubkey(certificate.get());
  REQUIRE(key);
  CHECK(EVP_PKEY_is_a(key, "EC"));
  char group[64] = {};
  size_t group_size = 0;
  REQUIRE(EVP_PKEY_get_group_name(key, group, sizeof group, &group_size) == 1);
  CHECK(std::string(group) == "prime256v1");

  // Names: DNS entries for names, IP entries for addresses (v4 and v6).
  CHECK(X509_check_host(certificate.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_host(certificate.get(), "collector.example", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(certificate.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(certificate.get(), "::1", 0) == 1);
  CHECK(X509_check_host(certificate.get(), "127.0.0.1", 0, 0, nullptr) != 1);  // not a DNS entry
  char common_name[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(certificate.get()), NID_commonName, common_name, sizeof common_name);
  CHECK(std::string(common_name) == "localhost");

  // A leaf for servers, not a CA; signed with SHA-256 by its own key.
  CHECK(X509_check_ca(certificate.get()) == 0);
  CHECK((X509_get_key_usage(certificate.get()) & KU_DIGITAL_SIGNATURE) != 0);
  CHECK((X509_get_extended_key_usage(certificate.get()) & XKU_SSL_SERVER) != 0);
  CHECK(X509_get_signature_nid(certificate.get()) == NID_ecdsa_with_SHA256);
  CHECK(X509_verify(certificate.get(), key) == 1);
  CHECK(X509_cmp_current_time(X509_get0_notBefore(certificate.get())) < 0);
  CHECK(X509_cmp_current_time(X509_get0_notAfter(certificate.get())) > 0);

  // The serial is random: two certificates do not share it.
  auto other = generate_self_signed({"localhost"});
  REQUIRE(other.ok());
  X509Ptr other_certificate = parse_certificate(other->certificate_pem);
  CHECK(ASN1_INTEGER_cmp(X509_get0_serialNumber(certificate.get()), X509_get0_serialNumber(other_certificate.get())) !=
        0);
}

TEST_CASE("generate_self_signed refuses an empty host list", "[tls]") {
  auto identity = generate_self_signed({});
  REQUIRE_FALSE(identity.ok());
  CHECK(identity.error().code == "tls.generate");
  CHECK_FALSE(identity.error().message_ja.empty());
}

TEST_CASE("public_key_pin has curl's form, is stable, and differs per key", "[tls]") {
  auto identity = generate_self_signed({"localhost"});
  REQUIRE(identity.ok());
  auto pin = public_key_pin(identity->certificate_pem);
  REQUIRE(pin.ok());
  // "sha256//" + base64 of 32 bytes: 44 characters, the last one padding.
  REQUIRE(pin->size() == 8 + 44);
  CHECK(pin->starts_with("sha256//"));
  CHECK(pin->back() == '=');
  CHECK(pin->substr(8).find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
        std::string::npos);

  auto again = public_key_pin(identity->certificate_pem);
  REQUIRE(again.ok());
  CHECK(*again == *pin);

  auto other_identity = generate_self_signed({"localhost"});
  REQUIRE(other_identity.ok());
  auto other_pin = public_key_pin(other_identity->certificate_pem);
  REQUIRE(other_pin.ok());
  CHECK(*other_pin != *pin);
}

TEST_CASE("public_key_pin rejects text that is not a certificate", "[tls]") {
  auto pin = public_key_pin("-----BEGIN CERTIFICATE-----\nbm9wZQ==\n-----END CERTIFICATE-----\n");
  REQUIRE_FALSE(pin.ok());
  CHECK(pin.error().code == "tls.load");
}

TEST_CASE("load_or_create_identity creates the pair once, then loads it", "[tls]") {
  TempFolder folder;
  const fs::path identity_folder = folder.path() / "tls";  // not there yet: it is created too
  bool created = false;
  auto first = load_or_create_identity(identity_folder, &created);
  REQUIRE(first.ok());
  CHECK(created);
  CHECK(file_mode(identity_folder / "key.pem") == 0600);
  CHECK(file_mode(identity_folder / "cert.pem") == 0644);
  CHECK_FALSE(fs::exists(identity_folder / "key.pem.tmp"));
  CHECK_FALSE(fs::exists(identity_folder / "cert.pem.tmp"));

  X509Ptr certificate = parse_certificate(first->certificate_pem);
  REQUIRE(certificate);
  CHECK(X509_check_host(certificate.get(), "localhost", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(certificate.get(), "127.0.0.1", 0) == 1);
  CHECK(X509_check_ip_asc(certificate.get(), "::1", 0) == 1);

  auto second = load_or_create_identity(identity_folder, &created);
  REQUIRE(second.ok());
  CHECK_FALSE(created);
  CHECK(second->certificate_pem == first->certificate_pem);
  CHECK(second->private_key_pem == first->private_key_pem);
  CHECK(*public_key_pin(second->certificate_pem) == *public_key_pin(first->certificate_pem));
}

TEST_CASE("the collector's certificate lasts two years and is issued again for the same key before it ends",
          "[tls]") {
  TempFolder folder;
  auto fresh = load_or_create_identity(folder.path());
  REQUIRE(fresh.ok());
  auto days = tsunagi::sync::days_until_expiry(fresh->certificate_pem);
  REQUIRE(days.ok());
  CHECK(*days >= tsunagi::sync::kCertificateDays - 1);
  CHECK(*days <= tsunagi::sync::kCertificateDays);

  // A certificate with 30 days left (as if made 700 days ago): the next start issues a new one for the same key,
  // so the pin every device holds stays right and none has to enroll again.
  auto ending = generate_self_signed({"localhost", "127.0.0.1"}, 30);
  REQUIRE(ending.ok());
  write_text(folder.path() / "cert.pem", ending->certificate_pem);
  write_text(folder.path() / "key.pem", ending->private_key_pem);
  auto renewed = load_or_create_identity(folder.path());
  REQUIRE(renewed.ok());
  CHECK(renewed->certificate_pem != ending->certificate_pem);
  CHECK(renewed->private_key_pem == ending->private_key_pem);
  CHECK(*public_key_pin(renewed->certificate_pem) == *public_key_pin(ending->certificate_pem));
  CHECK(*tsunagi::sync::days_until_expiry(renewed->certificate_pem) >= tsunagi::sync::kCertificateDays - 1);
  auto on_disk = load_or_create_identity(folder.path());  // written, not only returned
  REQUIRE(on_disk.ok());
  CHECK(on_disk->certificate_pem == renewed->certificate_pem);

  // One with more time left is left alone.
  auto later = generate_self_signed({"localhost"}, 200);
  REQUIRE(later.ok());
  write_text(folder.path() / "cert.pem", later->certificate_pem);
  write_text(folder.path() / "key.pem", later->private_key_pem);
  CHECK(load_or_create_identity(folder.path())->certificate_pem == later->certificate_pem);
}

TEST_CASE("load_or_create_identity does not overwrite a lone cert.pem or key.pem", "[tls]") {
  auto identity = generate_self_signed({"localhost"});
  REQUIRE(identity.ok());
  TempFolder folder;

  SECTION("a lone cert.pem") {
    write_text(folder.path() / "cert.pem", identity->certificate_pem);
    auto loaded = load_or_create_identity(folder.path());
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().code == "tls.load");
    CHECK_FALSE(fs::exists(folder.path() / "key.pem"));
    CHECK(tsunagi::read_file(folder.path() / "cert.pem").value() == identity->certificate_pem);
  }
  SECTION("a lone key.pem") {
    write_text(folder.path() / "key.pem", identity->private_key_pem);
    auto loaded = load_or_create_identity(folder.path());
    REQUIRE_FALSE(loaded.ok());
    CHECK(loaded.error().code == "tls.load");
    CHECK_FALSE(fs::exists(folder.path() / "cert.pem"));
  }
}

TEST_CASE("load_or_create_identity rejects a key that is not the certificate's", "[tls]") {
  auto identity = generate_self_signed({"localhost"});
  auto other = generate_self_signed({"localhost"});
  REQUIRE(identity.ok());
  REQUIRE(other.ok());
  TempFolder folder;
  write_text(folder.path() / "cert.pem", identity->certificate_pem);
  write_text(folder.path() / "key.pem", other->private_key_pem);
  auto loaded = load_or_create_identity(folder.path());
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code == "tls.mismatch");
}

TEST_CASE("load_or_create_identity rejects files that are not PEM", "[tls]") {
  TempFolder folder;
  write_text(folder.path() / "cert.pem", "not a certificate");
  write_text(folder.path() / "key.pem", "not a key");
  auto loaded = load_or_create_identity(folder.path());
  REQUIRE_FALSE(loaded.ok());
  CHECK(loaded.error().code == "tls.load");
}
