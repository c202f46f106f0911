// Every test runs on encrypted data folders, as every real device does: the test programs' main installs a key
// provider (model/encryption) that unlocks each folder a store opens with kTestPassphrase, making its key file at
// the first use with Argon2id's cheapest parameters, and exports the passphrase in $TSUNAGI_PASSPHRASE_FILE (and
// TSUNAGI_TEST_KDF=fast) for the programs the tests start. TSUNAGI_TEST_PLAIN=1 runs them on plain folders.
#pragma once

#include <sqlite3.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "model/crypt_vfs.hpp"
#include "model/encryption.hpp"
#include "model/files.hpp"
#include "model/platform.hpp"

namespace tsunagi::testing {

inline constexpr const char* kTestPassphrase = "つなぎ test passphrase";

inline void set_process_env(const char* name, const std::string& value) {
#ifdef _WIN32
  ::_putenv_s(name, value.c_str());
#else
  ::setenv(name, value.c_str(), 1);
#endif
}

inline void install_test_key_provider() {
  encryption::set_key_provider([](const std::filesystem::path& folder) -> crypto::Key {
    encryption::UnlockOptions options;
    options.new_kdf = crypto::kTestKdf;
    auto key = encryption::unlock_folder(folder, kTestPassphrase, options);
    return key ? *key : nullptr;
  });
}

inline void encrypt_test_folders() {
  const char* plain = std::getenv("TSUNAGI_TEST_PLAIN");
  if (plain && std::string(plain) == "1") return;
  const auto file = std::filesystem::temp_directory_path() / "tsunagi-test-passphrase";
  (void)write_file_atomic(file, std::string(kTestPassphrase) + "\n", 0600);
  set_process_env("TSUNAGI_PASSPHRASE_FILE", platform::path_to_utf8(file));
  set_process_env("TSUNAGI_TEST_KDF", "fast");
  install_test_key_provider();
}

// Plain folders for the scope of a test (one that builds a store of an earlier version, unencrypted).
class PlainFolders {
 public:
  PlainFolders() { encryption::set_key_provider(nullptr); }
  ~PlainFolders() {
    const char* plain = std::getenv("TSUNAGI_TEST_PLAIN");
    if (!plain || std::string(plain) != "1") install_test_key_provider();
  }
  PlainFolders(const PlainFolders&) = delete;
  PlainFolders& operator=(const PlainFolders&) = delete;
};

// The key of the folder `file` is in, if it is encrypted: remembered by this process, or from its key file with the
// test passphrase. Registered with the encrypting VFS for `file`.
inline crypto::Key test_file_key(const std::filesystem::path& file) {
  crypto::Key key = encryption::folder_key(file.parent_path());
  if (!key && encryption::has_key_file(file.parent_path()))
    if (auto opened = encryption::open_key_file(file.parent_path(), kTestPassphrase)) key = *opened;
  if (key) {
    crypt::register_vfs();
    crypt::set_key(platform::path_to_utf8(file), key);
  }
  return key;
}

// A URI for ATTACH of a store's file, read-only, through the encrypting VFS when its folder is encrypted (the
// connection needs temp_store = MEMORY then).
inline std::string store_file_uri(const std::filesystem::path& file) {
  return "file:" + platform::path_to_utf8(file) + "?mode=ro" +
         (test_file_key(file) ? std::string("&vfs=") + crypt::kVfsName : "");
}

// Opens a store's SQLite file (or a backup of it) as the store would now: through the encrypting VFS with the key of
// the folder it is in when that folder is unlocked in this process (or has a key file the test passphrase opens),
// else plain (a collector's file, a store of an earlier version). Returns what sqlite3_open_v2 does.
inline int open_store_file(const std::filesystem::path& file, sqlite3** db,
                           int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) {
  const crypto::Key key = test_file_key(file);
  const std::string name = platform::path_to_utf8(file);
  int rc = sqlite3_open_v2(name.c_str(), db, flags, key ? crypt::kVfsName : nullptr);
  if (rc == SQLITE_OK && key) sqlite3_exec(*db, "PRAGMA temp_store = MEMORY", nullptr, nullptr, nullptr);
  return rc;
}

}  // namespace tsunagi::testing
