#include "model/keyring.hpp"

#ifdef _WIN32
#include <windows.h>  // first: wincrypt.h uses its types

#include <wincrypt.h>
#else
#include <libsecret/secret.h>
#endif
#include <sodium.h>

#include <string>

#include "model/platform.hpp"

namespace tsunagi::keyring {
namespace {

Error damaged_entry() {
  return make_error("keyring.damaged", "", "the key file's entry for the secret store is damaged",
                    "鍵ファイルの、OS の鍵の保管場所の項目が壊れています");
}

Error missing_key(const std::string& detail) {
  return make_error("keyring.missing", "", "the secret store does not have this data folder's key: " + detail,
                    "OS の鍵の保管場所にこのデータフォルダの鍵がありません: " + detail);
}

#ifdef _WIN32

// DPAPI's "entropy": binds the blob to its use, so that another program's DPAPI blob does not open here.
constexpr char kPurpose[] = "tsunagi data folder key v1";

DATA_BLOB purpose_blob() {
  return DATA_BLOB{static_cast<DWORD>(sizeof kPurpose - 1),
                   reinterpret_cast<BYTE*>(const_cast<char*>(static_cast<const char*>(kPurpose)))};
}

std::string last_error_text() { return "Windows error " + std::to_string(::GetLastError()); }

#else

// The attributes an item of ours carries: the data folder (for the person browsing their keyring, and to clear
// it) and the entry's random id (which finds it).
const SecretSchema* schema() {
  static const SecretSchema kSchema = {"jp.tsunagi.DataFolderKey",
                                       SECRET_SCHEMA_NONE,
                                       {{"folder", SECRET_SCHEMA_ATTRIBUTE_STRING},
                                        {"id", SECRET_SCHEMA_ATTRIBUTE_STRING},
                                        {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING}},
                                       0,
                                       nullptr,
                                       nullptr,
                                       nullptr,
                                       nullptr,
                                       nullptr,
                                       nullptr,
                                       nullptr};
  return &kSchema;
}

Error unavailable(GError* error) {
  std::string message = error ? error->message : "no answer";
  if (error) g_error_free(error);
  return make_error("keyring.unavailable", "", "the desktop's secret store cannot be reached: " + message,
                    "OS の鍵の保管場所（キーリング）に接続できません: " + message);
}

// The entry's id: 32 hexadecimal digits.
Result<std::string> entry_id(const nlohmann::json& entry) {
  if (!entry.is_object() || entry.value("store", "") != store_name() || !entry.contains("id") ||
      !entry["id"].is_string())
    return damaged_entry();
  std::string id = entry["id"].get<std::string>();
  if (id.size() != 32 || id.find_first_not_of("0123456789abcdef") != std::string::npos) return damaged_entry();
  return id;
}

#endif

}  // namespace

#ifdef _WIN32

const char* store_name() { return "dpapi"; }

Result<nlohmann::json> keep(const std::filesystem::path&, const crypto::SecretKey& key) {
  DATA_BLOB plain{static_cast<DWORD>(crypto::kKeyBytes), const_cast<BYTE*>(key.bytes())};
  DATA_BLOB purpose = purpose_blob();
  DATA_BLOB sealed{};
  if (!::CryptProtectData(&plain, L"Tsunagi", &purpose, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN, &sealed))
    return make_error("keyring.failed", "", "DPAPI did not protect the key: " + last_error_text(),
                      "DPAPI で鍵を保護できませんでした: " + last_error_text());
  std::string blob(reinterpret_cast<const char*>(sealed.pbData), sealed.cbData);
  ::LocalFree(sealed.pbData);
  return nlohmann::json{{"store", store_name()}, {"blob", crypto::to_base64(blob)}};
}

Result<crypto::Key> find(const nlohmann::json& entry) {
  if (!entry.is_object() || entry.value("store", "") != store_name() || !entry.contains("blob") ||
      !entry["blob"].is_string())
    return damaged_entry();
  auto blob = crypto::from_base64(entry["blob"].get<std::string>());
  if (!blob) return damaged_entry();
  DATA_BLOB sealed{static_cast<DWORD>(blob->size()), reinterpret_cast<BYTE*>(blob->data())};
  DATA_BLOB purpose = purpose_blob();
  DATA_BLOB plain{};
  if (!::CryptUnprotectData(&sealed, nullptr, &purpose, nullptr, nullptr, CRYPTPROTECT_UI_FORBIDDEN, &plain))
    return missing_key("DPAPI did not open it (another Windows user, or another computer): " + last_error_text());
  const bool whole = plain.cbData == crypto::kKeyBytes;
  auto key = std::make_shared<crypto::SecretKey>();
  if (whole) std::copy(plain.pbData, plain.pbData + crypto::kKeyBytes, key->bytes());
  ::SecureZeroMemory(plain.pbData, plain.cbData);
  ::LocalFree(plain.pbData);
  if (!whole) return damaged_entry();
  return crypto::Key(std::move(key));
}

Status discard(const nlohmann::json&) { return ok_status(); }

#else

const char* store_name() { return "libsecret"; }

Result<nlohmann::json> keep(const std::filesystem::path& folder, const crypto::SecretKey& key) {
  if (auto status = crypto::initialise(); !status) return status.error();
  const std::string raw_id = crypto::random_bytes(16);
  std::string id;
  for (unsigned char c : raw_id) {
    constexpr char kHex[] = "0123456789abcdef";
    id += kHex[c >> 4];
    id += kHex[c & 15];
  }
  // The key as text (the Secret Service keeps text), in memory that is wiped.
  constexpr std::size_t kTextSize = sodium_base64_ENCODED_LEN(crypto::kKeyBytes, sodium_base64_VARIANT_ORIGINAL);
  char text[kTextSize];
  sodium_bin2base64(text, kTextSize, key.bytes(), crypto::kKeyBytes, sodium_base64_VARIANT_ORIGINAL);
  const std::string folder_name = platform::path_to_utf8(folder);
  const std::string label = "Tsunagi: " + folder_name;
  GError* error = nullptr;
  const gboolean stored = secret_password_store_sync(schema(), SECRET_COLLECTION_DEFAULT, label.c_str(), text, nullptr,
                                                     &error, "folder", folder_name.c_str(), "id", id.c_str(), nullptr);
  sodium_memzero(text, kTextSize);
  if (!stored) return unavailable(error);
  return nlohmann::json{{"store", store_name()}, {"id", id}};
}

Result<crypto::Key> find(const nlohmann::json& entry) {
  auto id = entry_id(entry);
  if (!id) return id.error();
  if (auto status = crypto::initialise(); !status) return status.error();
  GError* error = nullptr;
  gchar* text = secret_password_lookup_nonpageable_sync(schema(), nullptr, &error, "id", id->c_str(), nullptr);
  if (error) return unavailable(error);
  if (!text) return missing_key("another user's or another computer's, or a keyring made anew");
  auto key = std::make_shared<crypto::SecretKey>();
  std::size_t length = 0;
  const int decoded = sodium_base642bin(key->bytes(), crypto::kKeyBytes, text, std::char_traits<char>::length(text),
                                        nullptr, &length, nullptr, sodium_base64_VARIANT_ORIGINAL);
  secret_password_free(text);  // wipes it
  if (decoded != 0 || length != crypto::kKeyBytes) return damaged_entry();
  return crypto::Key(std::move(key));
}

Status discard(const nlohmann::json& entry) {
  auto id = entry_id(entry);
  if (!id) return id.error();
  GError* error = nullptr;
  secret_password_clear_sync(schema(), nullptr, &error, "id", id->c_str(), nullptr);  // false: there was none
  if (error) return unavailable(error);
  return ok_status();
}

#endif

}  // namespace tsunagi::keyring
