// Cryptography for the data at rest, over libsodium: secret keys in guarded memory, the passphrase's key
// (Argon2id), and sealed boxes (XChaCha20-Poly1305 with a random nonce) for small secrets such as the wrapped data
// key and the enrollment token. The store's pages are encrypted by model/crypt_vfs with the same cipher.
//
// Thread safety: every function may be called from any thread; a SecretKey is immutable once made.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "model/error.hpp"

namespace tsunagi::crypto {

constexpr std::size_t kKeyBytes = 32;    // XChaCha20-Poly1305's key
constexpr std::size_t kNonceBytes = 24;  // its nonce: random, so never reused in practice
constexpr std::size_t kTagBytes = 16;    // its authentication tag
constexpr std::size_t kSaltBytes = 16;   // Argon2id's salt

// Initialises libsodium (once; later calls return at once). An Error when the library cannot start.
Status initialise();

// A 32-byte key in memory of its own (sodium_malloc: locked against swapping, guard pages, wiped when freed).
class SecretKey {
 public:
  SecretKey();  // all zeros
  ~SecretKey();
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  static std::shared_ptr<const SecretKey> random();
  unsigned char* bytes() { return bytes_; }
  const unsigned char* bytes() const { return bytes_; }
  bool operator==(const SecretKey& other) const;

 private:
  unsigned char* bytes_;
};
using Key = std::shared_ptr<const SecretKey>;

// Argon2id's cost: passes over memory, and how much memory (bytes).
struct KdfParams {
  std::uint64_t opslimit = 0;
  std::size_t memlimit = 0;
};
// What a new passphrase gets: 3 passes over 128 MiB, about 0.4 s on this project's 2-core test machine and under
// a second on a laptop (bench/store measures it); an attacker pays the same per guess.
constexpr KdfParams kDefaultKdf{3, 128u << 20};
// The least libsodium allows, for tests that make hundreds of stores (TSUNAGI_TEST_KDF=fast); never for people.
constexpr KdfParams kTestKdf{1, 8192};
// kDefaultKdf, or kTestKdf when the environment says TSUNAGI_TEST_KDF=fast.
KdfParams kdf_for_new_keys();

// The key Argon2id derives from `passphrase` and `salt` (kSaltBytes). An Error ("crypto.kdf") when the memory
// cannot be had.
Result<Key> derive_key(std::string_view passphrase, std::string_view salt, const KdfParams& params);

// `size` random bytes.
std::string random_bytes(std::size_t size);

// nonce | ciphertext | tag of `plain`, bound to `associated` (which is not in the box).
std::string seal(const SecretKey& key, std::string_view plain, std::string_view associated);
// The plaintext of a box from seal() with the same key and `associated`; an Error ("crypto.open") when the box is
// damaged, altered, or sealed with another key.
Result<std::string> open(const SecretKey& key, std::string_view box, std::string_view associated);

// seal() and open() of a key (a data key wrapped by the key of a passphrase or of the secret store); open_key
// gives null when the box does not open to a key.
std::string seal_key(const SecretKey& wrapping, const SecretKey& key, std::string_view associated);
Key open_key(const SecretKey& wrapping, std::string_view box, std::string_view associated);

// Base64 (RFC 4648, with padding) and back; nullopt-like Error ("crypto.base64") on a bad text.
std::string to_base64(std::string_view bytes);
Result<std::string> from_base64(std::string_view text);

}  // namespace tsunagi::crypto
