// The data key's second wrapping, by the desktop's secret store (model/keyring, model/encryption): the login opens
// the folder without its passphrase, the key file alone does not, and the wrapping survives a new passphrase and
// goes with `forget`.
//
// The cases tagged [.keyring] need a secret store: on Linux a Secret Service on the session bus, which
// tests/keyring/keyring_test.sh starts (a private D-Bus session and gnome-keyring-daemon, in a temporary home);
// on Windows DPAPI, which Wine has (tests/windows). They are hidden, so that a run without one does not try them.
// The others need none.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "model/encryption.hpp"
#include "model/files.hpp"
#include "model/keyring.hpp"
#include "tests/store_fixture.hpp"

using namespace tsunagi;
namespace fs = std::filesystem;

namespace {

constexpr const char* kPassphrase = "ログインの合言葉 keyring";

encryption::UnlockOptions fast() {
  encryption::UnlockOptions options;
  options.new_kdf = crypto::kTestKdf;
  return options;
}

nlohmann::json key_file(const fs::path& data) { return nlohmann::json::parse(*read_file(data / "keys.json")); }

// A data folder with a store, unlocked with kPassphrase, then forgotten by this process (as at a new start).
fs::path locked_folder(const TempFolder& folder) {
  const fs::path data = folder.path / "data";
  REQUIRE(encryption::unlock_folder(data, kPassphrase, fast()));
  REQUIRE(Store::open(data));
  return data;
}

}  // namespace

TEST_CASE("the secret store keeps a key, gives it back, and forgets it", "[.keyring]") {
  TempFolder folder;
  const crypto::Key key = crypto::SecretKey::random();
  auto entry = keyring::keep(folder.path, *key);
  INFO((entry ? "" : entry.error().describe()));
  REQUIRE(entry);
  CHECK((*entry)["store"] == keyring::store_name());
  // The entry is a reference (libsecret) or a sealed blob (DPAPI): never the key itself.
  const std::string key_bytes(reinterpret_cast<const char*>(key->bytes()), crypto::kKeyBytes);
  CHECK(entry->dump().find(crypto::to_base64(key_bytes)) == std::string::npos);
  auto found = keyring::find(*entry);
  INFO((found ? "" : found.error().describe()));
  REQUIRE(found);
  CHECK(**found == *key);
  REQUIRE(keyring::discard(*entry));
  if (std::string(keyring::store_name()) == "libsecret") {
    auto gone = keyring::find(*entry);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == "keyring.missing");
  }
  REQUIRE(keyring::discard(*entry));  // again: nothing there, no error
}

TEST_CASE("a folder the keyring wraps opens without its passphrase; the key file alone does not", "[.keyring]") {
  TempFolder folder;
  const fs::path data = locked_folder(folder);
  const crypto::Key key = encryption::folder_key(data);
  CHECK_FALSE(encryption::has_keyring_wrap(data));
  auto none = encryption::unlock_from_keyring(data);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == "keyring.none");

  auto added = encryption::add_keyring_wrap(data, key);
  INFO((added ? "" : added.error().describe()));
  REQUIRE(added);
  CHECK(encryption::has_keyring_wrap(data));
  const nlohmann::json entry = key_file(data)["keyring"];
  CHECK(entry["store"] == keyring::store_name());
  CHECK(entry.contains("wrapped"));

  encryption::forget(data);
  auto opened = encryption::unlock_from_keyring(data);
  INFO((opened ? "" : opened.error().describe()));
  REQUIRE(opened);
  CHECK(**opened == *key);
  CHECK(encryption::folder_key(data));
  auto store = Store::open(data);
  REQUIRE(store);

  // A new passphrase rewraps the key; the keyring's wrapping stays and still opens it.
  REQUIRE(encryption::change_passphrase(data, kPassphrase, "あたらしい合言葉 keyring"));
  CHECK(key_file(data)["keyring"] == entry);
  encryption::forget(data);
  REQUIRE(encryption::unlock_from_keyring(data));

  // The wrapped key altered: refused, nothing unlocked.
  const std::string keys = *read_file(data / "keys.json");
  nlohmann::json altered = key_file(data);
  std::string wrapped = *crypto::from_base64(altered["keyring"]["wrapped"].get<std::string>());
  wrapped[wrapped.size() / 2] ^= 1;
  altered["keyring"]["wrapped"] = crypto::to_base64(wrapped);
  REQUIRE(write_file_atomic(data / "keys.json", altered.dump()));
  encryption::forget(data);
  auto refused = encryption::unlock_from_keyring(data);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == "keyring.missing");
  CHECK_FALSE(encryption::folder_key(data));
  REQUIRE(write_file_atomic(data / "keys.json", keys));

  // Turned off: the key file loses the wrapping, and (libsecret) the keyring the key.
  REQUIRE(encryption::remove_keyring_wrap(data));
  CHECK_FALSE(encryption::has_keyring_wrap(data));
  CHECK_FALSE(key_file(data).contains("keyring"));
  if (std::string(keyring::store_name()) == "libsecret") {
    auto gone = keyring::find(entry);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == "keyring.missing");
  }
  encryption::forget(data);
  auto after = encryption::unlock_from_keyring(data);
  REQUIRE_FALSE(after);
  CHECK(after.error().code == "keyring.none");
  REQUIRE(encryption::unlock_folder(data, "あたらしい合言葉 keyring", fast()));  // the passphrase still does
}

TEST_CASE("the keyring's key gone from the secret store: the folder stays locked, the passphrase opens it",
          "[.keyring]") {
  TempFolder folder;
  const fs::path data = locked_folder(folder);
  REQUIRE(encryption::add_keyring_wrap(data, encryption::folder_key(data)));
  REQUIRE(keyring::discard(key_file(data)["keyring"]));
  encryption::forget(data);
  if (std::string(keyring::store_name()) == "libsecret") {
    auto missing = encryption::unlock_from_keyring(data);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == "keyring.missing");
    CHECK_FALSE(encryption::folder_key(data));
  }
  REQUIRE(encryption::unlock_folder(data, kPassphrase, fast()));
}

TEST_CASE("a lock pauses the keyring's unlock until the passphrase opens the folder once", "[.keyring]") {
  TempFolder folder;
  const fs::path data = locked_folder(folder);
  REQUIRE(encryption::add_keyring_wrap(data, encryption::folder_key(data)));
  REQUIRE(encryption::pause_keyring(data));
  CHECK(key_file(data)["keyring"]["paused"] == true);
  CHECK(encryption::has_keyring_wrap(data));  // still on: 設定 shows it so
  encryption::forget(data);
  auto paused = encryption::unlock_from_keyring(data);
  REQUIRE_FALSE(paused);
  CHECK(paused.error().code == "keyring.paused");
  CHECK_FALSE(encryption::folder_key(data));
  REQUIRE(encryption::unlock_folder(data, kPassphrase, fast()));  // the passphrase, once
  CHECK_FALSE(key_file(data)["keyring"].contains("paused"));
  encryption::forget(data);
  REQUIRE(encryption::unlock_from_keyring(data));
}

TEST_CASE("a key file's keyring entry that is damaged is an error, not a crash", "[keyring]") {
  TempFolder folder;
  const fs::path data = locked_folder(folder);
  const std::string keys = *read_file(data / "keys.json");
  nlohmann::json file = key_file(data);
  for (const nlohmann::json& entry :
       {nlohmann::json{{"store", keyring::store_name()}, {"id", "not hex"}, {"blob", 7}, {"wrapped", "AAAA"}},
        nlohmann::json{{"store", "another"}, {"id", std::string(32, 'a')}, {"wrapped", "AAAA"}}}) {
    file["keyring"] = entry;
    REQUIRE(write_file_atomic(data / "keys.json", file.dump()));
    CHECK(encryption::has_keyring_wrap(data));
    encryption::forget(data);
    auto refused = encryption::unlock_from_keyring(data);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == "keyring.damaged");
    CHECK_FALSE(encryption::folder_key(data));
  }
  file["keyring"] = "not an object";
  REQUIRE(write_file_atomic(data / "keys.json", file.dump()));
  auto damaged = encryption::unlock_from_keyring(data);
  REQUIRE_FALSE(damaged);
  CHECK(damaged.error().code == "store.keyfile");
  // The passphrase is refused too while the key file is damaged; restored, it opens as before.
  CHECK(encryption::unlock_folder(data, kPassphrase, fast()).error().code == "store.keyfile");
  REQUIRE(write_file_atomic(data / "keys.json", keys));
  REQUIRE(encryption::unlock_folder(data, kPassphrase, fast()));
}
