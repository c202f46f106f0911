// The desktop's secret store, which the user's login opens: on Linux the Secret Service through libsecret (GNOME
// Keyring, KWallet; its default collection, "login"), on Windows DPAPI (CryptProtectData, under the user's logon
// credentials). model/encryption wraps a data folder's key a second time with a key kept here, so that this login
// on this computer opens the folder without its passphrase; the passphrase still opens it anywhere.
//
// An entry is what the key file records to find the kept key again: {"store": "libsecret", "id": "<hex>"} (the key
// lives in the keyring, under that id and the folder's path) or {"store": "dpapi", "blob": "<base64>"} (the key
// protected by DPAPI, readable only by this Windows user).
//
// Thread safety: every function may be called from any thread. On Linux each call is a D-Bus round trip to the
// keyring daemon (which may ask the user to open a locked keyring): call it off the UI thread.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "model/crypto.hpp"
#include "model/error.hpp"

namespace tsunagi::keyring {

// "libsecret" or "dpapi": the secret store this build uses, as entries name it.
const char* store_name();

// Keeps `key` in the secret store for `folder`; returns the entry that finds it. Errors: "keyring.unavailable" (no
// Secret Service on the session bus, or none running), "keyring.failed" (the store refused).
Result<nlohmann::json> keep(const std::filesystem::path& folder, const crypto::SecretKey& key);

// The key `entry` finds. Errors: "keyring.unavailable", "keyring.missing" (the store no longer has it, or the
// entry is of another store or another Windows user), "keyring.damaged" (the entry is not one keep() made).
Result<crypto::Key> find(const nlohmann::json& entry);

// Deletes what `entry` finds from the secret store (nothing to do for DPAPI). Deleting a key that is not there
// succeeds.
Status discard(const nlohmann::json& entry);

}  // namespace tsunagi::keyring
