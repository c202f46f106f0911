#include "app/lock_model.hpp"

#include "model/encryption.hpp"

namespace tsunagi {

LockModel::LockModel(std::filesystem::path folder, std::function<void()> wake)
    : folder_(std::move(folder)), choosing_(!encryption::has_key_file(folder_)), worker_(wake), keyring_(wake) {}

void LockModel::submit(const std::string& passphrase, const std::string& confirmation) {
  if (worker_.busy() || !locked_) return;
  error_.reset();
  if (choosing_) {
    auto normalized = encryption::normalize_passphrase(passphrase);
    Status fits = normalized ? encryption::check_new_passphrase(*normalized) : Status(normalized.error());
    if (!fits) {
      error_ = fits.error();
      return;
    }
    if (passphrase != confirmation) {
      error_ = make_error("passphrase.mismatch", "", "the two passphrases differ", "2 回の入力が一致しません");
      return;
    }
  }
  worker_.start([folder = folder_, passphrase]() -> Outcome {
    if (crypto::Key remembered = encryption::folder_key(folder)) {
      // Locked after use: the passphrase must open the key file to the key the stores are open with.
      auto key = encryption::open_key_file(folder, passphrase);
      if (!key) return key.error();
      if (!(**key == *remembered))
        return make_error("store.passphrase", "", "wrong passphrase", "パスフレーズが違います");
      if (auto resumed = encryption::resume_keyring(folder); !resumed) return resumed.error();
    } else if (auto key = encryption::unlock_folder(folder, passphrase); !key) {
      return key.error();
    }
    return std::nullopt;
  });
}

void LockModel::open_with_keyring() {
  if (worker_.busy() || keyring_.busy() || !locked_ || choosing_ || encryption::folder_key(folder_)) return;
  error_.reset();
  keyring_.start([folder = folder_]() -> Outcome {
    if (!encryption::has_keyring_wrap(folder)) return make_error("keyring.none", "", "", "");
    if (auto key = encryption::unlock_from_keyring(folder); !key) return key.error();
    return std::nullopt;
  });
}

bool LockModel::poll() {
  bool unlocked = false;
  if (std::optional<Outcome> checked = worker_.poll()) {
    error_ = *checked;
    unlocked = !error_;
  }
  if (std::optional<Outcome> tried = keyring_.poll()) {
    if (!*tried)
      unlocked = true;
    else if (const std::string& code = (*tried)->code; !error_ && code != "keyring.none" && code != "keyring.paused")
      error_ = *tried;  // not asked to, or a lock paused it: the passphrase, as always, without a word
  }
  if (!unlocked || !locked_) return false;  // already opened by the other attempt
  locked_ = false;
  choosing_ = false;
  error_.reset();
  return true;
}

void LockModel::lock() {
  if (worker_.busy() || keyring_.busy()) return;
  locked_ = true;
  error_.reset();
  // Best effort: a key file that cannot be written leaves the keyring's unlock as it was (the window locks all the
  // same; a restart would then open with the login).
  (void)encryption::pause_keyring(folder_);
}

}  // namespace tsunagi
