// The data folder's encryption at rest: its key file, the folders this process has unlocked, the migration of a
// plain folder, and sealed small files (the enrollment token).
//
// Keys: the store's pages are encrypted with a random data key (model/crypt_vfs). The key file ("keys.json")
// holds that key wrapped (sealed, model/crypto) by a key Argon2id derives from the user's passphrase, with the
// salt and Argon2id's parameters; optionally also wrapped by the desktop's secret store (model/keyring), so that a
// login session can unlock without typing. Changing the passphrase rewraps the data key; the store is not
// rewritten. Without the passphrase (and the secret store) the data cannot be read by anyone, Tsunagi included.
//
// Thread safety: every function may be called from any thread.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "model/crypto.hpp"
#include "model/error.hpp"

namespace tsunagi::encryption {

constexpr const char* kKeyFileName = "keys.json";
// The enrollment (the device's token), which sync/client keeps sealed in the folder.
constexpr const char* kEnrollmentFileName = "enrollment.json";
constexpr std::size_t kMinimumPassphrase = 8;  // characters, for a new passphrase

// Whether `folder` has a key file (its store is encrypted, or is being made so).
bool has_key_file(const std::filesystem::path& folder);

// A passphrase as the key file compares it: full-width letters, digits and spaces as ASCII (an input method may
// give either); one line ending at its end is not part of it. An Error ("passphrase.invalid") for invalid UTF-8.
Result<std::string> normalize_passphrase(std::string_view typed);
// Whether `passphrase` may be a new passphrase: kMinimumPassphrase characters or more.
Status check_new_passphrase(std::string_view passphrase);

struct UnlockOptions {
  bool create = true;                                      // a folder without a key file gets one
  crypto::KdfParams new_kdf = crypto::kdf_for_new_keys();  // ... with these Argon2id parameters
};

// Unlocks `folder` with `passphrase`: reads its key file (or, with options.create and none there, makes one: a
// new random data key wrapped by the passphrase), encrypts in place whatever of the folder is still plain
// (encrypt_folder), and remembers the key for the stores this process opens in the folder.
// Errors: "store.passphrase" (wrong passphrase), "store.keyfile" (no key file and !create, or a damaged one),
// "passphrase.invalid" / "passphrase.short" (a new one), and the migration's.
Result<crypto::Key> unlock_folder(const std::filesystem::path& folder, std::string_view passphrase,
                                  const UnlockOptions& options = {});

// The data key of `folder` if `passphrase` opens its key file, without remembering or migrating anything (the
// window's lock screen checks the passphrase with it).
Result<crypto::Key> open_key_file(const std::filesystem::path& folder, std::string_view passphrase);

// Wraps the folder's data key with `new_passphrase` instead of `old_passphrase` (a new salt; the key file is
// replaced atomically; the store is not touched).
Status change_passphrase(const std::filesystem::path& folder, std::string_view old_passphrase,
                         std::string_view new_passphrase);

// The second wrapping of the data key, by the desktop's secret store (model/keyring): this login on this computer
// opens the folder without its passphrase (the passphrase still opens it, and locking the window still asks for
// it). Each call reaches the secret store: not on the UI thread.
//
// Whether the folder's key file has that wrapping (it may still fail to open: another login, a reset keyring).
bool has_keyring_wrap(const std::filesystem::path& folder);
// Adds it for the data key `key` of `folder` (replacing one made before): a new random key kept in the secret
// store, the data key sealed with it in the key file. Errors: model/keyring's, the key file's.
Status add_keyring_wrap(const std::filesystem::path& folder, const crypto::Key& key);
// Unlocks `folder` as unlock_folder() does, with the key the secret store keeps instead of a passphrase. Errors:
// "keyring.none" (no such wrapping), "keyring.paused" (see pause_keyring), model/keyring's ("keyring.unavailable",
// "keyring.missing"), the key file's, and the migration's.
Result<crypto::Key> unlock_from_keyring(const std::filesystem::path& folder);
// Removes it: its key from the secret store, then the wrapping from the key file (which keeps it when the store
// cannot be reached, so that a later call removes the key).
Status remove_keyring_wrap(const std::filesystem::path& folder);
// A locked window pauses it: until the passphrase opens the folder once (unlock_folder, or resume_keyring after a
// passphrase was checked), unlock_from_keyring refuses ("keyring.paused"), so that ending and starting the program
// again does not open a lock. Both do nothing without the wrapping; the change is durable when they return.
Status pause_keyring(const std::filesystem::path& folder);
Status resume_keyring(const std::filesystem::path& folder);

// The key remembered for `folder` in this process, or null. remember() is what unlock_folder does at its end.
crypto::Key folder_key(const std::filesystem::path& folder);
void remember(const std::filesystem::path& folder, crypto::Key key);
void forget(const std::filesystem::path& folder);

// Asked by Store::open for a folder it has no key for; returns a key to use, or null to go on without one (a
// folder with a key file then reports "store.locked"). The test suites install one that unlocks every folder
// with a test passphrase, so that every test runs on an encrypted store. Null uninstalls.
using KeyProvider = std::function<crypto::Key(const std::filesystem::path& folder)>;
void set_key_provider(KeyProvider provider);
crypto::Key provide_key(const std::filesystem::path& folder);
// folder_key(), else provide_key(): the key to open `folder`'s files with, or null.
crypto::Key key_for(const std::filesystem::path& folder);
// The Error of a folder with a key file opened without its key.
Error locked_error(const std::filesystem::path& folder);

// Encrypts in place what of `folder` is still plain: the store (tsunagi.db, after its log is copied in), the
// backups schema migrations took (tsunagi.db.v*.bak-*), and the enrollment. Each file is written encrypted beside
// the plain one, checked, forced to the disk and renamed over it, so that a kill at any moment leaves it plain
// and whole or encrypted and whole. The store must not be open in another process.
// Kill points (model/kill_point): encrypt.vacuumed (the plain copy with room for the tags made), encrypt.copied (the
// encrypted copy made and checked, not yet renamed), encrypt.renamed.
Status encrypt_folder(const std::filesystem::path& folder, const crypto::Key& key);

// A small file sealed with the folder's data key (the enrollment token): "TSUNAGI-SEALED-1\n" and a box bound to
// `purpose`. Written atomically (mode 0600).
Status write_sealed_file(const std::filesystem::path& path, std::string_view content, const crypto::SecretKey& key,
                         std::string_view purpose);
// The content of a sealed file; a file without the mark is plain and read as it is (one written before the folder
// was encrypted). "crypto.open" when the box does not open.
Result<std::string> read_sealed_file(const std::filesystem::path& path, const crypto::SecretKey& key,
                                     std::string_view purpose);
// Whether `content` is sealed (starts with the mark).
bool is_sealed(std::string_view content);

}  // namespace tsunagi::encryption
