#include "model/crypto.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace tsunagi::crypto {

Status initialise() {
  static const int result = sodium_init();  // thread-safe, and libsodium's own init is idempotent
  if (result < 0)
    return make_error("crypto.init", "", "the cryptography library cannot start", "暗号ライブラリを開始できません");
  return ok_status();
}

SecretKey::SecretKey() {
  (void)initialise();
  bytes_ = static_cast<unsigned char*>(sodium_malloc(kKeyBytes));
  if (!bytes_) throw std::bad_alloc();
  sodium_memzero(bytes_, kKeyBytes);
}

SecretKey::~SecretKey() { sodium_free(bytes_); }

std::shared_ptr<const SecretKey> SecretKey::random() {
  auto key = std::make_shared<SecretKey>();
  randombytes_buf(key->bytes(), kKeyBytes);
  return key;
}

bool SecretKey::operator==(const SecretKey& other) const { return sodium_memcmp(bytes_, other.bytes_, kKeyBytes) == 0; }

KdfParams kdf_for_new_keys() {
  const char* test = std::getenv("TSUNAGI_TEST_KDF");
  return test && std::string_view(test) == "fast" ? kTestKdf : kDefaultKdf;
}

Result<Key> derive_key(std::string_view passphrase, std::string_view salt, const KdfParams& params) {
  if (auto status = initialise(); !status) return status.error();
  if (salt.size() != kSaltBytes)
    return make_error("crypto.kdf", "", "the key file's salt has the wrong length",
                      "鍵ファイルのソルトの長さが違います");
  if (params.opslimit < crypto_pwhash_OPSLIMIT_MIN || params.memlimit < crypto_pwhash_MEMLIMIT_MIN ||
      params.opslimit > 64 || params.memlimit > (std::size_t{4} << 30))
    return make_error("crypto.kdf", "", "the key file's Argon2id parameters are out of range",
                      "鍵ファイルの Argon2id のパラメータが範囲外です");
  auto key = std::make_shared<SecretKey>();
  if (crypto_pwhash(key->bytes(), kKeyBytes, passphrase.data(), passphrase.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), params.opslimit, params.memlimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0)
    return make_error("crypto.kdf", "", "not enough memory to derive the key from the passphrase",
                      "パスフレーズから鍵を作るメモリが足りません");
  return Key(std::move(key));
}

std::string random_bytes(std::size_t size) {
  (void)initialise();
  std::string out(size, '\0');
  randombytes_buf(out.data(), size);
  return out;
}

std::string seal(const SecretKey& key, std::string_view plain, std::string_view associated) {
  std::string box(kNonceBytes + plain.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(out, kNonceBytes);
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out + kNonceBytes, nullptr, reinterpret_cast<const unsigned char*>(plain.data()), plain.size(),
      reinterpret_cast<const unsigned char*>(associated.data()), associated.size(), nullptr, out, key.bytes());
  return box;
}

Result<std::string> open(const SecretKey& key, std::string_view box, std::string_view associated) {
  if (box.size() < kNonceBytes + kTagBytes)
    return make_error("crypto.open", "", "the sealed data is cut short", "暗号化されたデータが途中で切れています");
  std::string plain(box.size() - kNonceBytes - kTagBytes, '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(box.data());
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), nullptr, nullptr, in + kNonceBytes, box.size() - kNonceBytes,
          reinterpret_cast<const unsigned char*>(associated.data()), associated.size(), in, key.bytes()) != 0)
    return make_error("crypto.open", "",
                      "the sealed data does not open with this key (damaged, altered, or another key)",
                      "暗号化されたデータをこの鍵で開けません（破損・改ざん、または別の鍵）");
  return plain;
}

std::string to_base64(std::string_view bytes) {
  std::string text(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  text.resize(std::strlen(text.c_str()));
  return text;
}

std::string seal_key(const SecretKey& wrapping, const SecretKey& key, std::string_view associated) {
  return seal(wrapping, std::string_view(reinterpret_cast<const char*>(key.bytes()), kKeyBytes), associated);
}

Key open_key(const SecretKey& wrapping, std::string_view box, std::string_view associated) {
  auto opened = open(wrapping, box, associated);
  if (!opened) return nullptr;
  std::shared_ptr<SecretKey> key;
  if (opened->size() == kKeyBytes) {
    key = std::make_shared<SecretKey>();
    std::copy(opened->begin(), opened->end(), key->bytes());
  }
  sodium_memzero(opened->data(), opened->size());
  return key;
}

Result<std::string> from_base64(std::string_view text) {
  std::string bytes(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(), text.size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return make_error("crypto.base64", "", "not valid base64", "base64 として読めません");
  bytes.resize(length);
  return bytes;
}

}  // namespace tsunagi::crypto
